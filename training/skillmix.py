"""A team's skill mix, and the competence gaps of many clinicians at once (issue 22): the bulk companions
of ``training.competence`` for pages that show many people (the team page, the audits page, the
dashboard). The rules are ``training.competence``'s (``effective_level``, ``RANK``, ``levels_for``,
``month_bounds``, ``last_full_month``); this module only reads them for many users in a fixed number
of queries, summing and grouping in the database:

- ``holdings_for``: one query, every member's best record per competency with its renewal date.
- ``supervision_minutes_for``: one grouped query, minutes per supervisee in a calendar month on the
  clinic's clock (a session counts in the month its start falls in, daylight saving included).
- ``expected_minutes_for``: one grouped query, the lowest explicit team expectation per user, else the
  clinic's SUPERVISION_MINUTES_PER_MONTH.
- ``Competence.of``: levels and supervision for many users in three queries; ``gaps`` then answers as
  ``competence_gaps`` would for each (user, needs) without another query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum, Window

from core import context
from teams.models import AuditEvent, Membership

from .competence import (
    COMPETENT_WITHOUT_SUPERVISION,
    RANK,
    effective_level,
    last_full_month,
    levels_for,
    month_bounds,
)
from .models import Competency, Level, SupervisionSession, TrainingRecord


@dataclass(frozen=True)
class Holding:
    """What a clinician holds in one competency on a day: the best of their records there (the level it
    counts as, then a current record before a lapsed one, then the latest renewal), with its renewal."""

    record_id: int
    level: Level  # as it counts on the day: a lapsed record counts as under supervision
    recorded: Level  # as the record says
    completed_on: date
    renews_on: date | None
    lapsed: bool
    renewal_due_soon: bool
    verified: bool


def _holding_order(holding: Holding) -> tuple[int, bool, date]:
    return (RANK[holding.level], not holding.lapsed, holding.renews_on or date.max)


def holdings_for(user_ids: Iterable[int], *, on: date) -> dict[int, dict[str, Holding]]:
    """{user id: {competency code: Holding}} for several clinicians, in one query. "Renewal due soon":
    the record renews within TRAINING_RENEWAL_WARNING_DAYS of ``on`` (and has not lapsed)."""
    soon = on + timedelta(days=settings.TRAINING_RENEWAL_WARNING_DAYS)
    found: dict[int, dict[str, Holding]] = {}
    rows = TrainingRecord.objects.filter(user_id__in=list(user_ids), completed_on__lte=on).values_list(
        "pk", "user_id", "competency__code", "level", "completed_on", "renews_on", "verified_at"
    )
    for pk, user_id, code, level, completed_on, renews_on, verified_at in rows:
        lapsed = renews_on is not None and renews_on < on
        holding = Holding(
            record_id=pk,
            level=effective_level(level, renews_on, on=on),
            recorded=Level(level),
            completed_on=completed_on,
            renews_on=renews_on,
            lapsed=lapsed,
            renewal_due_soon=renews_on is not None and not lapsed and renews_on <= soon,
            verified=verified_at is not None,
        )
        held = found.setdefault(user_id, {})
        if code not in held or _holding_order(holding) > _holding_order(held[code]):
            held[code] = holding
    return found


def supervision_minutes_for(user_ids: Iterable[int], *, month: date) -> dict[int, int]:
    """{user id: minutes of supervision received in ``month``'s calendar month}, summed and grouped in
    the database (one query); users who received none are left out. The bounds are the clinic's
    (``competence.month_bounds``), so 23:30 on the last day of a month is that month's in summer too."""
    start, end = month_bounds(month)
    through = SupervisionSession.supervisees.through
    rows = (
        through.objects.filter(
            user_id__in=list(user_ids),
            supervisionsession__held_at__gte=start,
            supervisionsession__held_at__lt=end,
        )
        .values("user_id")
        .annotate(total=Sum("supervisionsession__minutes"))
        .values_list("user_id", "total")
    )
    return {user_id: int(total or 0) for user_id, total in rows}


def expected_minutes_for(user_ids: Iterable[int]) -> dict[int, int]:
    """{user id: supervision expected a month} for several clinicians in one query, by
    ``competence.expected_minutes``'s rule: the lowest their teams set, else the clinic's setting."""
    ids = list(user_ids)
    lowest = dict(
        Membership.objects.filter(user_id__in=ids, team__supervision_minutes_per_month__isnull=False)
        .values("user_id")
        .annotate(lowest=Min("team__supervision_minutes_per_month"))
        .values_list("user_id", "lowest")
    )
    default = int(settings.SUPERVISION_MINUTES_PER_MONTH)
    return {user_id: int(lowest.get(user_id, default)) for user_id in ids}


@dataclass(frozen=True)
class SupervisionStatus:
    """Someone practising under supervision (recorded, or a lapsed renewal), and the supervision they had
    in the last full month before the day asked about against what is expected of them."""

    user: Any
    month: date  # its first day
    minutes: int
    expected: int
    codes: tuple[str, ...]  # the competencies practised under supervision
    names: tuple[str, ...] = ()

    @property
    def below(self) -> bool:
        return self.minutes < self.expected


@dataclass
class Competence:
    """Levels and supervision of several clinicians on one day, read once (three queries), to answer
    ``competence_gaps`` for each of them without another query."""

    on: date
    levels: dict[int, dict[str, Level]]
    minutes: dict[int, int] = field(default_factory=dict)
    expected: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, user_ids: Iterable[int], *, on: date) -> Competence:
        ids = list(dict.fromkeys(user_ids))
        levels = levels_for(ids, on=on)
        supervised = [
            user_id
            for user_id, held in levels.items()
            if any(level == Level.UNDER_SUPERVISION for level in held.values())
        ]
        if not supervised:
            return cls(on=on, levels=levels)
        return cls(
            on=on,
            levels=levels,
            minutes=supervision_minutes_for(supervised, month=last_full_month(on)),
            expected=expected_minutes_for(supervised),
        )

    def covered(self, user_id: int) -> bool:
        """Whether supervision in the last full month reached what is expected of them."""
        return self.minutes.get(user_id, 0) >= self.expected.get(
            user_id, int(settings.SUPERVISION_MINUTES_PER_MONTH)
        )

    def gaps(self, user_id: int, needs: Iterable[str]) -> list[str]:
        """As ``competence.competence_gaps(user, needs, on=self.on)``."""
        levels = self.levels.get(user_id, {})
        return [
            code
            for code in dict.fromkeys(needs)
            if code not in levels
            or (levels[code] not in COMPETENT_WITHOUT_SUPERVISION and not self.covered(user_id))
        ]

    def supervised_codes(self, user_id: int) -> tuple[str, ...]:
        return tuple(
            code for code, level in self.levels.get(user_id, {}).items() if level == Level.UNDER_SUPERVISION
        )


def _competency_names() -> dict[str, str]:
    return dict(Competency.objects.values_list("code", "name"))


def _statuses(users: Iterable[Any], competence: Competence, names: dict[str, str]) -> list[SupervisionStatus]:
    month = last_full_month(competence.on)
    statuses = []
    for user in users:
        codes = competence.supervised_codes(user.pk)
        if codes:
            statuses.append(
                SupervisionStatus(
                    user=user,
                    month=month,
                    minutes=competence.minutes.get(user.pk, 0),
                    expected=competence.expected.get(user.pk, int(settings.SUPERVISION_MINUTES_PER_MONTH)),
                    codes=codes,
                    names=tuple(sorted(names.get(code, code) for code in codes)),
                )
            )
    return statuses


# --- the team page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillRow:
    competency: Competency
    cells: list[Holding | None]  # one per member, in the members' order

    @property
    def held_by(self) -> int:
        return sum(cell is not None for cell in self.cells)


@dataclass(frozen=True)
class SkillMix:
    on: date
    members: list[Any]
    rows: list[SkillRow]
    supervision: list[SupervisionStatus]
    warning_days: int

    @property
    def month(self) -> date:
        return last_full_month(self.on)


def team_skill_mix(*, members: list[Any], on: date) -> SkillMix:
    """The clinic's active competencies × the team's members: what each holds on ``on`` (level, renewal,
    lapsed, renewal due soon), and the supervision of those practising under supervision. Four queries
    however many members and records (competencies, records, supervision minutes, expected minutes)."""
    ids = [member.pk for member in members]
    competencies = list(Competency.objects.filter(active=True))
    holdings = holdings_for(ids, on=on)
    levels = {user_id: {code: h.level for code, h in held.items()} for user_id, held in holdings.items()}
    supervised = [user_id for user_id, held in levels.items() if Level.UNDER_SUPERVISION in held.values()]
    competence = Competence(
        on=on,
        levels=levels,
        minutes=supervision_minutes_for(supervised, month=last_full_month(on)) if supervised else {},
        expected=expected_minutes_for(supervised) if supervised else {},
    )
    rows = [
        SkillRow(
            competency=competency,
            cells=[holdings.get(member.pk, {}).get(competency.code) for member in members],
        )
        for competency in competencies
    ]
    names = {competency.code: competency.name for competency in competencies}
    return SkillMix(
        on=on,
        members=members,
        rows=rows,
        supervision=_statuses(members, competence, names),
        warning_days=settings.TRAINING_RENEWAL_WARNING_DAYS,
    )


# --- the audits page -----------------------------------------------------------------------------------


def lapsed_renewals(*, user_ids: QuerySet | list[int], on: date) -> QuerySet[TrainingRecord]:
    """Records of active competencies whose renewal date has passed by ``on`` (the renewal day itself still
    holds) and that nothing later replaced: no other record of that competency for that person completed
    after it (by ``on``). Longest lapsed first, with ``total`` (how many in all, a window count) on each
    row, so the first rows and the count are one query."""
    later = TrainingRecord.objects.filter(
        user_id=OuterRef("user_id"), competency_id=OuterRef("competency_id"), completed_on__lte=on
    ).filter(
        Q(completed_on__gt=OuterRef("completed_on"))
        | Q(completed_on=OuterRef("completed_on"), pk__gt=OuterRef("pk"))
    )
    return (
        TrainingRecord.objects.filter(
            user_id__in=user_ids,
            user__is_active=True,
            competency__active=True,
            renews_on__lt=on,
        )
        .exclude(Exists(later))
        .select_related("user", "competency")
        .annotate(total=Window(Count("pk")))
        .order_by("renews_on", "user__last_name", "user__first_name", "competency__position")
    )


def supervision_below(*, user_ids: QuerySet | list[int], on: date) -> list[SupervisionStatus]:
    """Active clinicians among ``user_ids`` practising a competency under supervision on ``on`` (recorded,
    or a renewal lapsed) whose supervision in the last full month fell short of what is expected of them,
    by how far short, most short first. Six queries, whatever the number of people."""
    from teams.models import User

    candidates = list(
        TrainingRecord.objects.filter(user_id__in=user_ids, user__is_active=True, completed_on__lte=on)
        .filter(Q(level=Level.UNDER_SUPERVISION) | Q(renews_on__lt=on))
        .values_list("user_id", flat=True)
        .distinct()
    )
    if not candidates:
        return []
    competence = Competence.of(candidates, on=on)
    supervised = [user_id for user_id in candidates if competence.supervised_codes(user_id)]
    users = User.objects.filter(pk__in=supervised).order_by("last_name", "first_name")
    statuses = [status for status in _statuses(users, competence, _competency_names()) if status.below]
    return sorted(statuses, key=lambda status: status.minutes - status.expected)


def training_viewed(*, user: Any, clinician_ids: Iterable[int]) -> None:
    """One ``view`` event per clinician whose training a page shows (the event ``training.selectors.
    training_records_of`` writes for one), in one INSERT."""
    actor = context.signed_in(user)
    address = context.current().address
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            username=actor.get_username() if actor is not None else "",
            action=AuditEvent.Action.VIEW,
            object_type="training records",
            object_id=str(clinician_id),
            ip_address=address,
        )
        for clinician_id in sorted(set(clinician_ids))
    )
