"""Calendar arithmetic in the clinic's time zone."""

from datetime import datetime, time, timedelta

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
