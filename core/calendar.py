"""Calendar arithmetic in the clinic's time zone: weekly meetings, and time counted in opening hours."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone


def weekly_next(after: datetime, *, weekday: int, at: time, every_weeks: int = 1) -> datetime:
    """The first ``weekday`` (Monday 0) at local time ``at`` after ``after``, stepping ``every_weeks``
    from the first such day on or after ``after``; daylight saving included (the wall-clock time holds)."""
    local = timezone.localtime(after)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    while True:
        start = timezone.make_aware(datetime.combine(day, at))
        if start > after:
            return start
        day += timedelta(days=7 * every_weeks)


# --- Opening hours -------------------------------------------------------------------------------------

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MIDNIGHT_END = "24:00"


@dataclass(frozen=True)
class OpeningHours:
    """When the clinic is open, in local wall-clock time: per weekday (Monday 0) its windows, each
    ``(start, end)`` in minutes since midnight (end up to 1440), sorted and apart."""

    windows: tuple[tuple[tuple[int, int], ...], ...]
    text: str = ""

    def __str__(self) -> str:
        return self.text


def _clock(text: str, *, spec: str) -> int:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match:
        raise ValueError(f"{text.strip()!r} in {spec!r} is not a time like 08:00")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"{text.strip()!r} in {spec!r} is not a time of day")
    return hours * 60 + minutes


def _days(text: str, *, spec: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        ends = [end.strip().title()[:3] for end in part.split("-")]
        if len(ends) > 2 or any(end not in DAY_NAMES for end in ends):
            raise ValueError(f"{part.strip()!r} in {spec!r} is not a day or days like Mon-Fri")
        first, last = DAY_NAMES.index(ends[0]), DAY_NAMES.index(ends[-1])
        days += [(first + offset) % 7 for offset in range((last - first) % 7 + 1)]
    return days


def opening_hours_parse(text: str) -> OpeningHours:
    """Read opening hours like ``"Mon-Fri 08:00-18:00"`` or ``"Mon-Thu 08:00-12:30,13:30-18:00; Fri
    08:00-16:00; Sat 09:00-12:00"``: entries apart by ``;``, each days (a day, a range, or several apart
    by commas) then times (``HH:MM-HH:MM``, apart by commas; ``24:00`` ends at midnight). Raises
    ValueError saying what is wrong: an unknown day, a time that is not one, a window that ends before it
    starts, two that overlap, or no opening at all (a deadline would never come)."""
    per_day: list[list[tuple[int, int]]] = [[] for _ in DAY_NAMES]
    entries = [entry.strip() for entry in text.split(";") if entry.strip()]
    if not entries:
        raise ValueError("no opening hours given: write them like 'Mon-Fri 08:00-18:00'")
    for entry in entries:
        match = re.fullmatch(r"([A-Za-z][A-Za-z,\- ]*?)\s+(\d.*)", entry)
        if not match:
            raise ValueError(f"{entry!r} is not days then times, like 'Mon-Fri 08:00-18:00'")
        days = _days(match[1], spec=entry)
        for window in match[2].split(","):
            ends = window.split("-")
            if len(ends) != 2:
                raise ValueError(f"{window.strip()!r} in {entry!r} is not a window like 08:00-18:00")
            start, end = _clock(ends[0], spec=entry), _clock(ends[1], spec=entry)
            if start >= end:
                raise ValueError(f"{window.strip()!r} in {entry!r} ends before it starts")
            for day in days:
                per_day[day].append((start, end))
    for day, windows in enumerate(per_day):
        windows.sort()
        for (_, earlier_end), (later_start, _) in zip(windows, windows[1:], strict=False):
            if later_start < earlier_end:
                raise ValueError(f"{text!r} opens twice at once on {DAY_NAMES[day]}")
    return OpeningHours(windows=tuple(tuple(windows) for windows in per_day), text=text.strip())


def _local_moment(day: date, minutes: int, tz: tzinfo) -> datetime:
    """``minutes`` past midnight of ``day`` on the wall clock, as a moment (24:00 is the next midnight).

    A wall time the clocks skip or repeat is read as zoneinfo reads it (``fold=0``)."""
    moment = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return moment.replace(tzinfo=tz).astimezone(UTC)


def opening_minutes_after(start: datetime, minutes: int, *, hours: OpeningHours, tz: tzinfo) -> datetime:
    """The moment ``minutes`` of opening time have passed since ``start``: only time while the clinic is
    open counts (an alert raised Friday 17:30 with 60 minutes, Mon-Fri 08:00-18:00, is due Monday 08:30).

    Each day's windows are placed on the wall clock of ``tz`` and the time inside them is real elapsed
    time, so a window a daylight-saving change falls in counts the hour the clocks skip or repeat as it
    really passed. With 0 minutes: ``start`` if the clinic is open then, else its next opening.
    """
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if not any(hours.windows):
        raise ValueError("the clinic never opens")
    start = start.astimezone(UTC)
    remaining = timedelta(minutes=minutes)
    # The day before too: a window ending at 24:00 with its day's clocks changed may still be running.
    day = start.astimezone(tz).date() - timedelta(days=1)
    while True:
        for open_at, close_at in hours.windows[day.weekday()]:
            window_end = _local_moment(day, close_at, tz)
            begin = max(_local_moment(day, open_at, tz), start)
            if window_end <= begin:  # over already, or a window the clocks skip altogether
                continue
            if remaining <= window_end - begin:
                return (begin + remaining).astimezone(tz)
            remaining -= window_end - begin
        day += timedelta(days=1)
