"""Every read of patient data is audited with the patients it showed: each list page writes one ``view``
event per patient on the page shown (not the rest of the list), and each CSV export one ``export`` event
per patient in the file. And every CSV the application writes is safe to open in a spreadsheet."""

import ast
import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from adherence import rollups
from adherence.models import Export, Session
from careplans.models import Responsibility
from careplans.services import part_create
from conferences import services as conference_services
from core import csv_safe
from teams.models import AuditEvent

from .careplans.factories import make_plan
from .factories import PatientFactory, TeamFactory
from .screening.factories import phq9, record

VIEW, EXPORT = AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT
INJECTION = '=HYPERLINK("http://x")'


@pytest.fixture(autouse=True)
def clock():
    """A Wednesday morning: "today" and "this week" hold still while a test builds and reads its rows."""
    with time_machine.travel("2026-11-25 10:00 +00:00", tick=False):
        yield


def _last_event() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _audited(user, action, object_type, since) -> list[int | None]:
    """The patients of the events ``user`` wrote since event ``since`` (one entry per event)."""
    events = AuditEvent.objects.filter(id__gt=since, actor=user, action=action, object_type=object_type)
    return sorted(events.values_list("patient_id", flat=True), key=lambda pk: pk or 0)


def _page_audits_exactly_its_patients(client, user, url, object_type, shown_of, everyone, query=None):
    """Page 1 and page 2 each write one event per patient they show, and only those."""
    seen = set()
    for number in (1, 2):
        since = _last_event()
        response = client.get(url, {**(query or {}), "page": number})
        assert response.status_code == 200
        shown = shown_of(response)
        assert shown and not shown & seen, "each page shows patients of its own"
        assert _audited(user, VIEW, object_type, since) == sorted(shown)
        seen |= shown
    assert seen <= everyone


def _sessions_now(patients, clinician, **fields):
    """A session now for each patient, and the roll-up refresh the dashboard's figures read."""
    for patient in patients:
        Session.objects.create(
            patient=patient,
            clinician=clinician,
            discipline="physiotherapist",
            starts_at=timezone.now(),
            **fields,
        )
    rollups.refresh()


# Pages


def test_the_review_queue_audits_the_patients_of_its_page(login, clinician, north, monkeypatch):
    monkeypatch.setattr("screening.views.REVIEWS_PER_PAGE", 2)
    patients = PatientFactory.create_batch(4, team=north, primary_clinician=clinician)
    for patient in patients:
        record(patient, clinician, answers=phq9(item9=1))
    _page_audits_exactly_its_patients(
        login(clinician),
        clinician,
        reverse("alert_queue"),
        "review queue",
        lambda response: {alert.patient_id for alert in response.context["page"]},
        {p.pk for p in patients},
    )


def test_my_responsibilities_audits_the_patients_of_its_page(login, clinician, north, monkeypatch):
    monkeypatch.setattr("careplans.views.RESPONSIBILITIES_PER_PAGE", 2)
    patients = PatientFactory.create_batch(4, team=north, primary_clinician=clinician)
    for patient in patients:
        part_create(
            instance=Responsibility(
                plan=make_plan(patient, clinician),
                intervention="exercise_therapy",
                owner=clinician,
                discipline=clinician.discipline,
                frequency="weekly",
                starts_on=timezone.localdate(),
            ),
            user=clinician,
        )
    _page_audits_exactly_its_patients(
        login(clinician),
        clinician,
        reverse("my_responsibilities"),
        "my responsibilities",
        lambda response: {r.plan.patient_id for r in response.context["page"]},
        {p.pk for p in patients},
    )


def test_the_patient_list_audits_the_patients_of_its_page(login, clinician, north, monkeypatch):
    monkeypatch.setattr("teams.views.PATIENTS_PER_PAGE", 2)
    patients = PatientFactory.create_batch(4, team=north, primary_clinician=clinician)
    _page_audits_exactly_its_patients(
        login(clinician),
        clinician,
        reverse("patient_list"),
        "patient list",
        lambda response: {p.pk for p in response.context["page"]},
        {p.pk for p in patients},
    )


def _actions(patients, north, lead, owner):
    conference = conference_services.conference_plan(
        team=north, starts_at=timezone.now() + timedelta(days=2), chair=lead, attendees=[lead], user=lead
    )
    conference = conference_services.conference_start(conference=conference, user=lead)
    for patient in patients:
        item = conference_services.agenda_item_add(conference=conference, patient=patient, user=lead)
        conference_services.action_add(
            item=item,
            description="Call the GP",
            owner=owner,
            due_on=timezone.localdate() + timedelta(days=7),
            user=lead,
        )


def test_my_tasks_audits_the_patients_of_its_page(login, clinician, lead, north, monkeypatch):
    monkeypatch.setattr("conferences.views.TASKS_PER_PAGE", 2)
    patients = PatientFactory.create_batch(4, team=north, primary_clinician=clinician)
    _actions(patients, north, lead, clinician)
    _page_audits_exactly_its_patients(
        login(clinician),
        clinician,
        reverse("my_tasks"),
        "my tasks",
        lambda response: {action.patient_id for action in response.context["page"]},
        {p.pk for p in patients},
    )


def test_the_team_page_audits_the_patients_of_the_open_actions_it_shows(
    login, clinician, lead, north, monkeypatch
):
    monkeypatch.setattr("conferences.selectors.TEAM_PAGE_ACTIONS", 2)
    patients = PatientFactory.create_batch(3, team=north, primary_clinician=clinician)
    _actions(patients, north, lead, clinician)
    since = _last_event()
    response = login(lead).get(reverse("team_detail", kwargs={"team_id": north.pk}))
    shown = [action.patient_id for action in response.context["t"].open_actions]
    assert len(shown) == 2 and response.context["t"].open_action_count == 3
    assert _audited(lead, VIEW, "team page", since) == sorted(shown)


def test_my_day_audits_the_patients_of_todays_sessions(login, clinician, colleague, north):
    mine = PatientFactory.create_batch(2, team=north, primary_clinician=clinician)
    _sessions_now(mine, clinician)
    colleagues = PatientFactory(team=north, primary_clinician=colleague)
    _sessions_now([colleagues], colleague)
    tomorrow = PatientFactory(team=north, primary_clinician=clinician)
    _sessions_now([tomorrow], clinician)
    Session.objects.filter(patient=tomorrow).update(starts_at=timezone.now() + timedelta(days=1))
    since = _last_event()
    response = login(clinician).get(reverse("day_list"))
    assert sorted(s.patient_id for s in response.context["sessions"]) == sorted(p.pk for p in mine)
    assert _audited(clinician, VIEW, "my day", since) == sorted(p.pk for p in mine)


def test_the_audits_page_audits_the_patients_its_gaps_show(login, lead, clinician, north, monkeypatch):
    monkeypatch.setattr("adherence.audits.ROWS_PER_GAP", 1)
    unscreened = PatientFactory.create_batch(2, team=north, primary_clinician=clinician)
    alerted = PatientFactory(team=north, primary_clinician=clinician)
    record(alerted, clinician, answers=phq9(item9=1), timepoint="intake")
    from screening.models import Alert

    Alert.objects.filter(patient=alerted).update(opened_at=timezone.now() - timedelta(hours=30))
    since = _last_event()
    response = login(lead).get(reverse("audits"))
    gaps = {gap.key: gap for gap in response.context["gaps"]}
    assert gaps["no-intake"].count == 2 and gaps["no-intake"].rows[0] in unscreened
    shown = [gaps["no-intake"].rows[0].pk, alerted.pk]
    assert _audited(lead, VIEW, "audits", since) == sorted(shown)


def test_a_dashboard_drill_down_audits_the_patients_of_its_page(
    login, lead, clinician, north, south, monkeypatch
):
    monkeypatch.setattr("adherence.views.PATIENTS_PER_PAGE", 2)
    patients = PatientFactory.create_batch(4, team=north, primary_clinician=clinician)
    _sessions_now(patients, clinician, status="attended")
    elsewhere = PatientFactory(team=south)
    _sessions_now([elsewhere], elsewhere.primary_clinician, status="attended")
    _page_audits_exactly_its_patients(
        login(lead),
        lead,
        reverse("dashboard_patients"),
        "dashboard patient list",
        lambda response: {p.pk for p in response.context["page"]},
        {p.pk for p in patients},
        query={"metric": "attendance"},
    )


def test_the_apis_alert_list_audits_the_patients_it_returns(api_as, clinician, north):
    patients = PatientFactory.create_batch(2, team=north, primary_clinician=clinician)
    for patient in patients:
        record(patient, clinician, answers=phq9(item9=1))
    since = _last_event()
    rows = api_as(clinician).get(reverse("api_alert_list")).json()["results"]
    assert _audited(clinician, VIEW, "alert list", since) == sorted({row["patient_id"] for row in rows})


def test_the_apis_patient_list_audits_the_patients_of_its_page(api_as, clinician, north, monkeypatch):
    monkeypatch.setattr("rest_framework.pagination.PageNumberPagination.page_size", 2)
    patients = PatientFactory.create_batch(3, team=north, primary_clinician=clinician)
    since = _last_event()
    rows = api_as(clinician).get(reverse("api_patient_list")).json()["results"]
    assert len(rows) == 2 and {row["id"] for row in rows} <= {p.pk for p in patients}
    assert _audited(clinician, VIEW, "patient list", since) == sorted(row["id"] for row in rows)


# Exports


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_patient_list_export_audits_each_patient_in_the_file(login, lead, clinician, north):
    listed = PatientFactory.create_batch(3, team=north, primary_clinician=clinician)
    _sessions_now(listed, clinician, status="attended")
    PatientFactory(team=north, primary_clinician=clinician)  # no session: not in the list
    since = _last_event()
    response = login(lead).get(reverse("dashboard_patients"), {"metric": "attendance", "format": "csv"})
    mrns = {row[0] for row in _csv(response)[1:]}
    assert mrns == {p.mrn for p in listed}
    assert _audited(lead, EXPORT, "dashboard patient list", since) == sorted(p.pk for p in listed)


def test_an_empty_export_is_still_audited_once(login, lead):
    since = _last_event()
    response = login(lead).get(reverse("dashboard_patients"), {"metric": "attendance", "format": "csv"})
    header = ["MRN", "Family name", "Given name", "Team", "Primary clinician", "Status"]
    assert _csv(response) == [[*header, "Attendance", "Counted", "Out of"]]
    assert _audited(lead, EXPORT, "dashboard patient list", since) == [None]


def test_a_breakdown_export_audits_the_patients_its_figures_count(login, clinic_admin, clinician, north):
    counted = PatientFactory.create_batch(2, team=north, primary_clinician=clinician)
    _sessions_now(counted, clinician, status="attended")
    PatientFactory(team=north, primary_clinician=clinician)  # nothing to count
    since = _last_event()
    response = login(clinic_admin).get(reverse("clinic_dashboard"), {"export": "clinician"})
    assert _csv(response)[1][0] == str(clinician)
    assert _audited(clinic_admin, EXPORT, "dashboard clinician", since) == sorted(p.pk for p in counted)


def test_a_background_export_audits_each_patient_in_the_file_at_download(
    login, clinic_admin, clinician, north, settings
):
    from adherence.exports import export_build

    settings.EXPORT_IN_BACKGROUND_ABOVE = 0
    listed = PatientFactory.create_batch(3, team=north, primary_clinician=clinician)
    _sessions_now(listed, clinician, status="attended")
    PatientFactory(team=north, primary_clinician=clinician)
    client = login(clinic_admin)
    client.get(reverse("dashboard_patients"), {"metric": "attendance", "format": "csv"})
    export = Export.objects.get()
    export_build(export_id=export.pk)
    assert not AuditEvent.objects.filter(action=EXPORT).exists(), "built, not yet downloaded"
    since = _last_event()
    download = client.get(reverse("export_download", kwargs={"export_id": export.pk}))
    assert {row[0] for row in _csv(download)[1:]} == {p.mrn for p in listed}
    assert _audited(clinic_admin, EXPORT, "dashboard patient list", since) == sorted(p.pk for p in listed)
    assert set(
        AuditEvent.objects.filter(id__gt=since, action=EXPORT).values_list("object_id", flat=True)
    ) == {str(export.pk)}


# CSV injection


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_safe.neutralise(f"{start}1+1") == f"'{start}1+1"
    assert csv_safe.neutralise("-3") == "'-3"  # text, even when it looks like a number
    assert csv_safe.neutralise("Okafor") == "Okafor"
    assert csv_safe.neutralise(" =1") == " =1"
    for number in (-3, -1.5, Decimal("-2.50"), 0):
        assert csv_safe.neutralise(number) == number  # real numbers stay numbers
    assert csv_safe.neutralise(None) is None
    buffer = io.StringIO()
    csv_safe.writer(buffer).writerows([["=1+1", -3, Decimal("-2.5"), None]])
    assert buffer.getvalue() == "'=1+1,-3,-2.5,\r\n"


def test_a_patient_named_like_a_formula_is_exported_as_text(login, lead, clinician, north):
    patient = PatientFactory(
        team=north, primary_clinician=clinician, given_name="@SUM(A1)", family_name=INJECTION, mrn="-42"
    )
    _sessions_now([patient], clinician, status="attended")
    response = login(lead).get(reverse("dashboard_patients"), {"metric": "attendance", "format": "csv"})
    row = _csv(response)[1]
    assert row[:3] == ["'-42", "'" + INJECTION, "'@SUM(A1)"]


def test_a_background_export_neutralises_its_cells_too(login, clinic_admin, clinician, north, settings):
    from adherence.exports import export_build

    settings.EXPORT_IN_BACKGROUND_ABOVE = 0
    patient = PatientFactory(team=north, primary_clinician=clinician, family_name=INJECTION)
    _sessions_now([patient], clinician, status="attended")
    client = login(clinic_admin)
    client.get(reverse("dashboard_patients"), {"metric": "attendance", "format": "csv"})
    export = Export.objects.get()
    export_build(export_id=export.pk)
    download = client.get(reverse("export_download", kwargs={"export_id": export.pk}))
    assert _csv(download)[1][1] == "'" + INJECTION


def test_a_breakdown_export_neutralises_a_team_named_like_a_formula(login, clinic_admin, clinician):
    team = TeamFactory(name="+cmd|' /C calc'!A0")
    patient = PatientFactory(team=team)
    _sessions_now([patient], patient.primary_clinician, status="attended")
    response = login(clinic_admin).get(reverse("clinic_dashboard"), {"export": "team"})
    assert ["'+cmd|' /C calc'!A0", "—", "100%", "—", "—"] in _csv(response)


ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("adherence", "careplans", "checkins", "core", "rehabcare", "screening", "teams")


@pytest.mark.parametrize("package", PRODUCT)
def test_every_csv_the_application_writes_goes_through_the_safe_writer(package):
    """Only core/csv_safe.py may import the standard csv module: a new export cannot bypass it."""
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if path == ROOT / "core" / "csv_safe.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name == "csv" or name.startswith("csv.") for name in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders
