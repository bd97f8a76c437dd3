"""Writes for adherence: sessions and their outcome, clinicians' exercise logs, functional measures."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from teams.models import AuditEvent, Patient, User
from teams.services import audit_record

from .models import ExerciseWeekLog, FunctionalMeasure, Session


def _audited_save(instance, *, user: User, patient: Patient, action: str, fields):
    instance.full_clean()
    instance.save()
    audit_record(actor=user, action=action, patient=patient, obj=instance, changed_fields=fields)
    return instance


@transaction.atomic
def session_record(
    *,
    patient: Patient,
    clinician: User,
    status: str,
    starts_at: datetime | None = None,
    user: User,
) -> Session:
    """A session with its outcome (or scheduled), in one step: the two-click path."""
    session = Session(
        patient=patient,
        clinician=clinician,
        discipline=clinician.discipline,
        starts_at=starts_at or timezone.now(),
        status=status,
        recorded_at=None if status == Session.Status.SCHEDULED else timezone.now(),
    )
    return _audited_save(
        session,
        user=user,
        patient=patient,
        action=AuditEvent.Action.CREATE,
        fields=["starts_at", "status"],
    )


@transaction.atomic
def session_set_status(*, session: Session, status: str, user: User) -> Session:
    session = Session.objects.select_for_update().get(pk=session.pk)
    if status not in Session.Status.values or status == Session.Status.SCHEDULED:
        raise ValidationError({"status": "Choose attended, missed or cancelled."})
    session.status = status
    session.recorded_at = timezone.now()
    return _audited_save(
        session,
        user=user,
        patient=session.patient,
        action=AuditEvent.Action.UPDATE,
        fields=["status"],
    )


@transaction.atomic
def exercise_week_log_record(*, log: ExerciseWeekLog, user: User):
    log.entered_by = user
    existing = ExerciseWeekLog.objects.filter(exercise=log.exercise, week_starting=log.week_starting).first()
    if existing is not None:
        existing.sessions_done, existing.entered_by = log.sessions_done, user
        log = existing
    return _audited_save(
        log,
        user=user,
        patient=log.patient,
        action=AuditEvent.Action.UPDATE if existing else AuditEvent.Action.CREATE,
        fields=["sessions_done"],
    )


@transaction.atomic
def measure_record(*, measure: FunctionalMeasure, user: User):
    measure.entered_by = user
    return _audited_save(
        measure,
        user=user,
        patient=measure.patient,
        action=AuditEvent.Action.CREATE,
        fields=["kind", "label", "value"],
    )
