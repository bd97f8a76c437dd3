"""When a schedule's reminders fall due: local dates and times, quiet hours, pauses and time zones.

Pure functions on a schedule, so the rules are tested without a clock or a database.
Slots are computed in the patient's own time zone and stored in UTC. Across a
daylight-saving change a local time that does not exist (the spring gap) moves
forward by the gap, and one that happens twice (the autumn overlap) is its first
occurrence, which is how ``zoneinfo`` resolves them (``fold=0``).
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol


class Slotted(Protocol):
    cadence: str
    weekdays: list[int]
    every_n_days: int | None
    anchor_date: date | None
    local_time: time
    quiet_start: time | None
    quiet_end: time | None
    paused_until: date | None

    @property
    def consent_given_on(self) -> date | None: ...

    @property
    def tz(self): ...


def applies_on(schedule: Slotted, day: date) -> bool:
    if schedule.cadence == "weekdays":
        return day.weekday() in schedule.weekdays
    if schedule.cadence == "every_n_days":
        anchor, every = schedule.anchor_date, schedule.every_n_days
        return anchor is not None and every is not None and day >= anchor and (day - anchor).days % every == 0
    return True


def out_of_quiet_hours(schedule: Slotted, local: datetime) -> datetime:
    """Move a local time that falls in the quiet hours to their end."""
    start, end = schedule.quiet_start, schedule.quiet_end
    if start is None or end is None:
        return local
    moment = local.time()
    if start < end:
        if start <= moment < end:
            return datetime.combine(local.date(), end)
        return local
    # The quiet hours span midnight, e.g. 21:00 to 08:00.
    if moment >= start:
        return datetime.combine(local.date() + timedelta(days=1), end)
    if moment < end:
        return datetime.combine(local.date(), end)
    return local


def slot_on(schedule: Slotted, day: date) -> datetime | None:
    """The reminder's moment (UTC) for a local date, or None when there is none that day."""
    if not applies_on(schedule, day):
        return None
    consent = schedule.consent_given_on  # the patient's own record; None while they do not consent
    if consent is None or day < consent:
        return None
    if schedule.paused_until is not None and day <= schedule.paused_until:
        return None
    local = out_of_quiet_hours(schedule, datetime.combine(day, schedule.local_time))
    return local.replace(tzinfo=schedule.tz).astimezone(UTC)


def due_slots(schedule: Slotted, *, now: datetime, lookback: timedelta) -> list[datetime]:
    """Slots that are due (at or before ``now``) and recent enough to still be worth sending."""
    today = now.astimezone(schedule.tz).date()
    slots = []
    for day in (today - timedelta(days=2), today - timedelta(days=1), today):
        slot = slot_on(schedule, day)
        if slot is not None and now - lookback < slot <= now:
            slots.append(slot)
    return slots
