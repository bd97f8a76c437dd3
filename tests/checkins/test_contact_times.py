"""Reminders respect the patient's best contact days and times (their care preferences): a slot outside
them moves to the next allowed moment on the schedule's local clock, across daylight-saving changes, and
the dispatcher creates the reminder at that moment, once."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from careplans.services import preferences_save
from checkins import services
from checkins.models import Reminder
from checkins.slots import ContactTimes, due_slots, slot_on

from .factories import make_schedule
from .test_slots import schedule

LONDON = ZoneInfo("Europe/London")
MORNINGS = ContactTimes(start=time(9, 0), end=time(12, 0))
WEDNESDAYS = ContactTimes(days=(2,))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_a_slot_after_the_window_moves_to_the_next_days_start():
    # Monday 5 January 2026, 18:00 → Tuesday 09:00 (GMT).
    assert slot_on(schedule(), date(2026, 1, 5), MORNINGS) == utc(2026, 1, 6, 9, 0)


def test_a_slot_before_the_window_waits_for_its_start_the_same_day():
    early = schedule(local_time=time(7, 30))
    assert slot_on(early, date(2026, 1, 5), MORNINGS) == utc(2026, 1, 5, 9, 0)
    inside = schedule(local_time=time(10, 15))
    assert slot_on(inside, date(2026, 1, 5), MORNINGS) == utc(2026, 1, 5, 10, 15)


def test_no_reminder_on_a_day_not_allowed_it_moves_to_the_next_allowed_day():
    # Monday's 18:00 waits for Wednesday, at the schedule's usual time when no window is set...
    assert slot_on(schedule(), date(2026, 1, 5), WEDNESDAYS) == utc(2026, 1, 7, 18, 0)
    # ... and at the window's start when there is one; Wednesday's own 18:00 is past it: next week.
    both = ContactTimes(days=(2,), start=time(10, 0), end=time(16, 0))
    assert slot_on(schedule(), date(2026, 1, 5), both) == utc(2026, 1, 7, 10, 0)
    assert slot_on(schedule(), date(2026, 1, 7), both) == utc(2026, 1, 14, 10, 0)


def test_quiet_hours_then_contact_times():
    quiet = schedule(local_time=time(22, 0), quiet_start=time(21, 0), quiet_end=time(8, 0))
    # Quiet hours move 22:00 to 08:00 next morning; the window then moves it to 10:00.
    window = ContactTimes(start=time(10, 0), end=time(16, 0))
    assert slot_on(quiet, date(2026, 1, 5), window) == utc(2026, 1, 6, 10, 0)


def test_the_window_is_kept_in_local_time_across_the_spring_change():
    # Saturday 28 March 2026 18:00 GMT → Sunday 29 March 09:00 BST, the night the clocks go forward.
    moved = slot_on(schedule(), date(2026, 3, 28), MORNINGS)
    assert moved == utc(2026, 3, 29, 8, 0)
    assert moved.astimezone(LONDON).time() == time(9, 0)


def test_the_window_is_kept_in_local_time_across_the_autumn_change():
    # Saturday 24 October 2026 18:00 BST → Sunday 25 October 09:00 GMT, the night the clocks go back.
    moved = slot_on(schedule(), date(2026, 10, 24), MORNINGS)
    assert moved == utc(2026, 10, 25, 9, 0)
    assert moved.astimezone(LONDON).time() == time(9, 0)


def test_a_day_not_allowed_moves_across_the_clock_change_to_the_local_start():
    # Friday 27 March (GMT) → Monday 30 March 10:00 BST.
    mondays = ContactTimes(days=(0,), start=time(10, 0), end=time(12, 0))
    assert slot_on(schedule(), date(2026, 3, 27), mondays) == utc(2026, 3, 30, 9, 0)


def test_the_days_moved_to_one_allowed_moment_are_one_slot():
    daily = schedule(local_time=time(10, 0))
    now = utc(2026, 1, 7, 10, 0, 30)  # Wednesday 10:00:30 GMT
    # Sunday's, Monday's, Tuesday's and Wednesday's own reminders all fall on Wednesday 10:00.
    assert due_slots(daily, now=now, lookback=timedelta(hours=6), contact=WEDNESDAYS) == [
        utc(2026, 1, 7, 10, 0)
    ]
    monday = utc(2026, 1, 5, 10, 0, 30)
    assert due_slots(daily, now=monday, lookback=timedelta(hours=6), contact=WEDNESDAYS) == []


def test_without_contact_times_nothing_moves():
    assert slot_on(schedule(), date(2026, 1, 5), ContactTimes()) == utc(2026, 1, 5, 18, 0)


def test_dispatch_creates_the_reminder_at_the_next_allowed_moment_across_the_spring_change(
    patient, clinician
):
    make_schedule(patient)  # daily at 18:00, London
    preferences_save(
        patient=patient,
        user=clinician,
        data={"contact_days": [6], "contact_from": time(9, 0), "contact_until": time(12, 0)},
        expected_version=0,
    )
    # Saturday 28 March, 18:00 GMT: not a contact day.
    with time_machine.travel(utc(2026, 3, 28, 18, 0, 30), tick=False):
        assert services.reminders_dispatch() == []
    # Sunday 29 March, 08:59 BST: not yet.
    with time_machine.travel(utc(2026, 3, 29, 7, 59), tick=False):
        assert services.reminders_dispatch() == []
    # 09:00 BST, the first morning of summer time: one reminder, for 08:00 UTC.
    with time_machine.travel(utc(2026, 3, 29, 8, 0, 5), tick=False):
        assert len(services.reminders_dispatch()) == 1
    # Sunday 18:00 is outside the window: nothing more that day.
    with time_machine.travel(utc(2026, 3, 29, 17, 0, 5), tick=False):
        assert services.reminders_dispatch() == []
    assert list(Reminder.objects.values_list("due_at", flat=True)) == [utc(2026, 3, 29, 8, 0)]


def test_dispatch_keeps_the_local_window_across_the_autumn_change(patient, clinician):
    make_schedule(patient, local_time=time(8, 0))
    preferences_save(
        patient=patient,
        user=clinician,
        data={"contact_from": time(9, 30), "contact_until": time(11, 0)},
        expected_version=0,
    )
    with time_machine.travel(utc(2026, 10, 24, 8, 30, 5), tick=False):  # Saturday 09:30 BST
        assert len(services.reminders_dispatch()) == 1
    with time_machine.travel(utc(2026, 10, 25, 8, 30, 5), tick=False):  # Sunday 08:30 GMT: not yet
        assert services.reminders_dispatch() == []
    with time_machine.travel(utc(2026, 10, 25, 9, 30, 5), tick=False):  # Sunday 09:30 GMT
        assert len(services.reminders_dispatch()) == 1
    assert sorted(Reminder.objects.values_list("due_at", flat=True)) == [
        utc(2026, 10, 24, 8, 30),
        utc(2026, 10, 25, 9, 30),
    ]


def test_the_schedule_editor_shows_the_contact_times_with_a_link_to_change_them(login, clinician, patient):
    url = reverse("checkin_schedule", kwargs={"patient_id": patient.pk})
    preferences_url = reverse("care_preferences", kwargs={"patient_id": patient.pk})
    page = login(clinician).get(url).text
    assert "Best times to contact Amelia: not recorded." in page
    assert f'href="{preferences_url}">Record contact preferences' in page
    preferences_save(
        patient=patient,
        user=clinician,
        data={"contact_days": [2, 0], "contact_from": time(10, 0), "contact_until": time(16, 0)},
        expected_version=0,
    )
    page = login(clinician).get(url).text
    assert "<strong>Monday, Wednesday, 10:00–16:00</strong>" in page
    assert f'href="{preferences_url}">Change contact preferences' in page
