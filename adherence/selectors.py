"""Reads for adherence pages: weekly series for one patient, a clinician's day, each with fixed queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg
from django.db.models.functions import TruncWeek
from django.utils import timezone

from checkins.models import CheckIn
from screening.models import Screening
from teams.models import Patient, User

from . import metrics
from .metrics import Rate
from .models import FunctionalMeasure, Session

WEEKS = 12


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class PatientWeek:
    starts: date
    exercise: Rate
    attendance: Rate
    response: Rate
    mood: float | None
    pain: float | None
    sleep: float | None
    phq9: int | None


def patient_weeks(*, patient: Patient, today: date | None = None, weeks: int = WEEKS) -> list[PatientWeek]:
    """The patient's adherence metrics week by week, beside their mood, pain, sleep and PHQ-9.

    The metrics are the ones in ``adherence.metrics``, grouped by week: a fixed number of queries.
    """
    today = today or timezone.localdate()
    first = week_of(today) - timedelta(weeks=weeks - 1)
    end = today + timedelta(days=1)
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    patients = Patient.objects.filter(pk=patient.pk)
    exercise = metrics.exercise_completion_by(patients, first, end, metrics.WEEK)
    attendance = metrics.attendance_by(patients, first, end, metrics.WEEK)
    response = metrics.checkin_response_by(patients, first, end, metrics.WEEK)
    feelings = {
        row["week"].date(): row
        for row in CheckIn.objects.filter(patient=patient, submitted_at__gte=since)
        .annotate(week=TruncWeek("submitted_at"))
        .values("week")
        .annotate(mood=Avg("mood"), pain=Avg("pain"), sleep=Avg("sleep_quality"))
    }
    phq9 = {
        row["week"].date(): row["total"]
        for row in Screening.objects.current()
        .filter(patient=patient, instrument="PHQ-9", administered_at__gte=since)
        .annotate(week=TruncWeek("administered_at"))
        .values("week")
        .annotate(total=Avg("total"))
    }
    result = []
    for number in range(weeks):
        starts = first + timedelta(weeks=number)
        feeling = feelings.get(starts, {})
        result.append(
            PatientWeek(
                starts=starts,
                exercise=exercise.get(starts, metrics.EMPTY),
                attendance=attendance.get(starts, metrics.EMPTY),
                response=response.get(starts, metrics.EMPTY),
                mood=_round(feeling.get("mood")),
                pain=_round(feeling.get("pain")),
                sleep=_round(feeling.get("sleep")),
                phq9=round(phq9[starts]) if starts in phq9 else None,
            )
        )
    return result


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


def patient_sessions(*, patient: Patient, limit: int = 8) -> list[Session]:
    return list(
        Session.objects.filter(patient=patient).select_related("clinician").order_by("-starts_at")[:limit]
    )


def patient_measures(*, patient: Patient) -> dict[str, list[FunctionalMeasure]]:
    """Each measured thing's values over time, oldest first."""
    series: dict[str, list[FunctionalMeasure]] = defaultdict(list)
    for measure in FunctionalMeasure.objects.filter(patient=patient).order_by("measured_on", "id"):
        series[f"{measure.label} ({measure.unit})"].append(measure)
    return dict(series)


def day_list(*, user: User, day: date) -> list[Session]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return list(
        Session.objects.filter(
            clinician=user,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
            patient__in=Patient.objects.visible_to(user),
        )
        .select_related("patient")
        .order_by("starts_at")
    )
