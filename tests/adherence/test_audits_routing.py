"""The audits page shows owned work gone late (reviews past their due day, re-screens not done) and the
instruments of a battery in use that can never flag, with where to fix each; only the viewer's teams;
each patient shown audited; a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from routing.models import Rescreen, Review
from screening.models import Battery, InstrumentSetting
from teams.models import AuditEvent

from ..factories import PatientFactory
from ..routing.reporting_factories import make_rescreen, make_review

AUDITS = reverse("audits")


def gaps(page):
    return {gap.key: gap for gap in page.context["gaps"]}


def test_an_overdue_review_is_listed_with_owner_due_day_and_days_over(login, lead, patient, colleague):
    today = timezone.localdate()
    overdue = make_review(patient, colleague, due_on=today - timedelta(days=4))
    make_review(patient, colleague, due_on=today)  # due today: not over yet
    make_review(patient, colleague, due_on=today - timedelta(days=9), resolved_at=timezone.now())
    page = login(lead).get(AUDITS)
    (row,) = gaps(page)["review-overdue"].rows
    assert row.pk == overdue.pk and row.days_over == 4
    text = page.content.decode()
    assert f"owner {colleague}" in text and "4 days over" in text
    assert reverse("review_detail", kwargs={"patient_id": patient.pk, "review_id": overdue.pk}) in text


def test_a_missed_rescreen_is_listed_with_a_link_to_screen_again(login, lead, patient):
    today = timezone.localdate()
    missed = make_rescreen(patient, due_on=today - timedelta(days=1))
    make_rescreen(patient, due_on=today, instrument="PHQ-9")
    make_rescreen(patient, due_on=today - timedelta(days=3), instrument="GAD-7", state=Rescreen.State.DONE)
    page = login(lead).get(AUDITS)
    assert [row.pk for row in gaps(page)["rescreen-missed"].rows] == [missed.pk]
    text = page.content.decode()
    assert reverse("screening_new", kwargs={"patient_id": patient.pk}) + "?instrument=PCS" in text
    assert "1 day over" in text


def test_a_lead_sees_only_their_teams_late_work(login, lead, patient, colleague, south_patient, outsider):
    today = timezone.localdate()
    make_review(south_patient, outsider, due_on=today - timedelta(days=2))
    make_rescreen(south_patient, due_on=today - timedelta(days=2))
    found = gaps(login(lead).get(AUDITS))
    assert found["review-overdue"].rows == [] and found["rescreen-missed"].rows == []


def test_each_patient_with_late_work_is_audited_as_viewed(login, lead, patient, colleague):
    make_review(patient, colleague, due_on=timezone.localdate() - timedelta(days=2))
    login(lead).get(AUDITS)
    assert AuditEvent.objects.filter(
        actor=lead, patient=patient, action=AuditEvent.Action.VIEW, object_type="audits"
    ).exists()


def test_an_instrument_that_can_never_flag_is_listed_until_the_clinic_sets_a_cut_off(
    login, lead, clinic_admin
):
    Battery.objects.all().delete()  # the seeded batteries: this test names its own
    Battery.objects.create(name="Back pain intake", instruments=["PHQ-9", "TSK-11"])
    Battery.objects.create(name="Fear follow-up", instruments=["TSK-11"])
    as_lead = login(lead).get(AUDITS).content.decode()
    assert "a clinic admin sets a cut-off in the admin" in as_lead
    assert reverse("admin:screening_instrumentsetting_changelist") not in as_lead
    page = login(clinic_admin).get(AUDITS)
    silent = gaps(page)["silent-instrument"]
    assert [(row.code, row.batteries) for row in silent.rows] == [
        ("TSK-11", ["Back pain intake", "Fear follow-up"])
    ]
    text = page.content.decode()
    assert "Instruments that can never flag" in text
    assert "Set a cut-off in the admin" in text
    assert reverse("admin:screening_instrumentsetting_changelist") in text

    InstrumentSetting.objects.create(instrument="TSK-11", high_cutoff=37, source="Clinic audit 2026.")
    assert gaps(login(lead).get(AUDITS))["silent-instrument"].rows == []


def test_an_instrument_in_no_battery_is_not_called_silent(login, lead):
    Battery.objects.all().delete()
    Battery.objects.create(name="Mood", instruments=["PHQ-9"])
    assert gaps(login(lead).get(AUDITS))["silent-instrument"].rows == []


@pytest.mark.parametrize("more", [1, 12])
def test_the_late_work_sections_do_not_add_queries_with_rows(login, clinic_admin, north, colleague, more):
    client = login(clinic_admin)
    today = timezone.localdate()

    def late(n):
        for _ in range(n):
            other = PatientFactory(team=north)
            make_review(other, colleague, due_on=today - timedelta(days=3))
            make_rescreen(other, due_on=today - timedelta(days=3))

    late(1)
    client.get(AUDITS)  # the session's first request renews it: not the page's queries
    with CaptureQueriesContext(connection) as first:
        client.get(AUDITS)
    late(more)
    with CaptureQueriesContext(connection) as second:
        page = client.get(AUDITS)
    assert len(gaps(page)["review-overdue"].rows) == 1 + more
    assert len(second) == len(first)


def test_overdue_reviews_are_capped_like_the_other_sections(login, lead, patient, colleague, monkeypatch):
    from adherence import audits

    monkeypatch.setattr(audits, "ROWS_PER_GAP", 2)
    for days in (3, 4, 5):
        make_review(patient, colleague, due_on=timezone.localdate() - timedelta(days=days))
    gap = gaps(login(lead).get(AUDITS))["review-overdue"]
    assert len(gap.rows) == 2 and gap.count == 3
    assert [row.days_over for row in gap.rows] == [5, 4]
    assert Review.objects.count() == 3
