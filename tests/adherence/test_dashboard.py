import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adherence import dashboard, rollups
from adherence.models import Session
from careplans.services import part_update
from screening.models import Alert
from teams.models import AuditEvent

from ..careplans.factories import make_exercise, make_goal, make_milestone, make_plan
from ..factories import PatientFactory
from ..screening.factories import phq9, record
from .factories import past_sessions

DASHBOARD = reverse("clinic_dashboard")


def _sessions(patient, clinician, statuses):
    """Sessions in the past days, then the roll-up refresh the dashboard reads (every minute)."""
    past_sessions(patient, clinician, statuses)
    rollups.refresh()


def test_a_clinician_without_the_role_gets_403(login, clinician):
    client = login(clinician)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(reverse("audits")).status_code == 403
    assert client.get(reverse("dashboard_patients"), {"metric": "attendance"}).status_code == 403


def test_lead_sees_only_their_teams_and_admin_sees_all(
    login, lead, clinician, outsider, clinic_admin, patient, south_patient
):
    _sessions(patient, clinician, ["attended", "missed"])
    _sessions(south_patient, outsider, ["attended", "attended", "attended"])
    as_lead = login(lead).get(DASHBOARD)
    assert as_lead.status_code == 200
    assert as_lead.context["headline"]["attendance"].percent == "50%"
    assert [t.name for t in as_lead.context["filters"].fields["team"].queryset] == ["North MSK"]
    drill = login(lead).get(reverse("dashboard_patients"), {"metric": "attendance"})
    assert list(drill.context["page"]) == [patient]
    as_admin = login(clinic_admin).get(DASHBOARD)
    assert as_admin.context["headline"]["attendance"].percent == "80%"
    by_team = next(t for t in as_admin.context["tables"] if t["by"] == "team")
    assert {row["label"]: row["cells"][1][1].percent for row in by_team["rows"]} == {
        "North MSK": "50%",
        "South MSK": "100%",
    }


def test_filters_and_drill_down_by_team(
    login, clinic_admin, clinician, outsider, north, patient, south_patient
):
    _sessions(patient, clinician, ["missed"])
    _sessions(south_patient, outsider, ["attended"])
    client = login(clinic_admin)
    filtered = client.get(DASHBOARD, {"team": north.pk})
    assert filtered.context["headline"]["attendance"].percent == "0%"
    drill = client.get(
        reverse("dashboard_patients"), {"metric": "attendance", "by": "team", "group": "South MSK"}
    )
    assert list(drill.context["page"]) == [south_patient]
    bad = client.get(DASHBOARD, {"start": "2026-10-10", "end": "2026-10-01"})
    assert "The end cannot be before the start." in bad.text


def test_empty_numbers_show_a_dash(login, clinic_admin):
    page = login(clinic_admin).get(DASHBOARD)
    assert page.context["headline"]["attendance"].percent == "—"


def test_csv_exports_are_audited(login, clinic_admin, clinician, patient):
    _sessions(patient, clinician, ["attended"])
    client = login(clinic_admin)
    response = client.get(DASHBOARD, {"export": "team"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Team",
        "Exercise completion",
        "Attendance",
        "Milestones on time",
        "Check-ins answered",
    ]
    assert rows[1][:3] == ["North MSK", "—", "100%"]
    listing = client.get(reverse("dashboard_patients"), {"metric": "attendance", "format": "csv"})
    assert patient.mrn in listing.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2


def _populate(count, north, clinician):
    """``count`` active patients with sessions, an intake result and a plan; the roll-ups refreshed once."""
    for _ in range(count):
        patient = PatientFactory(team=north, primary_clinician=clinician)
        past_sessions(patient, clinician, ["attended", "missed"])
        record(patient, clinician, answers=phq9(3, 3, 2, 2), timepoint="intake")
        plan = make_plan(patient, clinician)
        make_exercise(plan, clinician)
        make_milestone(make_goal(plan, clinician), clinician)
        part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    rollups.refresh()


@pytest.mark.slow
@pytest.mark.parametrize(
    "url", [DASHBOARD, reverse("audits"), reverse("dashboard_patients") + "?metric=attendance"]
)
def test_dashboard_and_audits_run_the_same_queries_for_10_and_200_patients(
    login, clinic_admin, clinician, north, url
):
    client = login(clinic_admin)
    counts = []
    # One instant for both requests: on a slow machine, building 190 patients can outlast the session's
    # renewal interval, and the renewal's queries are not the page's.
    with time_machine.travel(timezone.now(), tick=False):
        for batch in (10, 190):
            _populate(batch, north, clinician)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[1]


def test_audits_list_the_gaps_with_where_to_fix_them(login, lead, clinician, north, patient):
    unscreened = PatientFactory(team=north, primary_clinician=clinician)
    record(patient, clinician, answers=phq9(item9=1), timepoint="intake")
    Alert.objects.update(opened_at=timezone.now() - timedelta(hours=30))
    plan = make_plan(patient, clinician, risk_stratum="high")
    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    page = login(lead).get(reverse("audits"))
    gaps = {gap.key: gap for gap in page.context["gaps"]}
    assert unscreened in gaps["no-intake"].rows and patient not in gaps["no-intake"].rows
    assert [p.patient for p in gaps["no-psychology"].rows] == [patient]
    assert [a.patient for a in gaps["unacknowledged"].rows] == [patient]
    assert reverse("screening_new", kwargs={"patient_id": unscreened.pk}) in page.text


def test_large_patient_lists_are_exported_in_the_background(
    login, clinic_admin, lead, clinician, patient, settings, django_capture_on_commit_callbacks
):
    from adherence.exports import export_build
    from adherence.models import Export

    settings.EXPORT_IN_BACKGROUND_ABOVE = 0
    _sessions(patient, clinician, ["attended"])
    client = login(clinic_admin)
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(reverse("dashboard_patients"), {"metric": "attendance", "format": "csv"})
    export = Export.objects.get()
    assert response.url == reverse("export_detail", kwargs={"export_id": export.pk})
    assert len(queued) == 1
    page = client.get(response.url)
    assert '<progress id="export-bar"' in page.text and 'hx-trigger="every 1s"' in page.text
    export_build(export_id=export.pk)
    done = client.get(response.url, HTTP_HX_REQUEST="true")
    assert "Download CSV" in done.text and "hx-trigger" not in done.text
    assert login(lead).get(reverse("export_download", kwargs={"export_id": export.pk})).status_code == 404
    download = login(clinic_admin).get(reverse("export_download", kwargs={"export_id": export.pk}))
    assert patient.mrn in download.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=clinic_admin).exists()


def test_trend_weeks_agree_with_the_metric_for_each_week(login, clinic_admin, clinician, patient):
    from adherence import metrics
    from adherence.selectors import week_of
    from teams.models import Patient

    plan = make_plan(patient, clinician)
    make_exercise(plan, clinician, sessions_per_week=3)
    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    today = timezone.localdate()
    for days_ago, status in (
        (1, "attended"),
        (2, "missed"),
        (9, "attended"),
        (10, "attended"),
        (16, "missed"),
    ):
        Session.objects.create(
            patient=patient,
            clinician=clinician,
            discipline="physiotherapist",
            status=status,
            starts_at=timezone.now() - timedelta(days=days_ago),
        )
    rollups.refresh()
    trend = login(clinic_admin).get(DASHBOARD).context["trend"]
    patients = Patient.objects.all()
    mondays = [week_of(today) - timedelta(weeks=n) for n in (2, 1, 0)]
    for offset, monday in zip((-3, -2, -1), mondays, strict=True):
        assert trend["labels"][offset] == dashboard.week_label(monday)
        ends = min(monday + timedelta(days=7), today + timedelta(days=1))
        expected = {
            "attendance": metrics.attendance(patients, monday, ends),
            "exercise": metrics.exercise_completion(patients, monday, ends),
        }
        for key, rate in expected.items():
            # The week not over (the last) leaves out a figure with nothing recorded yet (issue 18).
            point = dashboard.chart_point(rate, partial=offset == -1)
            assert trend["series"][key][offset] == point, (key, monday)
