"""Reads of training records and supervision, for whoever asks (``teams.policy``). Every read that shows
records of other people is audited as a view, as pages of patient records are."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from teams import policy
from teams.models import AuditEvent
from teams.services import audit_record

from .models import SupervisionSession, TrainingRecord


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
