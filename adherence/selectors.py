"""Reads for adherence pages: weekly series for one patient, a clinician's day, each with fixed queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, FloatField, QuerySet, Value
from django.db.models.functions import TruncWeek
from django.utils import timezone

from checkins.models import CheckIn
from screening.models import Screening
from teams import policy
from teams.models import Patient, Team, User

from . import metrics, rollups
from .metrics import Rate
from .models import Export, FunctionalMeasure, Session

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

    def is_current(self, today: date) -> bool:
        """Whether this is the week that holds today: not over, its figures so far."""
        return self.starts <= today < self.starts + timedelta(weeks=1)


def patient_weeks(*, patient: Patient, today: date | None = None, weeks: int = WEEKS) -> list[PatientWeek]:
    """The patient's adherence metrics week by week, beside their mood, pain, sleep and PHQ-9.

    The metrics are the ones in ``adherence.metrics`` (as the roll-ups compute them), grouped by week:
    two queries.
    """
    today = today or timezone.localdate()
    first = week_of(today) - timedelta(weeks=weeks - 1)
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    figures = rollups.patient_weeks(patient.pk, first, today)
    feelings = (
        CheckIn.objects.filter(patient=patient, submitted_at__gte=since)
        .annotate(week=TruncWeek("submitted_at"))
        .values("week")
        .annotate(kind=Value("checkin"), mood=Avg("mood"), pain=Avg("pain"), sleep=Avg("sleep_quality"))
    )
    phq9_weeks = (
        Screening.objects.current()
        .filter(patient=patient, instrument="PHQ-9", administered_at__gte=since)
        .annotate(week=TruncWeek("administered_at"))
        .values("week")
        .annotate(
            kind=Value("phq9"),
            mood=Avg("total"),
            pain=Value(None, FloatField()),
            sleep=Value(None, FloatField()),
        )
    )
    # Check-ins and PHQ-9 results averaged per week, in one query.
    by_kind: dict[str, dict[date, dict]] = {"checkin": {}, "phq9": {}}
    for row in feelings.union(phq9_weeks, all=True):
        by_kind[row["kind"]][row["week"].date()] = row
    phq9 = {week: row["mood"] for week, row in by_kind["phq9"].items()}
    result = []
    for number in range(weeks):
        starts = first + timedelta(weeks=number)
        feeling = by_kind["checkin"].get(starts, {})
        week_figures = figures.get(starts)
        result.append(
            PatientWeek(
                starts=starts,
                exercise=week_figures.exercise if week_figures else metrics.EMPTY,
                attendance=week_figures.attendance if week_figures else metrics.EMPTY,
                response=week_figures.checkins if week_figures else metrics.EMPTY,
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


def patient_session(*, patient: Patient, session_id: int) -> Session | None:
    """One of the patient's sessions, or None (another patient's session is not found)."""
    return Session.objects.filter(patient=patient, pk=session_id).first()


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


def export_by_id(*, export_id: int) -> Export | None:
    """An export, whoever asked for it: ``teams.policy.may_download_export`` says who may have it."""
    return Export.objects.filter(pk=export_id).first()


def team_led(*, user: User, team_id: int) -> Team | None:
    """The team when the user leads it (or is a clinic admin), else None: its figures are for them."""
    team = Team.objects.filter(pk=team_id).first()
    return team if team is not None and policy.leads_team(user, team.pk) else None


def team_alone(*, team: Team) -> QuerySet[Team]:
    """The one team as a queryset: the dashboard's filters and patient lists narrow to the teams given."""
    return Team.objects.filter(pk=team.pk)
