"""Reads for adherence pages: weekly series for one patient, a clinician's day, each with fixed queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Avg, Exists, FloatField, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import JSONObject, TruncWeek
from django.utils import timezone

from careplans.models import CarePreferences
from checkins.models import CheckIn
from screening.models import Screening
from teams import policy
from teams.models import Discipline, Patient, Team, User

from . import metrics, rollups
from .metrics import Rate
from .models import Export, FunctionalMeasure, Session, SessionClinician

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
    """The user's sessions of the day: every one they are credited with (a joint session another leads
    too), each with its credited clinicians. Three queries, however many sessions and clinicians."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    credited = SessionClinician.objects.filter(session=OuterRef("pk"), clinician=user)
    sessions = list(
        with_clinicians(
            Session.objects.filter(
                Q(clinician=user) | Exists(credited),
                starts_at__gte=start,
                starts_at__lt=end,
                patient__in=Patient.objects.visible_to(user),
            )
        )
        .select_related("patient")
        .order_by("starts_at", "id")
    )
    for session in sessions:
        # "Joint with …": the others credited with a joint session.
        session.others = [c for c in session.credited if c.clinician_id != user.pk]  # type: ignore[attr-defined]
    return sessions


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


# --- sessions (issue 20) ---------------------------------------------------------------------------


def with_clinicians(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions with their credited clinicians (``session.credited``, the lead first): one query more."""
    credits = SessionClinician.objects.select_related("clinician").order_by("id")
    return sessions.select_related("clinician").prefetch_related(
        Prefetch("credits", queryset=credits, to_attr="credited")
    )


def overview_sessions(
    *, patient: Patient, recent: int = 8, upcoming: int = 6
) -> tuple[list[Session], list[Session]]:
    """The overview's sessions in one query: the latest ``recent``
    and the next ``upcoming`` booked, soonest first, each with its credited clinicians as
    ``credited_labels`` ("Priya Shah (Physiotherapist)", the lead first)."""
    now = timezone.now()
    sessions = Session.objects.filter(patient=patient)
    latest = sessions.order_by("-starts_at", "-id")[:recent].values("pk")
    soon = sessions.filter(status=Session.Status.SCHEDULED, starts_at__gte=now).order_by("starts_at", "id")
    credits = (
        SessionClinician.objects.filter(session=OuterRef("pk"))
        .order_by("id")
        .values(
            json=JSONObject(
                first="clinician__first_name",
                last="clinician__last_name",
                username="clinician__username",
                discipline="discipline",
            )
        )
    )
    rows: list[Session] = list(
        sessions.filter(Q(pk__in=latest) | Q(pk__in=soon[:upcoming].values("pk")))
        .select_related("clinician")
        .annotate(credit_rows=ArraySubquery(credits))
        .order_by("-starts_at", "-id")
    )
    disciplines = dict(Discipline.choices)
    for session in rows:
        session.credited_labels = [  # type: ignore[attr-defined]
            f"{' '.join(filter(None, (c['first'], c['last']))) or c['username']} "
            f"({disciplines.get(c['discipline'], c['discipline'])})"
            for c in session.credit_rows  # type: ignore[attr-defined]
        ] or [str(session.clinician)]
    # The latest sessions overall are the first of these (the booked ones are no later than they).
    booked = sorted(
        (s for s in rows if s.status == Session.Status.SCHEDULED and s.starts_at >= now),
        key=lambda s: (s.starts_at, s.pk),
    )
    return rows[:recent], booked[:upcoming]


def patient_sessions_with_clinicians(*, patient: Patient) -> QuerySet[Session]:
    """All the patient's sessions, latest first, for the API's list (paginated there)."""
    return with_clinicians(Session.objects.filter(patient=patient)).order_by("-starts_at", "-id")


def booked_sessions(*, patient: Patient, session_id: int) -> list[Session]:
    """What a booking made: the session's whole series (or the session alone), soonest first."""
    session = Session.objects.filter(patient=patient, pk=session_id).first()
    if session is None:
        return []
    sessions = Session.objects.filter(patient=patient)
    sessions = (
        sessions.filter(series_id=session.series_id) if session.series_id else sessions.filter(pk=session.pk)
    )
    return list(with_clinicians(sessions).order_by("starts_at", "id"))


def preferred_modalities(*, patient: Patient) -> list[str]:
    """The ways the patient prefers to receive care (``careplans.CarePreferences``); empty when none
    are recorded."""
    return list(
        CarePreferences.objects.filter(patient=patient).values_list("modalities", flat=True).first() or []
    )
