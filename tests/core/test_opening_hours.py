"""Time counted in the clinic's opening hours (core.calendar): the deadline of an urgent alert."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import DAY_NAMES as DAYS
from core.calendar import OpeningHours, opening_hours_parse, opening_minutes_after

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = opening_hours_parse("Mon-Fri 08:00-18:00")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def after(start: datetime, minutes: int, hours: OpeningHours = WEEKDAYS) -> datetime:
    return opening_minutes_after(start, minutes, hours=hours, tz=LONDON)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (local(2026, 11, 24, 10, 0), 60, local(2026, 11, 24, 11, 0)),  # a Tuesday, open all along
        (local(2026, 11, 24, 6, 0), 60, local(2026, 11, 24, 9, 0)),  # before opening: from 08:00
        (local(2026, 11, 24, 17, 0), 60, local(2026, 11, 24, 18, 0)),  # the last hour of the day
        (local(2026, 11, 24, 17, 30), 60, local(2026, 11, 25, 8, 30)),  # across the night
        (local(2026, 11, 27, 17, 30), 60, local(2026, 11, 30, 8, 30)),  # Friday 17:30: Monday 08:30
        (local(2026, 11, 28, 12, 0), 60, local(2026, 11, 30, 9, 0)),  # raised on Saturday
        (local(2026, 11, 27, 8, 0), 600 + 60, local(2026, 11, 30, 9, 0)),  # a whole Friday and an hour
    ],
)
def test_only_minutes_within_opening_hours_count(start, minutes, due):
    assert after(start, minutes) == due


def test_a_friday_evening_before_the_clocks_go_forward_is_due_monday_0830_local():
    # The clocks go forward on Sunday 29 March 2026: Monday 08:30 is 07:30 UTC.
    due = after(local(2026, 3, 27, 17, 30), 60)
    assert due == local(2026, 3, 30, 8, 30)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)


def test_a_friday_evening_before_the_clocks_go_back_is_due_monday_0830_local():
    # The clocks go back on Sunday 25 October 2026: Friday is BST, Monday GMT.
    due = after(local(2026, 10, 23, 17, 30), 60)
    assert due == local(2026, 10, 26, 8, 30)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)


def test_across_a_daylight_saving_night_the_minutes_are_the_ones_that_really_pass():
    always = opening_hours_parse("Mon-Sun 00:00-24:00")
    # 00:30 GMT + one real hour, with the clocks jumping from 01:00 to 02:00: 02:30 BST.
    assert after(local(2026, 3, 29, 0, 30), 60, always) == local(2026, 3, 29, 2, 30)
    # 00:30 BST + two real hours, with 01:00-02:00 lived twice: 01:30 GMT.
    due = after(local(2026, 10, 25, 0, 30), 120, always)
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_a_lunch_break_and_shorter_days_are_skipped():
    hours = opening_hours_parse("Mon-Thu 08:00-12:30,13:30-18:00; Fri 08:00-16:00")
    assert after(local(2026, 11, 24, 12, 0), 60, hours) == local(2026, 11, 24, 14, 0)
    assert after(local(2026, 11, 27, 15, 30), 60, hours) == local(2026, 11, 30, 8, 30)


def test_no_minutes_is_the_start_while_open_else_the_next_opening():
    assert after(local(2026, 11, 24, 10, 0), 0) == local(2026, 11, 24, 10, 0)
    assert after(local(2026, 11, 27, 19, 0), 0) == local(2026, 11, 30, 8, 0)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        after(datetime(2026, 11, 24, 10, 0), 60)  # noqa: DTZ001


def test_opening_hours_read_days_ranges_several_windows_and_midnight():
    hours = opening_hours_parse("Mon-Thu 08:00-12:30,13:30-18:00; fri 08:00-16:00; Sat-Sun 22:00-24:00")
    assert hours.windows[0] == ((480, 750), (810, 1080))
    assert hours.windows[4] == ((480, 960),)
    assert hours.windows[5] == hours.windows[6] == ((1320, 1440),)
    assert opening_hours_parse("Sat-Mon 09:00-10:00").windows[0] == ((540, 600),)  # wraps over Sunday


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "no opening hours"),
        ("08:00-18:00", "days then times"),
        ("Mon-Fry 08:00-18:00", "'Mon-Fry'"),
        ("Mon-Fri 8-18", "'8'"),
        ("Mon-Fri 18:00-08:00", "ends before it starts"),
        ("Mon-Fri 08:00-18:00; Wed 17:00-19:00", "opens twice at once on Wed"),
        ("Mon 24:30-25:00", "'24:30'"),
        ("Mon 08:00", "not a window"),
    ],
)
def test_opening_hours_that_do_not_read_say_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=says):
        opening_hours_parse(text)


# --- Against counting minute by minute -------------------------------------------------------------------


def _open_at(moment: datetime, hours: OpeningHours) -> bool:
    wall = moment.astimezone(LONDON)
    minute = wall.hour * 60 + wall.minute
    return any(start <= minute < end for start, end in hours.windows[wall.weekday()])


def _counted(start: datetime, minutes: int, hours: OpeningHours) -> datetime:
    """The slow, obvious answer: walk a minute at a time, counting the open ones."""
    moment, counted = start.astimezone(UTC), 0
    while counted < minutes:
        counted += _open_at(moment, hours)
        moment += timedelta(minutes=1)
    return moment


@st.composite
def opening_hours(draw) -> OpeningHours:
    # Opening times away from the small hours, where the clocks change: those nights are tested above.
    days = draw(st.lists(st.integers(0, 6), min_size=3, max_size=7, unique=True))
    windows = []
    for day in sorted(days):
        start = draw(st.integers(6 * 4, 20 * 4)) * 15
        end = draw(st.integers(start // 15 + 1, 22 * 4)) * 15
        windows.append(f"{DAYS[day]} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}")
    return opening_hours_parse("; ".join(windows))


# Whole minutes from late 2026 to spring 2027: two clock changes inside.
starts = st.integers(0, 200 * 24 * 60).map(lambda m: datetime(2026, 10, 1, tzinfo=UTC) + timedelta(minutes=m))


@settings(max_examples=60, deadline=None)
@given(start=starts, minutes=st.integers(1, 240), hours=opening_hours())
def test_the_deadline_is_where_counting_open_minutes_one_by_one_ends(start, minutes, hours):
    assert after(start, minutes, hours) == _counted(start, minutes, hours)


@settings(max_examples=60, deadline=None)
@given(start=starts, first=st.integers(1, 600), second=st.integers(1, 600))
def test_two_periods_one_after_the_other_are_one_period_of_both(start, first, second):
    # The admins' step is a period after the lead's: the same as two periods from the alert.
    assert after(after(start, first), second) == after(start, first + second)
    assert after(start, first) < after(start, first + second)
