"""When a schedule's reminders fall due: local dates and times, quiet hours, pauses and time zones.

Pure functions on a schedule, so the rules are tested without a clock or a database.
Slots are computed in the patient's own time zone and stored in UTC. Across a
daylight-saving change a local time that does not exist (the spring gap) moves
forward by the gap, and one that happens twice (the autumn overlap) is its first
occurrence, which is how ``zoneinfo`` resolves them (``fold=0``).

The patient's best contact days and times (their care preferences) work like quiet hours: a slot
outside them moves to the next moment they allow, on the schedule's local clock; on a day not allowed,
to the start of the next allowed day's window (or the schedule's usual time when no window is set).
"""

from dataclasses import dataclass
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


@dataclass(frozen=True)
class ContactTimes:
    """When the patient would rather be contacted: weekdays (0 is Monday; empty: any day) and a window
    within one day, ``start`` before ``end`` (None: any time)."""

    days: tuple[int, ...] = ()
    start: time | None = None
    end: time | None = None

    @property
    def limits(self) -> bool:
        return bool(self.days) or (self.start is not None and self.end is not None)


def within_contact_times(contact: ContactTimes, local: datetime, usual: time) -> datetime:
    """Move a local time outside the contact days or window to the next moment within them: later the
    same day when it is early, else the next allowed day at the window's start (``usual`` without one)."""
    window = (contact.start, contact.end) if contact.start is not None and contact.end is not None else None
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if contact.days and day.weekday() not in contact.days:
            continue
        if offset == 0:
            moment = local.time()
        else:
            moment = window[0] if window else usual
        if window:
            if moment >= window[1]:
                continue
            moment = max(moment, window[0])
        return datetime.combine(day, moment)
    return local  # no allowed day (cannot happen: at least the day a week later is one)


def slot_on(schedule: Slotted, day: date, contact: ContactTimes | None = None) -> datetime | None:
    """The reminder's moment (UTC) for a local date, or None when there is none that day."""
    if not applies_on(schedule, day):
        return None
    consent = schedule.consent_given_on  # the patient's own record; None while they do not consent
    if consent is None or day < consent:
        return None
    if schedule.paused_until is not None and day <= schedule.paused_until:
        return None
    local = out_of_quiet_hours(schedule, datetime.combine(day, schedule.local_time))
    if contact is not None and contact.limits:
        local = within_contact_times(contact, local, schedule.local_time)
    return local.replace(tzinfo=schedule.tz).astimezone(UTC)


def due_slots(
    schedule: Slotted, *, now: datetime, lookback: timedelta, contact: ContactTimes | None = None
) -> list[datetime]:
    """Slots that are due (at or before ``now``) and recent enough to still be worth sending. Slots of
    several days moved to the same allowed moment are one slot."""
    today = now.astimezone(schedule.tz).date()
    # A slot moved by contact days may come from up to a week before.
    back = 9 if contact is not None and contact.limits else 2
    slots: list[datetime] = []
    for offset in range(back, -1, -1):
        slot = slot_on(schedule, today - timedelta(days=offset), contact)
        if slot is not None and now - lookback < slot <= now and slot not in slots:
            slots.append(slot)
    return slots
