"""Barriers reviewed at case conferences: "Barrier plans to review" on the agenda for a barrier whose
agreed plan has waited more than BARRIER_REVIEW_AFTER_DAYS days (one query, whatever the team), and on
the patient's discussion page the barrier log, pending first, with a form per pending barrier that
records whether the plan worked through the plan's versioned edit (a review made meanwhile is never
undone)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careplans.agenda import BARRIER_REVIEW_AFTER_DAYS, barriers_to_review
from careplans.models import Barrier, CarePlan
from careplans.services import part_create, part_update
from conferences import services
from conferences.agenda import agenda_entries
from conferences.models import CaseConference
from teams.models import AuditEvent, Patient

from ..careplans.factories import make_plan
from ..factories import PatientFactory

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
STARTS = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # Thursday 26 November, the conference day
DAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _active_plan(patient, user):
    plan = make_plan(patient, user)
    return part_update(
        instance=plan, data={"status": CarePlan.Status.ACTIVE}, expected_version=plan.version, user=user
    )


def _barrier(plan, user, days_ago, **kwargs) -> Barrier:
    fields = {
        "barrier": "Too tired after work",
        "plan_agreed": "Exercises before work",
        "noted_on": DAY - timedelta(days=days_ago),
    }
    return part_create(instance=Barrier(plan=plan, **(fields | kwargs)), user=user)


@pytest.fixture
def plan(patient, clinician):
    return _active_plan(patient, clinician)


# The agenda ------------------------------------------------------------------------------------------


def test_a_barrier_pending_more_than_the_threshold_puts_the_patient_on_the_agenda(
    north, lead, clinician, plan
):
    assert BARRIER_REVIEW_AFTER_DAYS == 14
    _barrier(plan, clinician, days_ago=15, barrier="Rain")
    _barrier(plan, clinician, days_ago=14, barrier="Just on the threshold")  # not more than 14 days
    conference = CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)
    entry = next(entry for entry in agenda_entries(conference) if entry.patient == plan.patient)
    assert [(r["code"], r["label"], r["detail"]) for r in entry.reasons] == [
        ("barrier_review", "Barrier plans to review", "“Rain” noted 11 Nov, 15 days ago")
    ]


def test_reviewed_barriers_and_plans_not_running_are_left_off(north, lead, clinician, plan, patient):
    _barrier(
        plan, clinician, days_ago=30, outcome=Barrier.Outcome.WORKED, reviewed_on=DAY - timedelta(days=2)
    )
    _barrier(
        plan, clinician, days_ago=30, outcome=Barrier.Outcome.DID_NOT, reviewed_on=DAY - timedelta(days=2)
    )
    draft = make_plan(PatientFactory(team=north, primary_clinician=clinician), clinician)
    _barrier(draft, clinician, days_ago=30)
    patients = Patient.objects.filter(team=north)
    assert barriers_to_review(patients, day=DAY) == []
    # Completed: the plan is over, nothing to review at the team's conference.
    pending = _barrier(plan, clinician, days_ago=30)
    assert [patient_id for patient_id, _detail in barriers_to_review(patients, day=DAY)] == [patient.pk]
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.COMPLETED)
    assert barriers_to_review(patients, day=DAY) == []
    assert pending.outcome == Barrier.Outcome.PENDING


def test_another_teams_barriers_are_not_on_this_agenda(north, lead, south_patient, outsider):
    _barrier(_active_plan(south_patient, outsider), outsider, days_ago=40)
    assert barriers_to_review(Patient.objects.filter(team=north), day=DAY) == []
    conference = CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)
    assert all(entry.patient != south_patient for entry in agenda_entries(conference))


@pytest.mark.parametrize("size", [2, 40])
def test_the_finder_runs_one_query_whatever_the_team(north, clinician, size, django_assert_num_queries):
    for number in range(size):
        plan = _active_plan(PatientFactory(team=north, primary_clinician=clinician), clinician)
        _barrier(plan, clinician, days_ago=20 + number % 5)
        _barrier(plan, clinician, days_ago=30, barrier="Second")
    with django_assert_num_queries(1):
        found = barriers_to_review(Patient.objects.filter(team=north), day=DAY)
    assert len(found) == 2 * size
    assert found[0][1].startswith("“Second” noted 27 Oct, 30 days ago")


def test_several_pending_barriers_are_one_line_counted(north, lead, clinician, plan):
    _barrier(plan, clinician, days_ago=20)
    _barrier(plan, clinician, days_ago=30, barrier="Rain")
    conference = CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)
    entry = next(entry for entry in agenda_entries(conference) if entry.patient == plan.patient)
    assert [group.label for group in entry.reason_groups] == ["2 barrier plans to review"]


# The discussion page -------------------------------------------------------------------------------


@pytest.fixture
def conference(north, lead, clinician, colleague):
    conference = services.conference_plan(
        team=north, starts_at=STARTS, chair=lead, attendees=[clinician, colleague], user=lead
    )
    return services.conference_start(conference=conference, user=lead)


@pytest.fixture
def item(conference, patient, lead):
    return services.agenda_item_add(conference=conference, patient=patient, user=lead)


def _item_url(item) -> str:
    return reverse("agenda_item", kwargs={"conference_id": item.conference_id, "item_id": item.pk})


def _review_url(item) -> str:
    return reverse("barrier_review", kwargs={"conference_id": item.conference_id, "item_id": item.pk})


def _review(barrier, **data) -> dict:
    return {
        "barrier": barrier.pk,
        f"barrier-{barrier.pk}-version": barrier.version,
        f"barrier-{barrier.pk}-outcome": "worked",
        f"barrier-{barrier.pk}-review_note": "",
    } | {f"barrier-{barrier.pk}-{name}": value for name, value in data.items()}


def test_the_discussion_page_shows_the_barrier_log_pending_first_with_a_form_each(
    login, clinician, plan, item
):
    reviewed = _barrier(
        plan,
        clinician,
        days_ago=40,
        barrier="No time",
        outcome=Barrier.Outcome.PARTLY,
        reviewed_on=DAY - timedelta(days=20),
        review_note="Some days",
    )
    older = _barrier(plan, clinician, days_ago=20, barrier="Rain")
    newer = _barrier(plan, clinician, days_ago=3, barrier="Pain after")
    page = login(clinician).get(_item_url(item)).text
    assert page.index("Rain") < page.index("Pain after") < page.index("No time")
    assert "Partly worked</span> reviewed 6 Nov 2026: Some days" in page
    for barrier in (older, newer):
        assert f'name="barrier" value="{barrier.pk}"' in page
    assert f'name="barrier" value="{reviewed.pk}"' not in page
    assert page.count("Record review") == 2


def test_recording_that_the_plan_worked_is_a_versioned_plan_edit_on_the_conference_day(
    login, clinician, plan, item
):
    barrier = _barrier(plan, clinician, days_ago=20, barrier="Rain")
    client = login(clinician)
    response = client.post(_review_url(item), _review(barrier, outcome="partly", review_note="Indoors twice"))
    assert response.status_code == 302 and response.url == _item_url(item)
    barrier.refresh_from_db()
    assert (barrier.outcome, barrier.review_note, barrier.reviewed_on, barrier.version) == (
        "partly",
        "Indoors twice",
        DAY,
        2,
    )
    assert barrier.history.latest().history_change_reason == "Reviewed at the case conference of 26 Nov 2026"
    assert barrier.history.latest().history_user == clinician
    event = AuditEvent.objects.filter(object_type="barrier", action="update").get()
    assert event.actor == clinician and event.patient == plan.patient
    page = client.get(_item_url(item)).text
    assert "Barrier “Rain” reviewed: Partly worked." in page
    assert 'name="barrier"' not in page  # nothing left to review
    timeline = client.get(plan.get_absolute_url()).text
    assert (
        "changed barrier: Rain" in timeline and "Reviewed at the case conference of 26 Nov 2026" in timeline
    )


def test_a_review_without_an_outcome_is_asked_again_next_to_the_field(login, clinician, plan, item):
    barrier = _barrier(plan, clinician, days_ago=20)
    response = login(clinician).post(_review_url(item), _review(barrier, outcome=""))
    assert response.status_code == 200
    assert "Choose whether the plan worked." in response.text
    barrier.refresh_from_db()
    assert barrier.outcome == "pending" and barrier.version == 1


def test_a_review_made_meanwhile_by_someone_else_is_not_undone(
    login, clinician, colleague, plan, item, clock
):
    barrier = _barrier(plan, clinician, days_ago=20)
    shown = _review(barrier, outcome="did_not", review_note="Too dark in the mornings")
    clock.shift(timedelta(minutes=2))
    part_update(
        instance=barrier,
        data={"outcome": "worked", "reviewed_on": DAY, "review_note": "Did it"},
        expected_version=1,
        user=colleague,
    )
    response = login(clinician).post(_review_url(item), shown, follow=True)
    assert f"{colleague} changed this barrier&#x27;s review while you were looking" in response.text
    barrier.refresh_from_db()
    assert (barrier.outcome, barrier.review_note, barrier.version) == ("worked", "Did it", 2)


def test_a_change_to_the_plan_agreed_meanwhile_is_kept_with_the_review(
    login, clinician, colleague, plan, item
):
    barrier = _barrier(plan, clinician, days_ago=20)
    shown = _review(barrier, outcome="worked")
    part_update(
        instance=barrier, data={"plan_agreed": "Exercises at lunch"}, expected_version=1, user=colleague
    )
    assert login(clinician).post(_review_url(item), shown).status_code == 302
    barrier.refresh_from_db()
    assert (barrier.plan_agreed, barrier.outcome, barrier.version) == ("Exercises at lunch", "worked", 3)


def test_another_patients_barrier_cannot_be_reviewed_through_this_item(
    login, clinician, north, plan, item, south_patient, outsider
):
    other = PatientFactory(team=north, primary_clinician=clinician)
    theirs = _barrier(_active_plan(other, clinician), clinician, days_ago=20)
    south = _barrier(_active_plan(south_patient, outsider), outsider, days_ago=20)
    client = login(clinician)
    for barrier in (theirs, south):
        assert client.post(_review_url(item), _review(barrier)).status_code == 404
        barrier.refresh_from_db()
        assert barrier.outcome == "pending"
    assert client.post(_review_url(item), {"barrier": "not-a-number"}).status_code == 404


def test_an_outsider_gets_404_and_changes_nothing(login, outsider, clinician, plan, item):
    barrier = _barrier(plan, clinician, days_ago=20)
    assert login(outsider).post(_review_url(item), _review(barrier)).status_code == 404
    barrier.refresh_from_db()
    assert barrier.outcome == "pending"


def test_a_closed_conference_records_no_review(login, lead, clinician, plan, item, conference):
    barrier = _barrier(plan, clinician, days_ago=20)
    services.conference_close(conference=conference, user=lead, leave_undiscussed=1)
    client = login(clinician)
    assert 'name="barrier"' not in client.get(_item_url(item)).text
    response = client.post(_review_url(item), _review(barrier), follow=True)
    assert "The conference is closed" in response.text
    barrier.refresh_from_db()
    assert barrier.outcome == "pending"


def test_the_discussion_page_runs_the_same_queries_for_1_or_20_barriers(
    login, clinician, north, lead, conference, plan, item
):
    _barrier(plan, clinician, days_ago=20)
    other = _active_plan(PatientFactory(team=north, primary_clinician=clinician), clinician)
    for number in range(20):
        _barrier(other, clinician, days_ago=number, barrier=f"Barrier {number}")
    other_item = services.agenda_item_add(conference=conference, patient=other.patient, user=lead)
    client = login(clinician)
    counts = []
    for shown in (item, other_item):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_item_url(shown)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
