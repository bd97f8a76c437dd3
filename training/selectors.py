"""Reads of training records and supervision, for whoever asks (``teams.policy``). Every read that shows
records of other people is audited as a view, as pages of patient records are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from core import context
from teams import policy
from teams.models import AuditEvent
from teams.services import audit_record

from . import competence
from .models import Competency, Level, SupervisionSession, TrainingRecord


def training_records_visible(user: Any) -> QuerySet[TrainingRecord]:
    """Every record the user may see (their own, their teammates', all for clinic admins)."""
    return policy.training_visible(
        user, TrainingRecord.objects.select_related("user", "competency", "verified_by")
    )


def training_records_of(*, user: Any, clinician: Any) -> list[TrainingRecord]:
    """One clinician's records, for a page that shows them: none unless ``may_see_training_of``; the
    reading is audited."""
    if not policy.may_see_training_of(user, clinician):
        return []
    records = list(training_records_visible(user).filter(user=clinician))
    audit_record(
        actor=user, action=AuditEvent.Action.VIEW, object_type="training records", object_id=str(clinician.pk)
    )
    return records


def supervision_sessions_visible(user: Any) -> QuerySet[SupervisionSession]:
    """The sessions the user may read (``teams.policy.may_see_supervision``), with their people and
    competencies loaded."""
    return policy.supervision_visible(
        user,
        SupervisionSession.objects.select_related("supervisor", "recorded_by").prefetch_related(
            "supervisees", "competencies"
        ),
    )


def supervision_session_for(*, user: Any, session_id: int) -> SupervisionSession | None:
    """One session's notes, if the user may read them (None otherwise); the reading is audited."""
    session = supervision_sessions_visible(user).filter(pk=session_id).first()
    if session is not None:
        audit_record(actor=user, action=AuditEvent.Action.VIEW, obj=session)
    return session


# --- pages (issue 22: My training, a clinician's training, supervision) ---


def _audit_viewed(user: Any, object_type: str, ids: Iterable[int]) -> None:
    """One ``view`` event per object a page shows, in one query (a list shows many)."""
    actor = context.signed_in(user)
    address = context.current().address
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            username=actor.get_username() if actor is not None else "",
            action=AuditEvent.Action.VIEW,
            object_type=object_type,
            object_id=str(pk),
            ip_address=address,
        )
        for pk in sorted(set(ids))
    )


@dataclass(frozen=True)
class RecordRow:
    """A training record as a page shows it, with its renewal worked out for the day shown."""

    record: TrainingRecord
    lapsed: bool
    renewal_due_in: int | None  # days until renewal, while within RENEWAL_SOON_DAYS

    @property
    def awaiting_verification(self) -> bool:
        return self.record.verified_at is None


@dataclass(frozen=True)
class CompetenceRow:
    """One competency a clinician holds today: the effective level (a lapsed renewal reads as under
    supervision) and whether practice under supervision is covered by last month's supervision."""

    competency: Competency
    level: Level
    lapsed: bool
    covered: bool


@dataclass(frozen=True)
class SupervisionSummary:
    this_month: date
    this_month_minutes: int
    last_month: date
    last_month_minutes: int
    expected: int

    @property
    def up_to_date(self) -> bool:
        return self.last_month_minutes >= self.expected


@dataclass(frozen=True)
class TrainingPage:
    clinician: Any
    on: date
    records: list[RecordRow]
    competence: list[CompetenceRow]
    supervision: SupervisionSummary
    under_supervision: bool  # practises something under supervision today (recorded or lapsed)


# Renewals this close are marked "renewal due in N days".
RENEWAL_SOON_DAYS = 90


def _record_rows(records: list[TrainingRecord], on: date) -> list[RecordRow]:
    rows = []
    for record in records:
        lapsed = record.renews_on is not None and record.renews_on < on
        due_in = None
        if record.renews_on is not None and not lapsed and (record.renews_on - on).days <= RENEWAL_SOON_DAYS:
            due_in = (record.renews_on - on).days
        rows.append(RecordRow(record=record, lapsed=lapsed, renewal_due_in=due_in))
    return rows


def _competence_rows(records: list[TrainingRecord], on: date, covered: bool) -> list[CompetenceRow]:
    """Effective levels from the records already loaded, by ``training.competence``'s rule (the best
    effective level of a competency's records completed by ``on``)."""
    best: dict[int, tuple[Level, TrainingRecord]] = {}
    for record in records:
        if record.completed_on > on:
            continue
        level = competence.effective_level(record.level, record.renews_on, on=on)
        held = best.get(record.competency_id)
        if held is None or competence.RANK[level] > competence.RANK[held[0]]:
            best[record.competency_id] = (level, record)
    rows = [
        CompetenceRow(
            competency=record.competency,
            level=level,
            lapsed=record.renews_on is not None and record.renews_on < on,
            covered=level != Level.UNDER_SUPERVISION or covered,
        )
        for level, record in best.values()
    ]
    return sorted(rows, key=lambda row: (row.competency.position, row.competency.name))


def training_page(*, user: Any, clinician: Any, on: date) -> TrainingPage | None:
    """Everything "My training" (or a colleague's training page) shows: the records (the reading audited),
    the competence they give on ``on``, and the supervision received this month and last full month
    against the expected amount. None if ``user`` may not see ``clinician``'s training. Five queries."""
    if not policy.may_see_training_of(user, clinician):
        return None
    records = training_records_of(user=user, clinician=clinician)
    this_month, last_month = on.replace(day=1), competence.last_full_month(on)
    summary = SupervisionSummary(
        this_month=this_month,
        this_month_minutes=competence.supervision_minutes(clinician, month=this_month),
        last_month=last_month,
        last_month_minutes=competence.supervision_minutes(clinician, month=last_month),
        expected=competence.expected_minutes(clinician),
    )
    rows = _competence_rows(records, on, covered=summary.up_to_date)
    return TrainingPage(
        clinician=clinician,
        on=on,
        records=_record_rows(records, on),
        competence=rows,
        supervision=summary,
        under_supervision=any(row.level == Level.UNDER_SUPERVISION for row in rows),
    )


def training_record_for(*, user: Any, record_id: int) -> TrainingRecord | None:
    """One record the user may see (to edit or verify it), or None."""
    return training_records_visible(user).filter(pk=record_id).first()


def supervision_sessions_of(*, user: Any, clinician: Any) -> QuerySet[SupervisionSession]:
    """Sessions ``clinician`` gave or received, among those ``user`` may read, newest first."""
    return (
        supervision_sessions_visible(user)
        .filter(Q(supervisor=clinician) | Q(supervisees=clinician))
        .distinct()
    )


def supervision_sessions_viewed(*, user: Any, sessions: Iterable[SupervisionSession]) -> None:
    """Audit a page of sessions shown (one event each, one query)."""
    _audit_viewed(user, "supervisionsession", [session.pk for session in sessions])


def training_people_for(user: Any) -> QuerySet[Any]:
    """The active members of the user's teams (the user included): whom they may name in supervision."""
    from teams.models import Membership, User

    mine = Membership.objects.filter(user_id=user.pk).values("team_id")
    return (
        User.objects.filter(Q(pk=user.pk) | Q(memberships__team_id__in=mine), is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
