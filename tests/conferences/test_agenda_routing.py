"""The agenda lists owned work gone late: a review unresolved past its due day and a follow-up screening
not done by its day; not the ones still within time, resolved or done; a fixed query count."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from conferences.agenda import agenda_entries, reason_groups
from conferences.models import CaseConference
from routing.models import Rescreen, Review

from ..factories import PatientFactory
from ..routing.reporting_factories import make_rescreen, make_review

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
STARTS = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # the conference day: Thursday 26 Nov
DAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def conference(north, lead):
    return CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)


def found(conference):
    return {
        entry.patient.pk: [(r["code"], r["detail"]) for r in entry.reasons]
        for entry in agenda_entries(conference)
    }


def test_a_review_unresolved_past_its_due_day_is_listed_with_owner_and_days_over(
    conference, patient, colleague
):
    make_review(patient, colleague, due_on=DAY - timedelta(days=3))
    assert found(conference) == {
        patient.pk: [("review_overdue", f"PCS 34 (high) — {colleague}, due 23 Nov, 3 days overdue")]
    }


def test_a_review_due_on_the_conference_day_or_resolved_is_not_listed(conference, patient, colleague):
    make_review(patient, colleague, due_on=DAY)
    make_review(patient, colleague, due_on=DAY - timedelta(days=5), resolved_at=NOW)
    assert found(conference) == {}


def test_a_review_in_progress_past_its_due_day_is_still_overdue(conference, patient, colleague):
    make_review(patient, colleague, due_on=DAY - timedelta(days=1), state=Review.State.IN_PROGRESS)
    assert [code for code, _ in found(conference)[patient.pk]] == ["review_overdue"]


def test_a_missed_rescreen_is_listed_and_one_due_later_or_done_is_not(conference, patient):
    make_rescreen(patient, due_on=DAY - timedelta(days=1), instrument="PCS")
    make_rescreen(patient, due_on=DAY, instrument="PHQ-9")
    make_rescreen(patient, due_on=DAY - timedelta(days=9), instrument="GAD-7", state=Rescreen.State.DONE)
    assert found(conference) == {patient.pk: [("rescreen_missed", "PCS re-screen due 25 Nov, 1 day overdue")]}


def test_another_teams_overdue_review_is_not_on_this_agenda(conference, south_patient, outsider):
    make_review(south_patient, outsider, due_on=DAY - timedelta(days=3))
    make_rescreen(south_patient, due_on=DAY - timedelta(days=3))
    assert found(conference) == {}


def test_several_overdue_reviews_of_one_patient_are_one_counted_line(conference, patient, colleague):
    make_review(patient, colleague, due_on=DAY - timedelta(days=3))
    make_review(patient, colleague, due_on=DAY - timedelta(days=2), reason="PHQ-9 14 (moderate)")
    (entry,) = agenda_entries(conference)
    assert [group.label for group in reason_groups(entry.reasons)] == ["2 reviews overdue"]


def test_the_routing_reasons_run_a_fixed_number_of_queries(
    conference, north, colleague, django_assert_max_num_queries
):
    def agenda_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            agenda_entries(conference)
        return len(captured)

    first = PatientFactory(team=north)
    make_review(first, colleague, due_on=DAY - timedelta(days=3))
    make_rescreen(first, due_on=DAY - timedelta(days=3))
    few = agenda_queries()
    for _ in range(6):
        other = PatientFactory(team=north)
        make_review(other, colleague, due_on=DAY - timedelta(days=3))
        make_rescreen(other, due_on=DAY - timedelta(days=2))
    assert len(agenda_entries(conference)) == 7
    with django_assert_max_num_queries(few):
        agenda_entries(conference)
