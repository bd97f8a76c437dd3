"""Writes for adherence: sessions and their outcome, clinicians' exercise logs, functional measures."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import Membership, Patient, User
from teams.services import audited_save

from .models import (
    ExerciseWeekLog,
    FunctionalMeasure,
    Session,
    SessionClinician,
    SessionModality,
    SessionSeries,
)


@transaction.atomic
def session_record(
    *,
    patient: Patient,
    clinician: User,
    status: str,
    starts_at: datetime | None = None,
    user: User,
) -> Session:
    """A session with its outcome (or scheduled), in one step: the two-click path. Today's session
    booked with this clinician (leading it or credited with it, a joint one too) takes the outcome,
    rather than a second session being counted for the patient."""
    if status != Session.Status.SCHEDULED and starts_at is None:
        booked = _booked_today(patient=patient, clinician=clinician)
        if booked is not None:
            return session_set_status(session=booked, status=status, user=user)
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


def _booked_today(*, patient: Patient, clinician: User) -> Session | None:
    day = timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    return (
        Session.objects.filter(
            Q(clinician=clinician) | Q(credits__clinician=clinician),
            patient=patient,
            status=Session.Status.SCHEDULED,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .order_by("starts_at", "id")
        .first()
    )


@transaction.atomic
def session_set_status(*, session: Session, status: str, user: User, was: str | None = None) -> Session:
    """Record how a session went. ``was``: the status the person saw; when someone else (a joint
    session's other clinician) has recorded it since, nothing is overwritten and they are told."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if status not in Session.Status.values or status == Session.Status.SCHEDULED:
        raise ValidationError({"status": _("Choose attended, missed or cancelled.")})
    if was is not None and session.status not in (was, status):
        recorded = session.get_status_display().lower()
        raise ValidationError(
            {"status": _("Already recorded as %(status)s since you opened the page.") % {"status": recorded}}
        )
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


# --- sessions (issue 20) ---------------------------------------------------------------------------


def occurrences(*, first: datetime, every_weeks: int, count: int) -> list[datetime]:
    """When each session of a series starts: the same local wall-clock time (TIME_ZONE) every
    ``every_weeks`` weeks, so a 10:00 session stays at 10:00 across a change to or from summer time."""
    local = timezone.localtime(first).replace(tzinfo=None)
    return [timezone.make_aware(local + timedelta(weeks=every_weeks * n)) for n in range(count)]


def _booking_errors(
    *, patient: Patient, clinicians: Sequence[User], modality: str, video_link: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if modality not in SessionModality.values:
        errors["modality"] = ["Choose in person, video, phone or group."]
    if modality == SessionModality.VIDEO and not video_link:
        errors["video_link"] = ["Give the link the patient joins the video session by."]
    elif video_link and modality != SessionModality.VIDEO:
        errors["video_link"] = ["Only a video session has a link."]
    elif video_link and not video_link.lower().startswith("https://"):
        errors["video_link"] = ["The link must start with https://, so the call is encrypted."]
    if not clinicians:
        errors["clinicians"] = ["Choose at least one clinician."]
        return errors
    members = set(
        Membership.objects.filter(
            team_id=patient.team_id, user__in=clinicians, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    outside = [str(c) for c in clinicians if c.pk not in members]
    if outside:
        errors["clinicians"] = [f"Not an active member of {patient.team}: {', '.join(outside)}."]
    disciplines = [c.discipline for c in clinicians]
    if len(set(disciplines)) < len(disciplines):
        errors.setdefault("clinicians", []).append(
            "A joint session brings clinicians of different disciplines: choose one of each."
        )
    return errors


@transaction.atomic
def session_book(
    *,
    patient: Patient,
    clinicians: Sequence[User],
    starts_at: datetime,
    modality: str,
    video_link: str = "",
    every_weeks: int = 1,
    count: int = 1,
    user: User,
) -> list[Session]:
    """Book one session, or a series of ``count`` every ``every_weeks`` weeks at the same local time,
    held by ``modality`` with one or more clinicians. With several, it is a joint session: each of a
    different discipline, all active members of the patient's team, each credited (``SessionClinician``);
    the first listed leads (``Session.clinician``). Refused as a whole, with a message per field."""
    clinicians = list(dict.fromkeys(clinicians))
    errors = _booking_errors(patient=patient, clinicians=clinicians, modality=modality, video_link=video_link)
    if count > 1 and not 1 <= every_weeks <= 12:
        errors["every_weeks"] = ["Repeat every 1 to 12 weeks."]
    if not 1 <= count <= 26:
        errors["count"] = ["Book from 1 to 26 sessions at a time."]
    if errors:
        raise ValidationError(errors)
    series = None
    if count > 1:
        series = audited_save(
            SessionSeries(
                patient=patient,
                modality=modality,
                video_link=video_link,
                first_starts_at=starts_at,
                every_weeks=every_weeks,
                count=count,
                created_by=user,
            ),
            actor=user,
            patient=patient,
        )
        series.clinicians.set(clinicians)
    lead = clinicians[0]
    sessions = []
    for when in occurrences(first=starts_at, every_weeks=every_weeks, count=count):
        session = audited_save(
            Session(
                patient=patient,
                clinician=lead,
                discipline=lead.discipline,
                starts_at=when,
                modality=modality,
                video_link=video_link,
                series=series,
            ),
            actor=user,
            patient=patient,
        )
        sessions.append(session)
    SessionClinician.objects.bulk_create(
        SessionClinician(session=session, clinician=clinician, discipline=clinician.discipline)
        for session in sessions
        for clinician in clinicians
    )
    return sessions
