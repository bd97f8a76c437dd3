"""When reminders fall due: cadence, quiet hours, pauses, consent and daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from checkins.slots import due_slots, slot_on


def schedule(**kwargs):
    fields = {
        "cadence": "daily",
        "weekdays": [],
        "every_n_days": 2,
        "anchor_date": date(2026, 1, 1),
        "local_time": time(18, 0),
        "quiet_start": None,
        "quiet_end": None,
        "paused_until": None,
        "consent_given_on": date(2026, 1, 1),
        "tz": ZoneInfo("Europe/London"),
    }
    return SimpleNamespace(**(fields | kwargs))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_local_time_follows_british_summer_time():
    winter = slot_on(schedule(), date(2026, 3, 28))
    summer = slot_on(schedule(), date(2026, 3, 29))  # clocks go forward at 01:00 UTC
    assert winter == utc(2026, 3, 28, 18, 0)
    assert summer == utc(2026, 3, 29, 17, 0)
    back = slot_on(schedule(), date(2026, 10, 25))  # clocks go back
    assert back == utc(2026, 10, 25, 18, 0)


def test_a_local_time_in_the_spring_gap_moves_forward_by_the_gap():
    slot = slot_on(schedule(local_time=time(1, 30)), date(2026, 3, 29))
    assert slot == utc(2026, 3, 29, 1, 30)  # 02:30 BST: 01:30 local does not exist that night
    assert slot.astimezone(ZoneInfo("Europe/London")).hour == 2


def test_a_local_time_in_the_autumn_overlap_is_its_first_occurrence():
    slot = slot_on(schedule(local_time=time(1, 30)), date(2026, 10, 25))
    assert slot == utc(2026, 10, 25, 0, 30)  # 01:30 BST, before the clocks go back


def test_quiet_hours_move_the_reminder_to_their_end():
    quiet = schedule(local_time=time(22, 0), quiet_start=time(21, 0), quiet_end=time(8, 0))
    assert slot_on(quiet, date(2026, 6, 1)) == utc(2026, 6, 2, 7, 0)  # 08:00 BST next morning
    early = schedule(local_time=time(6, 30), quiet_start=time(21, 0), quiet_end=time(8, 0))
    assert slot_on(early, date(2026, 6, 1)) == utc(2026, 6, 1, 7, 0)
    lunch = schedule(local_time=time(12, 15), quiet_start=time(12, 0), quiet_end=time(13, 0))
    assert slot_on(lunch, date(2026, 1, 5)) == utc(2026, 1, 5, 13, 0)
    outside = schedule(local_time=time(18, 0), quiet_start=time(21, 0), quiet_end=time(8, 0))
    assert slot_on(outside, date(2026, 1, 5)) == utc(2026, 1, 5, 18, 0)


def test_quiet_hours_ending_on_the_morning_clocks_change():
    quiet = schedule(local_time=time(23, 0), quiet_start=time(22, 0), quiet_end=time(7, 0))
    # Evening of 28 March (GMT) → 07:00 on the 29th, which is BST.
    assert slot_on(quiet, date(2026, 3, 28)) == utc(2026, 3, 29, 6, 0)


def test_other_time_zones():
    sydney = schedule(tz=ZoneInfo("Australia/Sydney"), local_time=time(9, 0))
    assert slot_on(sydney, date(2026, 1, 10)) == utc(2026, 1, 9, 22, 0)
    assert slot_on(sydney, date(2026, 7, 10)) == utc(2026, 7, 9, 23, 0)


@pytest.mark.parametrize(
    ("cadence", "extra", "days"),
    [
        ("daily", {}, [5, 6, 7, 8, 9, 10, 11]),
        ("weekdays", {"weekdays": [0, 3]}, [5, 8]),  # 5 Jan 2026 is a Monday
        ("every_n_days", {"every_n_days": 3, "anchor_date": date(2026, 1, 6)}, [6, 9]),
    ],
)
def test_cadences(cadence, extra, days):
    planned = schedule(cadence=cadence, **extra)
    found = [d for d in range(5, 12) if slot_on(planned, date(2026, 1, d)) is not None]
    assert found == days


def test_pause_and_consent_date_hold_reminders_back():
    paused = schedule(paused_until=date(2026, 2, 10))
    assert slot_on(paused, date(2026, 2, 10)) is None
    assert slot_on(paused, date(2026, 2, 11)) is not None
    assert slot_on(schedule(consent_given_on=date(2026, 2, 1)), date(2026, 1, 31)) is None


def test_due_slots_are_recent_and_not_in_the_future():
    daily = schedule()
    now = utc(2026, 1, 5, 18, 0, 30)
    assert due_slots(daily, now=now, lookback=timedelta(hours=6)) == [utc(2026, 1, 5, 18, 0)]
    assert due_slots(daily, now=utc(2026, 1, 5, 17, 59), lookback=timedelta(hours=6)) == []
    assert due_slots(daily, now=utc(2026, 1, 6, 1, 0), lookback=timedelta(hours=6)) == []
    assert due_slots(daily, now=utc(2026, 1, 6, 1, 0), lookback=timedelta(hours=8)) == [
        utc(2026, 1, 5, 18, 0)
    ]
