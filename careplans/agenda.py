"""Care plans' reasons for a case-conference agenda (``conferences.agenda`` calls them), as of ``day``,
the conference day."""

from datetime import date, timedelta

from django.db.models import QuerySet

from core import dates
from teams.models import Patient

from .models import Barrier, CarePlan, Milestone


def milestones_overdue(patients: QuerySet[Patient], *, day: date) -> list[tuple[int, str]]:
    """Milestones of active plans not reached by their due date, as of the conference day."""
    milestones = (
        Milestone.objects.filter(
            goal__plan__patient__in=patients,
            goal__plan__status=CarePlan.Status.ACTIVE,
            achieved_on__isnull=True,
            due_date__lt=day,
        )
        .values_list("goal__plan__patient_id", "description", "due_date")
        .order_by("due_date", "id")
    )
    return [
        (patient_id, f"“{description}” due {dates.day_month(due)}, {(day - due).days} days overdue")
        for patient_id, description, due in milestones
    ]


def discharge_review_due(patients: QuerySet[Patient], *, day: date) -> list[tuple[int, str]]:
    """Active plans whose review date has come by the conference day: time to decide on discharge."""
    plans = (
        CarePlan.objects.filter(patient__in=patients, status=CarePlan.Status.ACTIVE, review_date__lte=day)
        .values_list("patient_id", "review_date", "start_date")
        .order_by("review_date")
    )
    return [
        (patient_id, f"plan review date {dates.day_month(review)} (plan started {dates.day(start)})")
        for patient_id, review, start in plans
    ]


# --- activation ---

# The plan agreed for a barrier gets two weeks to be tried (a couple of weekly check-ins and sessions)
# before the team asks whether it worked: pending longer than this puts the patient on the agenda.
BARRIER_REVIEW_AFTER_DAYS = 14


def barriers_to_review(
    patients: QuerySet[Patient], *, day: date, days: int = BARRIER_REVIEW_AFTER_DAYS
) -> list[tuple[int, str]]:
    """Barriers of active plans whose agreed plan is not reviewed yet, noted more than ``days`` days
    before the conference day (one query)."""
    barriers = (
        Barrier.objects.filter(
            plan__patient__in=patients,
            plan__status=CarePlan.Status.ACTIVE,
            outcome=Barrier.Outcome.PENDING,
            noted_on__lt=day - timedelta(days=days),
        )
        .values_list("plan__patient_id", "barrier", "noted_on")
        .order_by("noted_on", "id")
    )
    return [
        (patient_id, f"“{barrier}” noted {dates.day_month(noted)}, {(day - noted).days} days ago")
        for patient_id, barrier, noted in barriers
    ]
