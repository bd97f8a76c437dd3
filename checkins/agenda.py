"""Check-ins' reason for a case-conference agenda (see ``teams.agenda``)."""

from datetime import timedelta

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from teams.agenda import Window
from teams.models import Patient

from .models import CheckIn, Schedule


def checkins_silent(patients: QuerySet[Patient], window: Window) -> list[tuple[int, str]]:
    """Patients being reminded (a schedule, not opted out, not paused) who have not checked in for the
    team's number of days before the conference. One query."""
    days = window.thresholds.checkin_silence_days
    cutoff = window.until - timedelta(days=days)
    last = (
        CheckIn.objects.filter(patient_id=OuterRef("patient_id"), submitted_at__lt=window.until)
        .values("patient_id")
        .annotate(last=Max("submitted_at"))
        .values("last")
    )
    schedules = (
        Schedule.objects.filter(patient__in=patients, opted_out_at__isnull=True, created_at__lte=cutoff)
        .filter(Q(paused_until__isnull=True) | Q(paused_until__lt=window.day))
        .annotate(last=Subquery(last))
        .filter(Q(last__isnull=True) | Q(last__lt=cutoff))
        .values_list("patient_id", "last", "created_at")
        .order_by("patient_id")
    )
    found = []
    for patient_id, last_at, created_at in schedules:
        if last_at is None:
            detail = f"no check-in since reminders began {created_at:%d %b}"
        else:
            detail = f"last check-in {last_at:%d %b}, {(window.until - last_at).days} days ago"
        found.append((patient_id, detail))
    return found
