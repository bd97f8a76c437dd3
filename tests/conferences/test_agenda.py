"""The agenda builds itself: each reason on data made to trigger it, and on data just on the other side
of its threshold; manual additions; open actions carried over; a fixed query count whatever the team."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from adherence.models import ExerciseWeekLog, Session
from careplans.models import CarePlan
from careplans.services import part_update
from checkins.models import CheckIn
from conferences import services
from conferences.agenda import agenda_entries, agenda_order, with_patients
from conferences.models import CaseConference, ConferenceSeries
from conferences.views import AGENDA_PER_PAGE
from screening.models import Alert
from screening.services import alert_close
from teams.models import AuditEvent

from ..careplans.factories import make_exercise, make_goal, make_milestone, make_plan
from ..checkins.factories import make_schedule
from ..factories import PatientFactory
from ..screening.factories import phq9, record

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # the conference day; adherence is measured to today
STARTS = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # a Thursday; the agenda looks back to 12 Nov 13:00
SINCE = STARTS - timedelta(days=14)


def _no_routing():
    """These results are about the distress reasons alone: no routing rule opens a review from them (a
    review left past its due day is an agenda reason of its own, tests/conferences/test_agenda_routing.py)."""
    from routing.models import RoutingRule

    RoutingRule.objects.update(is_active=False)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def conference(north, lead):
    return CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)


def reasons_by_patient(conference):
    return {entry.patient.pk: [r["code"] for r in entry.reasons] for entry in agenda_entries(conference)}


def details(conference, patient):
    entry = next(e for e in agenda_entries(conference) if e.patient.pk == patient.pk)
    return [r["detail"] for r in entry.reasons]


def active_plan(patient, user, **kwargs):
    plan = make_plan(patient, user, **kwargs)
    return part_update(
        instance=plan, data={"status": CarePlan.Status.ACTIVE}, expected_version=plan.version, user=user
    )


def test_a_team_with_nothing_to_discuss_has_an_empty_agenda(conference, patient):
    assert agenda_entries(conference) == []


# Urgent alerts ---------------------------------------------------------------------------------------


def test_open_urgent_alert_lists_the_patient_with_its_reason(conference, patient, clinician):
    record(patient, clinician, answers=phq9(1, 1, item9=1))
    assert reasons_by_patient(conference) == {patient.pk: ["urgent_alert"]}
    assert "self-harm item" in details(conference, patient)[0]


def test_urgent_alert_closed_before_the_last_conference_is_not_listed(conference, patient, clinician, clock):
    clock.move_to(SINCE - timedelta(days=3))
    record(patient, clinician, answers=phq9(1, 1, item9=1))
    alert = Alert.objects.get(patient=patient, kind=Alert.Kind.URGENT)
    alert_close(alert=alert, user=clinician, action_taken="Safety plan agreed with the patient")
    assert reasons_by_patient(conference) == {}


def test_urgent_alert_raised_since_the_last_conference_is_listed_even_when_closed(
    conference, patient, clinician
):
    record(patient, clinician, answers=phq9(1, 1, item9=1))
    alert = Alert.objects.get(patient=patient, kind=Alert.Kind.URGENT)
    alert_close(alert=alert, user=clinician, action_taken="Safety plan agreed with the patient")
    assert reasons_by_patient(conference) == {patient.pk: ["urgent_alert"]}


# Distress rising ------------------------------------------------------------------------------------


def test_reliable_deterioration_since_the_last_conference_is_listed(conference, patient, clinician):
    record(patient, clinician, answers=phq9(1, 1, 1, 1), administered_at=SINCE - timedelta(days=10))  # 4
    record(
        patient, clinician, answers=phq9(2, 2, 2, 2, 1, 1), administered_at=NOW, timepoint="milestone"
    )  # 10
    assert reasons_by_patient(conference) == {patient.pk: ["distress_rising"]}
    assert details(conference, patient) == ["PHQ-9 4 → 10 on 26 Nov: reliable deterioration"]


def test_a_rise_just_under_reliable_change_and_below_the_high_band_is_not_listed(
    conference, patient, clinician
):
    record(patient, clinician, answers=phq9(1, 1, 1, 1), administered_at=SINCE - timedelta(days=10))  # 4
    record(patient, clinician, answers=phq9(2, 2, 2, 2, 1), administered_at=NOW, timepoint="milestone")  # 9
    assert reasons_by_patient(conference) == {}


def test_moving_into_the_high_band_is_listed_without_a_reliable_change(conference, patient, clinician):
    record(patient, clinician, answers=phq9(2, 2, 2, 2), administered_at=SINCE - timedelta(days=10))  # 8
    record(patient, clinician, answers=phq9(2, 2, 2, 2, 2), administered_at=NOW, timepoint="milestone")  # 10
    assert reasons_by_patient(conference) == {patient.pk: ["distress_rising"]}
    assert details(conference, patient) == ["PHQ-9 10 (moderate) on 26 Nov: into the high band"]


def test_a_high_result_from_before_the_last_conference_is_not_listed_again(conference, patient, clinician):
    _no_routing()
    record(patient, clinician, answers=phq9(2, 2, 2, 2, 2), administered_at=SINCE - timedelta(days=1))
    assert reasons_by_patient(conference) == {}


# Exercise completion and attendance -------------------------------------------------------------------


def _weeks_done(patient, user, first: int, second: int):
    plan = active_plan(
        patient,
        user,
    )
    exercise = make_exercise(plan, user, sessions_per_week=5)
    # The window is the two whole weeks before this one: 9-22 Nov, 10 sessions prescribed.
    for monday, done in ((date(2026, 11, 9), first), (date(2026, 11, 16), second)):
        ExerciseWeekLog.objects.create(
            patient=patient, exercise=exercise, week_starting=monday, sessions_done=done, entered_by=user
        )


def test_exercise_completion_under_the_threshold_is_listed(conference, patient, clinician):
    _weeks_done(patient, clinician, 3, 2)
    assert reasons_by_patient(conference) == {patient.pk: ["exercise_low"]}
    assert details(conference, patient) == [
        "50% of prescribed home exercise done 9 Nov–22 Nov (5 of 10 sessions; under 60%)"
    ]


def test_exercise_completion_at_the_threshold_is_not_listed(conference, patient, clinician):
    _weeks_done(patient, clinician, 3, 3)
    assert reasons_by_patient(conference) == {}


def test_a_team_sets_its_own_exercise_threshold(conference, patient, clinician, lead, north):
    _weeks_done(patient, clinician, 3, 2)
    ConferenceSeries.objects.create(team=north, local_time="13:00", chair=lead, exercise_below=50)
    assert reasons_by_patient(conference) == {}


def _sessions(patient, user, attended: int, missed: int):
    for number in range(attended + missed):
        Session.objects.create(
            patient=patient,
            clinician=user,
            discipline=user.discipline,
            starts_at=datetime(2026, 11, 10, 10, 0, tzinfo=UTC) + timedelta(days=number),
            status=Session.Status.ATTENDED if number < attended else Session.Status.MISSED,
        )


def test_attendance_under_the_threshold_is_listed(conference, patient, clinician):
    _sessions(patient, clinician, attended=6, missed=4)
    assert reasons_by_patient(conference) == {patient.pk: ["attendance_low"]}
    assert details(conference, patient) == ["60% of sessions attended 9 Nov–22 Nov (6 of 10; under 70%)"]


def test_attendance_at_the_threshold_is_not_listed(conference, patient, clinician):
    _sessions(patient, clinician, attended=7, missed=3)
    assert reasons_by_patient(conference) == {}


def test_an_agenda_looked_at_ahead_of_the_day_measures_adherence_up_to_today(
    conference, patient, clinician, clock
):
    clock.move_to(NOW - timedelta(days=7))
    for number in range(4):  # 3-6 Nov: in the two weeks before today's week, not before the conference's
        Session.objects.create(
            patient=patient,
            clinician=clinician,
            discipline=clinician.discipline,
            starts_at=datetime(2026, 11, 3 + number, 10, 0, tzinfo=UTC),
            status=Session.Status.MISSED,
        )
    assert reasons_by_patient(conference) == {patient.pk: ["attendance_low"]}


# Milestones, check-ins, discharge review ---------------------------------------------------------------


def test_a_milestone_past_its_due_date_is_listed(conference, patient, clinician):
    goal = make_goal(active_plan(patient, clinician), clinician)
    make_milestone(goal, clinician, description="Walk to the shop", due_date=date(2026, 11, 25))
    assert reasons_by_patient(conference) == {patient.pk: ["milestone_overdue"]}
    assert details(conference, patient) == ["“Walk to the shop” due 25 Nov, 1 days overdue"]


def test_a_milestone_due_on_the_conference_day_or_reached_is_not_listed(conference, patient, clinician):
    goal = make_goal(active_plan(patient, clinician), clinician)
    make_milestone(goal, clinician, due_date=date(2026, 11, 26))
    make_milestone(goal, clinician, due_date=date(2026, 11, 1), achieved_on=date(2026, 11, 2))
    assert reasons_by_patient(conference) == {}


def _checked_in(patient, at, clock):
    clock.move_to(at)
    CheckIn.objects.create(patient=patient, mood=5, pain=5, sleep_quality=5, sleep_hours=Decimal(7))
    clock.move_to(NOW)


def test_no_check_in_for_seven_days_is_listed(conference, patient, clock):
    clock.move_to(datetime(2026, 10, 1, tzinfo=UTC))
    make_schedule(patient)
    _checked_in(patient, NOW - timedelta(days=7, minutes=1), clock)
    assert reasons_by_patient(conference) == {patient.pk: ["no_checkin"]}
    assert details(conference, patient) == ["last check-in 19 Nov, 7 days ago"]


def test_a_check_in_within_seven_days_is_not_listed(conference, patient, clock):
    clock.move_to(datetime(2026, 10, 1, tzinfo=UTC))
    make_schedule(patient)
    _checked_in(patient, NOW - timedelta(days=6, hours=23), clock)
    assert reasons_by_patient(conference) == {}


def test_patients_without_reminders_or_who_opted_out_are_not_chased(
    conference, patient, north, clinician, clock
):
    clock.move_to(datetime(2026, 10, 1, tzinfo=UTC))
    opted_out = PatientFactory(team=north, primary_clinician=clinician)
    make_schedule(opted_out, opted_out_at=datetime(2026, 10, 2, tzinfo=UTC))
    assert reasons_by_patient(conference) == {}


def test_a_plan_whose_review_date_has_come_is_due_for_discharge_review(conference, patient, clinician):
    active_plan(patient, clinician, review_date=date(2026, 11, 26))
    assert reasons_by_patient(conference) == {patient.pk: ["discharge_review"]}


def test_a_plan_reviewed_after_the_conference_day_is_not_listed(conference, patient, clinician):
    active_plan(patient, clinician, review_date=date(2026, 11, 27))
    assert reasons_by_patient(conference) == {}


# Open actions, manual additions ---------------------------------------------------------------------


def _earlier_conference_with_action(north, lead, patient, owner, clock, *, done=False):
    clock.move_to(datetime(2026, 11, 5, 9, 0, tzinfo=UTC))
    earlier = CaseConference.objects.create(
        team=north, starts_at=datetime(2026, 11, 5, 13, 0, tzinfo=UTC), chair=lead
    )
    item = services.agenda_item_add(conference=earlier, patient=patient, user=lead)
    action = services.action_add(
        item=item,
        description="Call the employer about a phased return",
        owner=owner,
        due_on=date(2026, 11, 12),
        user=lead,
    )
    if done:
        services.action_complete(action=action, user=owner)
    clock.move_to(NOW)
    return earlier


def test_an_open_action_from_an_earlier_conference_comes_back_overdue(north, lead, patient, clinician, clock):
    _earlier_conference_with_action(north, lead, patient, clinician, clock)
    conference = CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)
    assert reasons_by_patient(conference) == {patient.pk: ["open_action"]}
    assert details(conference, patient) == [
        "“Call the employer about a phased return” (Priya Shah, overdue since 12 Nov)"
    ]


def test_a_done_action_does_not_come_back(north, lead, patient, clinician, clock):
    _earlier_conference_with_action(north, lead, patient, clinician, clock, done=True)
    conference = CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)
    assert reasons_by_patient(conference) == {}


def test_the_window_starts_at_the_previous_conference(north, lead, patient, clinician, clock):
    earlier = _earlier_conference_with_action(north, lead, patient, clinician, clock, done=True)
    _no_routing()
    record(
        patient,
        clinician,
        answers=phq9(2, 2, 2, 2, 2),
        administered_at=earlier.starts_at + timedelta(hours=1),
    )
    conference = CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)
    assert reasons_by_patient(conference) == {patient.pk: ["distress_rising"]}


def test_a_lead_adds_any_patient_of_the_team_by_hand(conference, patient, lead):
    services.agenda_item_add(conference=conference, patient=patient, user=lead)
    (entry,) = agenda_entries(conference)
    assert entry.patient == patient and entry.added_by_hand
    assert entry.reasons[0]["label"] == "Added by hand"


def test_a_patient_of_another_team_cannot_be_added(conference, south_patient, lead):
    with pytest.raises(ValidationError, match="not a patient of North MSK"):
        services.agenda_item_add(conference=conference, patient=south_patient, user=lead)


def test_starting_keeps_manual_additions_after_the_urgent_patients_and_before_the_rest(
    conference, patient, north, clinician, lead
):
    calm = PatientFactory(team=north, primary_clinician=clinician, family_name="Aaron")
    services.agenda_item_add(conference=conference, patient=calm, user=lead)
    active_plan(patient, clinician, review_date=date(2026, 11, 20))
    urgent = PatientFactory(team=north, primary_clinician=clinician, family_name="Zed")
    record(urgent, clinician, answers=phq9(1, item9=2))
    assert [entry.patient for entry in agenda_entries(conference)] == [urgent, calm, patient]
    services.conference_start(conference=conference, user=lead)
    order = [entry.patient for entry in agenda_entries(conference)]
    assert order == [urgent, calm, patient]
    assert conference.items.get(patient=urgent).reasons[0]["code"] == "urgent_alert"


def test_leads_reorder_the_agenda(conference, patient, north, clinician, lead):
    other = PatientFactory(team=north, primary_clinician=clinician)
    first = services.agenda_item_add(conference=conference, patient=patient, user=lead)
    services.agenda_item_add(conference=conference, patient=other, user=lead)
    services.agenda_item_move(item=first, up=False)
    assert [entry.patient for entry in agenda_entries(conference)] == [other, patient]


# A fixed number of queries --------------------------------------------------------------------------


def _team_needing_attention(north, clinician, size: int, clock):
    """Patients each triggering several reasons, so every finder has rows to return."""
    clock.move_to(datetime(2026, 10, 1, tzinfo=UTC))
    patients = PatientFactory.create_batch(size, team=north, primary_clinician=clinician)
    for patient in patients:
        make_schedule(patient)
    clock.move_to(NOW)
    for patient in patients:
        record(patient, clinician, answers=phq9(1, 1, 1, 1, item9=1), administered_at=NOW)
        plan = active_plan(patient, clinician, review_date=date(2026, 11, 20))
        make_milestone(make_goal(plan, clinician), clinician, due_date=date(2026, 11, 2))
        _sessions(patient, clinician, attended=1, missed=2)
    return patients


@pytest.mark.slow
@pytest.mark.parametrize("size", [10, 200])
def test_the_agenda_runs_a_fixed_number_of_queries(
    north, lead, clinician, clock, size, django_assert_max_num_queries
):
    _team_needing_attention(north, clinician, size, clock)
    conference = CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)
    # The items, the window (2), one per reason and the distress thresholds (13), the names, the patients.
    with django_assert_max_num_queries(18):
        entries = agenda_entries(conference)
    assert len(entries) == size
    assert {r["code"] for r in entries[0].reasons} >= {"urgent_alert", "attendance_low", "milestone_overdue"}
    conference = services.conference_start(conference=conference, user=lead)
    with django_assert_max_num_queries(1):
        assert len(agenda_entries(conference)) == size


@pytest.mark.slow
@pytest.mark.parametrize("size", [10, 200])
def test_the_agenda_page_runs_a_fixed_number_of_queries(
    north, lead, clinician, clock, size, login, django_assert_max_num_queries
):
    _team_needing_attention(north, clinician, size, clock)
    conference = CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)
    client = login(lead)
    url = conference.get_absolute_url()
    with django_assert_max_num_queries(25):  # 18 for the agenda, its page's patients read alone
        response = client.get(url)
    shown = min(size, AGENDA_PER_PAGE)
    assert response.context["page"].paginator.count == size
    assert len(response.context["entries"]) == shown
    assert response.content.decode().count("badge reason-urgent_alert") == shown
    # Only the patients shown are recorded as viewed; the last page shows the rest.
    assert AuditEvent.objects.filter(action="view", object_type="caseconference").count() == shown
    last = client.get(url, {"page": response.context["page"].paginator.num_pages})
    assert len(last.context["entries"]) == size - AGENDA_PER_PAGE * (last.context["page"].number - 1)


def test_an_agenda_line_read_before_its_patient_is_loaded_says_so(north, lead, clinician, clock):
    _team_needing_attention(north, clinician, 2, clock)
    conference = CaseConference.objects.create(team=north, starts_at=STARTS, chair=lead)
    first, second = agenda_order(conference)
    with_patients([second])
    assert second.patient.pk == second.patient_id
    with pytest.raises(LookupError):
        first.patient  # noqa: B018 - the property is what is tested
