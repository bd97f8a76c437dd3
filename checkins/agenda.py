"""Check-ins' reason for a case-conference agenda (``conferences.agenda`` calls it), and its default
threshold, which a team may change in its conference settings."""

from datetime import date, datetime, timedelta
from typing import cast

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.dates import day_month
from teams.models import Patient

from .models import CheckIn, Schedule

# A patient being reminded who has not checked in for this many days comes up at the conference.
DEFAULT_CHECKIN_SILENCE_DAYS = 7


def checkins_silent(patients: QuerySet[Patient], *, as_of: datetime, days: int) -> list[tuple[int, str]]:
    """Patients being reminded (a schedule, not opted out, not paused) who have not checked in for the
    team's number of days before the conference. One query."""
    cutoff = as_of - timedelta(days=days)
    last = (
        CheckIn.objects.filter(patient_id=OuterRef("patient_id"), submitted_at__lt=as_of)
        .values("patient_id")
        .annotate(last=Max("submitted_at"))
        .values("last")
    )
    schedules = (
        Schedule.objects.filter(
            patient__in=patients,
            opted_out_at__isnull=True,
            patient__consent_to_reminders=True,
            patient__reminder_consent_given_on__lte=timezone.localdate(cutoff),
        )
        .filter(Q(paused_until__isnull=True) | Q(paused_until__lt=timezone.localdate(as_of)))
        .annotate(last=Subquery(last))
        .filter(Q(last__isnull=True) | Q(last__lt=cutoff))
        .values_list("patient_id", "last", "patient__reminder_consent_given_on")
        .order_by("patient_id")
    )
    found = []
    for patient_id, last_at, consented in schedules:
        if last_at is None:
            # Never empty: the query keeps consents given on or before the cut-off only.
            detail = f"no check-in since reminders began {day_month(cast(date, consented))}"
        else:
            detail = f"last check-in {day_month(last_at)}, {(as_of - last_at).days} days ago"
        found.append((patient_id, detail))
    return found
