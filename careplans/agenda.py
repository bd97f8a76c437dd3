"""Care plans' reasons for a case-conference agenda (``conferences.agenda`` calls them), as of ``day``,
the conference day."""

from datetime import date, timedelta

from django.db.models import F, Q, QuerySet

from core import dates
from teams.models import Patient

from .models import Barrier, CarePlan, Milestone, Referral


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


# --- directory and referrals ---


def referral_follow_ups_overdue(patients: QuerySet[Patient], *, day: date) -> list[tuple[int, str]]:
    """Open referrals of running plans whose follow-up date is past by the conference day, and workplace
    accommodations whose review date has come (one query)."""
    rows = (
        Referral.objects.filter(
            plan__patient__in=patients,
            plan__status__in=[CarePlan.Status.DRAFT, CarePlan.Status.ACTIVE],
        )
        .filter(
            Q(status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED], follow_up_due__lt=day)
            | Q(accommodation_review_on__lte=day)
            & ~Q(status__in=[Referral.Status.DECLINED, Referral.Status.NO_RESPONSE])
        )
        .select_related("resource")
        .annotate(plan_patient_id=F("plan__patient_id"))
        .order_by("follow_up_due", "id")
    )
    found = []
    for referral in rows:
        patient_id = referral.plan_patient_id
        due = referral.follow_up_due
        if referral.is_open and due is not None and due < day:
            found.append(
                (patient_id, f"Referral follow-up overdue: {referral.service}, due {dates.day_month(due)}")
            )
        review = referral.accommodation_review_on
        if review is not None and review <= day and referral.status not in ("declined", "no_response"):
            found.append(
                (patient_id, f"Accommodation review due: {referral.service}, {dates.day_month(review)}")
            )
    return found
