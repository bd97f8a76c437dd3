"""Writes for adherence: sessions and their outcome, clinicians' exercise logs, functional measures."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from teams.models import Patient, User
from teams.services import audited_save

from .models import ExerciseWeekLog, FunctionalMeasure, Session, SessionClinician


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
    audited_save(session, actor=user, patient=patient, fields=["starts_at", "status"])
    SessionClinician.objects.create(session=session, clinician=clinician, discipline=session.discipline)
    return session


@transaction.atomic
def session_set_status(*, session: Session, status: str, user: User) -> Session:
    session = Session.objects.select_for_update().get(pk=session.pk)
    if status not in Session.Status.values or status == Session.Status.SCHEDULED:
        raise ValidationError({"status": "Choose attended, missed or cancelled."})
    session.status = status
    session.recorded_at = timezone.now()
    return audited_save(session, actor=user, patient=session.patient, fields=["status", "recorded_at"])


@transaction.atomic
def exercise_week_log_record(*, log: ExerciseWeekLog, user: User) -> ExerciseWeekLog:
    log.entered_by = user
    existing = ExerciseWeekLog.objects.filter(exercise=log.exercise, week_starting=log.week_starting).first()
    if existing is not None:
        existing.sessions_done, existing.entered_by = log.sessions_done, user
        log = existing
    # A week already logged is corrected in place, and says who corrected it.
    fields = ["sessions_done", "entered_by"] if existing else ["sessions_done"]
    return audited_save(log, actor=user, patient=log.patient, fields=fields)


@transaction.atomic
def measure_record(*, measure: FunctionalMeasure, user: User) -> FunctionalMeasure:
    measure.entered_by = user
    return audited_save(measure, actor=user, patient=measure.patient, fields=["kind", "label", "value"])
