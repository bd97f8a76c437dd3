"""Gaps in care that someone should close, each as one query over the patients a viewer oversees."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from careplans.catalogue import CATALOGUE, Kind
from careplans.models import CarePlan, Milestone, Responsibility
from checkins.models import CheckIn, Reminder
from screening.models import Alert, Screening, Timepoint
from teams.models import Patient

from .metrics import SCREENING_AFTER_MILESTONE_DAYS

ROWS_PER_GAP = 100
PSYCHOLOGICAL = [code for code, intervention in CATALOGUE.items() if intervention.kind == Kind.PSYCHOLOGICAL]


@dataclass(frozen=True)
class Gap:
    key: str
    title: str
    fix: str
    rows: list
    count: int


def _gap(key: str, title: str, fix: str, rows: QuerySet) -> Gap:
    # One query: the first rows and, with a window count, how many there are in all.
    found = list(rows[: ROWS_PER_GAP + 1])
    return Gap(key, title, fix, found[:ROWS_PER_GAP], len(found))


def patients_listed(gaps: list[Gap]) -> list[int]:
    """The patients the gaps show (for the audit trail), read from rows already loaded."""
    return [_patient_id(row) for gap in gaps for row in gap.rows]


def _patient_id(row: Patient | Milestone | CarePlan | Alert) -> int:
    if isinstance(row, Patient):
        return row.pk
    if isinstance(row, Milestone):
        return row.goal.plan.patient_id
    return row.patient_id


def gaps(*, patients: QuerySet[Patient]) -> list[Gap]:
    now = timezone.now()
    today = timezone.localdate()
    active = patients.filter(status=Patient.Status.ACTIVE).select_related("team", "primary_clinician")
    intake = Screening.objects.filter(patient=OuterRef("pk"), timepoint=Timepoint.INTAKE)
    milestone_screening = Screening.objects.filter(
        patient=OuterRef("goal__plan__patient"),
        timepoint=Timepoint.MILESTONE,
        administered_at__date__gte=OuterRef("achieved_on"),
    )
    psychological = Responsibility.objects.filter(plan=OuterRef("pk"), intervention__in=PSYCHOLOGICAL)
    recent_checkin = CheckIn.objects.filter(
        patient=OuterRef("pk"), submitted_at__gte=now - timedelta(days=14)
    )
    recent_reminder = Reminder.objects.filter(patient=OuterRef("pk"), sent_at__gte=now - timedelta(days=14))
    return [
        _gap(
            "no-intake",
            "Active patients without an intake screening",
            "Start the intake battery",
            active.exclude(Exists(intake)).order_by("family_name", "given_name"),
        ),
        _gap(
            "milestone-screening",
            "Milestone screenings overdue",
            "Start the milestone battery",
            Milestone.objects.filter(
                goal__plan__patient__in=active,
                battery__isnull=False,
                achieved_on__lt=today - timedelta(days=SCREENING_AFTER_MILESTONE_DAYS),
            )
            .exclude(Exists(milestone_screening))
            .select_related("goal__plan__patient", "battery")
            .order_by("achieved_on"),
        ),
        _gap(
            "no-psychology",
            "High-risk patients whose plan has no psychological component",
            "Add a psychological responsibility",
            CarePlan.objects.filter(patient__in=active, status=CarePlan.Status.ACTIVE, risk_stratum="high")
            .exclude(Exists(psychological))
            .select_related("patient")
            .order_by("start_date"),
        ),
        _gap(
            "unacknowledged",
            "Urgent alerts unacknowledged after 24 hours",
            "Acknowledge and act",
            Alert.objects.filter(
                patient__in=patients,
                kind=Alert.Kind.URGENT,
                status=Alert.Status.OPEN,
                opened_at__lt=now - timedelta(hours=24),
            )
            .select_related("patient")
            .order_by("opened_at"),
        ),
        _gap(
            "silent",
            "Patients not checking in for 14 days",
            "Call the patient or adjust the schedule",
            active.filter(Exists(recent_reminder))
            .exclude(Exists(recent_checkin))
            .filter(Q(checkin_schedule__opted_out_at__isnull=True))
            .order_by("family_name", "given_name"),
        ),
    ]
