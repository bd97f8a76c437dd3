"""Behavioural activation in the check-in: the plan's active activities planned for the day are asked
like the exercises (done / partly / not done) and stored with the check-in, in its transaction; an
activity of another plan or patient is refused; the same link sent twice stores nothing more."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from careplans.models import Activity
from careplans.services import part_create, part_update
from checkins import services
from checkins.models import ActivityLog, CheckIn, ExerciseLog, Reminder

from ..careplans.factories import make_exercise, make_plan
from .factories import make_schedule

# Monday 30 November 2026, 18:00 in London (winter time, UTC+0): a Monday's check-in.
SENT_AT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
ANSWERED_AT = SENT_AT + timedelta(hours=1)
TOKEN = "an-activity-link-for-tests"
ANSWERS = {"mood": 6, "pain": 3, "sleep_quality": 7, "sleep_hours": "7"}
MONDAY, WEDNESDAY = 0, 2


@pytest.fixture
def visitor():
    """The patient's phone, at an address of its own (the link rate limit counts per address)."""
    return Client(REMOTE_ADDR=f"203.0.113.{uuid.uuid4().int % 250 + 1}")


def _link(patient, token=TOKEN) -> Reminder:
    return Reminder.objects.create(
        schedule=make_schedule(patient),
        patient=patient,
        due_at=SENT_AT,
        status=Reminder.Status.SENT,
        channel="email",
        token_hash=services.token_hash(token),
        sent_at=SENT_AT,
        expires_at=SENT_AT + timedelta(hours=48),
    )


def _activity(plan, user, name, **kwargs) -> Activity:
    return part_create(instance=Activity(plan=plan, name=name, **kwargs), user=user)


def _active_plan(patient, user):
    plan = make_plan(patient, user)
    return part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=user)


@pytest.fixture
def plan(patient, clinician):
    return _active_plan(patient, clinician)


def _url(token=TOKEN) -> str:
    return reverse("checkin_form", args=[token])


def test_the_days_activities_are_asked_and_ticks_are_stored_with_the_checkin(
    visitor, patient, clinician, plan
):
    walk = _activity(plan, clinician, "Walk to the allotment", days=[MONDAY], why="Sees friends there")
    choir = _activity(plan, clinician, "Choir", days=[WEDNESDAY])
    coffee = _activity(plan, clinician, "Coffee with my sister")  # no days: every day
    stopped = _activity(plan, clinician, "Swimming", active=False)
    squat = make_exercise(plan, clinician)
    _link(patient)
    with time_machine.travel(ANSWERED_AT, tick=False):
        page = visitor.get(_url())
        assert "Things you planned for today" in page.text
        assert "Walk to the allotment" in page.text and "Sees friends there" in page.text
        assert "Coffee with my sister" in page.text
        # Wednesday's activity and the stopped one are not asked on a Monday.
        assert "Choir" not in page.text and "Swimming" not in page.text
        response = visitor.post(
            _url(),
            ANSWERS
            | {
                f"exercise_{squat.pk}": "done",
                f"activity_{walk.pk}": "done",
                f"activity_{coffee.pk}": "partly",
                # Not on the form today: not stored.
                f"activity_{choir.pk}": "done",
                f"activity_{stopped.pk}": "done",
            },
        )
    assert "Thank you" in response.text
    checkin = CheckIn.objects.get()
    logs = {(log.activity.name, log.done, log.logged_for.isoformat()) for log in checkin.activity_logs.all()}
    assert logs == {
        ("Walk to the allotment", "done", "2026-11-30"),
        ("Coffee with my sister", "partly", "2026-11-30"),
    }
    assert ActivityLog.objects.filter(patient=patient).count() == 2
    assert ExerciseLog.objects.get().done == "done"


def test_an_activity_left_unanswered_is_not_logged(visitor, patient, clinician, plan):
    walk = _activity(plan, clinician, "Walk")
    _activity(plan, clinician, "Garden")
    _link(patient)
    with time_machine.travel(ANSWERED_AT, tick=False):
        visitor.post(_url(), ANSWERS | {f"activity_{walk.pk}": "not_done"})
    assert [(log.activity_id, log.done) for log in ActivityLog.objects.all()] == [(walk.pk, "not_done")]


def test_a_made_up_answer_for_an_activity_is_asked_again_and_nothing_is_stored(
    visitor, patient, clinician, plan
):
    walk = _activity(plan, clinician, "Walk")
    _link(patient)
    with time_machine.travel(ANSWERED_AT, tick=False):
        response = visitor.post(_url(), ANSWERS | {f"activity_{walk.pk}": "maybe"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {f"activity_{walk.pk}"}
    assert not CheckIn.objects.exists() and not ActivityLog.objects.exists()
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_an_activity_of_another_patients_plan_is_refused(patient, clinician, plan, south_patient, outsider):
    theirs = _activity(_active_plan(south_patient, outsider), outsider, "Their bowls club")
    mine = _activity(plan, clinician, "Walk")
    reminder = _link(patient)
    with time_machine.travel(ANSWERED_AT, tick=False), pytest.raises(ValidationError) as refused:
        services.checkin_submit(
            reminder=reminder, answers=ANSWERS, exercises={}, activities={mine.pk: "done", theirs.pk: "done"}
        )
    assert "not one of this patient's" in str(refused.value)
    # Refused whole, in one transaction: no check-in, no log, the link still usable.
    assert not CheckIn.objects.exists() and not ActivityLog.objects.exists()
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_an_activity_of_the_patients_own_draft_plan_is_left_out_not_refused(patient, clinician, plan):
    old = make_plan(patient, clinician, start_date=plan.start_date)
    old_activity = _activity(old, clinician, "From the draft")
    reminder = _link(patient)
    with time_machine.travel(ANSWERED_AT, tick=False):
        checkin = services.checkin_submit(
            reminder=reminder, answers=ANSWERS, exercises={}, activities={old_activity.pk: "done"}
        )
    # Their own, but not on the active plan: left out, as an exercise taken off the plan is.
    assert checkin.pk and not ActivityLog.objects.exists()


def test_an_activity_posted_for_another_patient_through_the_page_is_ignored(
    visitor, patient, clinician, plan, south_patient, outsider
):
    theirs = _activity(_active_plan(south_patient, outsider), outsider, "Their bowls club")
    _link(patient)
    with time_machine.travel(ANSWERED_AT, tick=False):
        response = visitor.post(_url(), ANSWERS | {f"activity_{theirs.pk}": "done"})
    assert "Thank you" in response.text
    assert CheckIn.objects.filter(patient=patient).count() == 1
    assert not ActivityLog.objects.exists()


def test_sending_the_same_link_again_stores_nothing_more(visitor, patient, clinician, plan):
    walk = _activity(plan, clinician, "Walk")
    squat = make_exercise(plan, clinician)
    reminder = _link(patient)
    ticks = ANSWERS | {f"activity_{walk.pk}": "done", f"exercise_{squat.pk}": "done"}
    with time_machine.travel(ANSWERED_AT, tick=False):
        visitor.post(_url(), ticks)
        again = visitor.post(_url(), ticks | {f"activity_{walk.pk}": "partly"}, follow=True)
        # Two submissions racing: the second finds the link used, as for the exercises.
        with pytest.raises(ValidationError):
            services.checkin_submit(
                reminder=reminder, answers=ANSWERS, exercises={squat.pk: "done"}, activities={walk.pk: "done"}
            )
    assert again.status_code == 404 and "This link is not available" in again.text
    assert CheckIn.objects.count() == 1
    assert [(log.activity_id, log.done) for log in ActivityLog.objects.all()] == [(walk.pk, "done")]
    assert ExerciseLog.objects.count() == 1


def test_the_time_promised_counts_the_activities_asked(visitor, patient, clinician, plan):
    _link(patient)
    with time_machine.travel(ANSWERED_AT, tick=False):
        before = visitor.get(_url()).context["minutes"]
        for n in range(6):
            _activity(plan, clinician, f"Activity {n}")
        after = visitor.get(_url()).context["minutes"]
    assert after > before


def test_the_reminder_promises_time_for_the_days_activities_too(patient, clinician, plan):
    reminder = _link(patient)  # due on a Monday
    before = services.reminder_minutes(reminder=reminder)
    for n in range(7):
        _activity(plan, clinician, f"Monday activity {n}", days=[MONDAY])
    # 5 + 7 questions are 120 seconds; Wednesday's, were it counted, would make them 130 (3 minutes).
    _activity(plan, clinician, "Wednesdays only", days=[WEDNESDAY])
    assert (before, services.reminder_minutes(reminder=reminder)) == (1, 2)


def test_the_day_is_the_clinics_local_day_across_the_spring_clock_change(visitor, patient, clinician, plan):
    _activity(plan, clinician, "Sunday roast with family", days=[6])
    _activity(plan, clinician, "Monday swim", days=[MONDAY])
    # 23:30 UTC on Sunday 29 March 2026 is 00:30 on Monday in London, the clocks having gone forward.
    answered = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    Reminder.objects.create(
        schedule=make_schedule(patient),
        patient=patient,
        due_at=answered - timedelta(hours=1),
        status=Reminder.Status.SENT,
        channel="email",
        token_hash=services.token_hash("spring"),
        sent_at=answered - timedelta(hours=1),
        expires_at=answered + timedelta(hours=48),
    )
    with time_machine.travel(answered, tick=False):
        page = visitor.get(_url("spring")).text
        assert "Monday swim" in page and "Sunday roast" not in page
        swim = Activity.objects.get(name="Monday swim")
        visitor.post(_url("spring"), ANSWERS | {f"activity_{swim.pk}": "done"})
    assert ActivityLog.objects.get().logged_for.isoformat() == "2026-03-30"
