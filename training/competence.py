"""What a clinician is competent in on a given day, read from their training records and supervision.

Each function reads the database in a fixed number of queries, however many records there are:
``levels_of`` one, ``supervision_minutes`` one, ``expected_minutes`` one, ``competence_gaps`` at most three.

The rules, in one place:

- A record counts from the day it was completed. Among several records of one competency the best
  effective level counts (independent, then trained, then under supervision).
- A record whose renewal date has passed (``renews_on`` before the day asked about) is *lapsed*: it
  counts as ``under_supervision`` whatever level it records. On the renewal day itself it still holds.
- Supervision is *up to date* when the minutes of supervision received in the last full calendar month
  before the day asked about (on the clinic's clock) reach ``expected_minutes``. Someone practising under
  supervision whose supervision is not up to date is still under supervision, but uncovered: see below.
- ``competence_gaps``: "trained" and "independent" are competent; "under_supervision" (recorded, or a
  lapsed renewal) is competent only while supervision is up to date; no record (or only records completed
  later) is a gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Min, Sum

from .models import Level, SupervisionSession, TrainingRecord

# Higher is better; a lapsed record counts as UNDER_SUPERVISION.
RANK = {Level.UNDER_SUPERVISION: 0, Level.TRAINED: 1, Level.INDEPENDENT: 2}
COMPETENT_WITHOUT_SUPERVISION = {Level.TRAINED, Level.INDEPENDENT}


def effective_level(level: str, renews_on: date | None, *, on: date) -> Level:
    """A record's level on ``on``: lapsed (renewal date passed) means under supervision."""
    if renews_on is not None and renews_on < on:
        return Level.UNDER_SUPERVISION
    return Level(level)


def levels_for(user_ids: Iterable[int], *, on: date) -> dict[int, dict[str, Level]]:
    """{user id: {competency code: effective level}} for several clinicians, in one query. Competencies
    a clinic retired (not active) still count: the training happened."""
    found: dict[int, dict[str, Level]] = {}
    rows = TrainingRecord.objects.filter(user_id__in=list(user_ids), completed_on__lte=on).values_list(
        "user_id", "competency__code", "level", "renews_on"
    )
    for user_id, code, level, renews_on in rows:
        current = effective_level(level, renews_on, on=on)
        held = found.setdefault(user_id, {})
        if code not in held or RANK[current] > RANK[held[code]]:
            held[code] = current
    return found


def levels_of(user: Any, *, on: date) -> dict[str, Level]:
    """{competency code: effective level} of one clinician on ``on`` (see the module's rules): a lapsed
    renewal counts as under supervision. Whether their supervision covers practice under supervision is
    ``supervision_up_to_date``; ``competence_gaps`` combines the two. One query."""
    return levels_for([user.pk], on=on).get(user.pk, {})


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of ``month``'s calendar month on the clinic's clock, and of the next one."""
    zone = ZoneInfo(settings.TIME_ZONE)
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(), tzinfo=zone), datetime.combine(following, time(), tzinfo=zone)


def last_full_month(on: date) -> date:
    """The first day of the calendar month before ``on``'s."""
    return (on.replace(day=1) - timedelta(days=1)).replace(day=1)


def supervision_minutes(user: Any, *, month: date) -> int:
    """Minutes of supervision ``user`` received (as a supervisee) in ``month``'s calendar month, summed in
    the database. A session counts in the month its start falls in on the clinic's clock (TIME_ZONE), so
    23:30 on 31 January in London is January's, and the month's bounds follow daylight saving. One query."""
    start, end = month_bounds(month)
    total = SupervisionSession.objects.filter(
        supervisees=user, held_at__gte=start, held_at__lt=end
    ).aggregate(total=Sum("minutes"))["total"]
    return int(total or 0)


def expected_minutes(user: Any) -> int:
    """Supervision a month expected of ``user`` when practising under supervision: the lowest minutes any
    of their teams sets for itself (a clinician in several teams is held to the least demanding of the
    explicit expectations, not to the sum), else the clinic's SUPERVISION_MINUTES_PER_MONTH. One query."""
    from teams.models import Team

    lowest = Team.objects.filter(
        memberships__user_id=user.pk, supervision_minutes_per_month__isnull=False
    ).aggregate(lowest=Min("supervision_minutes_per_month"))["lowest"]
    return int(lowest) if lowest is not None else int(settings.SUPERVISION_MINUTES_PER_MONTH)


def supervision_up_to_date(user: Any, *, on: date) -> bool:
    """Whether the last full calendar month before ``on`` had the expected supervision. Two queries."""
    return supervision_minutes(user, month=last_full_month(on)) >= expected_minutes(user)


def competence_gaps(user: Any, needs: Iterable[str], *, on: date) -> list[str]:
    """The competency codes of ``needs`` that ``user`` lacks on ``on``, in the order given: no record, or
    under supervision (recorded or lapsed) without supervision up to date. One query, three when someone
    practises a needed competency under supervision."""
    needs = list(dict.fromkeys(needs))
    if not needs:
        return []
    levels = levels_of(user, on=on)
    supervised = [code for code in needs if levels.get(code) == Level.UNDER_SUPERVISION]
    covered = bool(supervised) and supervision_up_to_date(user, on=on)
    return [
        code
        for code in needs
        if code not in levels or (levels[code] not in COMPETENT_WITHOUT_SUPERVISION and not covered)
    ]
