"""Reads for adherence pages: weekly series for one patient, a clinician's day, each with fixed queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from careplans.models import CarePlan, Exercise
from checkins.models import CheckIn, ExerciseLog, Reminder
from screening.models import Screening
from teams.models import Patient, User

from .metrics import Rate
from .models import ExerciseWeekLog, FunctionalMeasure, Session

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


def _by_week(rows, key: str = "week") -> dict[date, dict[str, Any]]:
    return {(row[key].date() if isinstance(row[key], datetime) else row[key]): row for row in rows}


def patient_weeks(*, patient: Patient, today: date | None = None, weeks: int = WEEKS) -> list[PatientWeek]:
    """The patient's adherence week by week, beside their mood, pain, sleep and PHQ-9: seven queries."""
    today = today or timezone.localdate()
    first = week_of(today) - timedelta(weeks=weeks - 1)
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    sessions = _by_week(
        Session.objects.filter(patient=patient, starts_at__gte=since)
        .annotate(week=TruncWeek("starts_at"))
        .values("week")
        .annotate(
            attended=Count("id", filter=Q(status=Session.Status.ATTENDED)),
            counted=Count("id", filter=Q(status__in=["attended", "missed", "cancelled_patient"])),
        )
    )
    reminders = _by_week(
        Reminder.objects.filter(patient=patient, sent_at__gte=since)
        .annotate(week=TruncWeek("sent_at"))
        .values("week")
        .annotate(sent=Count("id"), completed=Count("id", filter=Q(status=Reminder.Status.COMPLETED)))
    )
    ticks = _by_week(
        ExerciseLog.objects.filter(patient=patient, logged_for__gte=first)
        .annotate(week=TruncWeek("logged_for"))
        .values("week")
        .annotate(
            ticked_done=Count("id", filter=Q(done="done")), ticked_partly=Count("id", filter=Q(done="partly"))
        )
    )
    week_logs = _by_week(
        ExerciseWeekLog.objects.filter(patient=patient, week_starting__gte=first)
        .values("week_starting")
        .annotate(total=Sum("sessions_done")),
        key="week_starting",
    )
    feelings = _by_week(
        CheckIn.objects.filter(patient=patient, submitted_at__gte=since)
        .annotate(week=TruncWeek("submitted_at"))
        .values("week")
        .annotate(mood=Avg("mood"), pain=Avg("pain"), sleep=Avg("sleep_quality"))
    )
    phq9 = _by_week(
        Screening.objects.current()
        .filter(patient=patient, instrument="PHQ-9", administered_at__gte=since)
        .annotate(week=TruncWeek("administered_at"))
        .values("week")
        .annotate(total=Avg("total"))
    )
    exercises = list(
        Exercise.objects.filter(plan__patient=patient, plan__status=CarePlan.Status.ACTIVE).values(
            "sessions_per_week", "plan__start_date"
        )
    )
    result = []
    for number in range(weeks):
        starts = first + timedelta(weeks=number)
        ends = min(starts + timedelta(days=7), today + timedelta(days=1))
        prescribed = (
            Decimal(
                sum(
                    e["sessions_per_week"] * max(0, (ends - max(starts, e["plan__start_date"])).days)
                    for e in exercises
                )
            )
            / 7
        )
        tick = ticks.get(starts, {"ticked_done": 0, "ticked_partly": 0})
        logged = (
            Decimal(tick["ticked_done"])
            + Decimal(tick["ticked_partly"]) / 2
            + Decimal(week_logs.get(starts, {}).get("total") or 0)
        )
        session = sessions.get(starts, {"attended": 0, "counted": 0})
        reminder = reminders.get(starts, {"completed": 0, "sent": 0})
        feeling = feelings.get(starts, {})
        result.append(
            PatientWeek(
                starts=starts,
                exercise=Rate(logged, prescribed),
                attendance=Rate(Decimal(session["attended"]), Decimal(session["counted"])),
                response=Rate(Decimal(reminder["completed"]), Decimal(reminder["sent"])),
                mood=_round(feeling.get("mood")),
                pain=_round(feeling.get("pain")),
                sleep=_round(feeling.get("sleep")),
                phq9=round(phq9[starts]["total"]) if starts in phq9 else None,
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
