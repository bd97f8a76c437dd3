"""Writes of training records and supervision: keyword-only, atomic, audited
(``teams.services.audited_save``); who may is ``teams.policy``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams import policy
from teams.models import User
from teams.services import audited_save

from .models import Competency, Level, SupervisionSession, TrainingRecord

# What a clinician may change on their record; changing any of them withdraws a verification.
RECORD_FIELDS = ("competency", "course_or_evidence", "completed_on", "level", "renews_on")


@transaction.atomic
def training_record_add(
    *,
    user: User,
    competency: Competency,
    course_or_evidence: str,
    completed_on: date,
    level: str = Level.TRAINED,
    renews_on: date | None = None,
    clinician: User | None = None,
) -> TrainingRecord:
    """A clinician's training in a competency, added by themselves (or a clinic admin for them); it
    waits for a lead to verify it."""
    clinician = clinician or user
    if not policy.may_add_training_for(user, clinician):
        raise PermissionDenied(_("Clinicians add their own training records."))
    record = TrainingRecord(
        user=clinician,
        competency=competency,
        course_or_evidence=course_or_evidence.strip(),
        completed_on=completed_on,
        level=level,
        renews_on=renews_on,
        created_by=user,
    )
    return audited_save(record, actor=user, patient=None)


@transaction.atomic
def training_record_update(*, user: User, record: TrainingRecord, data: dict[str, Any]) -> TrainingRecord:
    """Correct or renew a record (its owner, or a clinic admin). A verified record that changes is no
    longer verified: the lead verified what it said before."""
    record = TrainingRecord.objects.select_for_update().select_related("user").get(pk=record.pk)
    if not policy.may_add_training_for(user, record.user):
        raise PermissionDenied(_("Clinicians change their own training records."))
    unknown = set(data) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of a training record: {sorted(unknown)}")
    changed = [name for name, value in data.items() if getattr(record, name) != value]
    if not changed:
        return record
    for name in changed:
        setattr(record, name, data[name])
    if record.verified_at is not None:
        record.verified_by, record.verified_at = None, None
        changed += ["verified_by", "verified_at"]
    return audited_save(record, actor=user, patient=None, fields=changed)


@transaction.atomic
def training_record_verify(*, user: User, record: TrainingRecord) -> TrainingRecord:
    """A lead of a team the clinician belongs to (or a clinic admin) confirms the record's evidence."""
    record = TrainingRecord.objects.select_for_update().select_related("user").get(pk=record.pk)
    if not policy.may_verify_training(user, record.user):
        raise PermissionDenied(_("A lead of the clinician's team verifies their training."))
    record.verified_by = user
    record.verified_at = timezone.now()
    return audited_save(record, actor=user, patient=None, fields=["verified_by", "verified_at"])


@transaction.atomic
def supervision_log(
    *,
    user: User,
    supervisees: Sequence[User],
    held_at: datetime,
    minutes: int,
    format: str = SupervisionSession.Format.INDIVIDUAL,  # noqa: A002  # the field's name
    competencies: Iterable[Competency] = (),
    cases_discussed: str = "",
    learning_points: str = "",
    supervisor: User | None = None,
) -> SupervisionSession:
    """Record a supervision session, by its supervisor or a supervisee (or a clinic admin). An individual
    session has one supervisee, a group several; cases are patient references only (the model checks)."""
    supervisor = supervisor or user
    supervisees = list(dict.fromkeys(supervisees))
    if not supervisees:
        raise ValidationError({"supervisees": _("Name who was supervised.")})
    if supervisor in supervisees:
        raise ValidationError({"supervisees": _("A supervisor does not supervise themselves.")})
    if format == SupervisionSession.Format.INDIVIDUAL and len(supervisees) != 1:
        raise ValidationError({"supervisees": _("Individual supervision has one supervisee.")})
    if format == SupervisionSession.Format.GROUP and len(supervisees) < 2:
        raise ValidationError({"supervisees": _("Group supervision has several supervisees.")})
    if not policy.may_log_supervision(user, supervisor, supervisees):
        raise PermissionDenied(_("Supervision is recorded by its supervisor or a supervisee."))
    session = SupervisionSession(
        supervisor=supervisor,
        held_at=held_at,
        minutes=minutes,
        format=format,
        cases_discussed=cases_discussed.strip(),
        learning_points=learning_points.strip(),
        recorded_by=user,
    )
    # The audit names the many-to-many fields too; they are set right after, in the same transaction.
    names = [f.name for f in SupervisionSession._meta.concrete_fields if not f.primary_key and f.editable]
    audited_save(session, actor=user, patient=None, fields=[*names, "supervisees", "competencies"])
    session.supervisees.set(supervisees)
    session.competencies.set(list(competencies))
    return session
