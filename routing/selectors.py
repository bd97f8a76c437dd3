"""Reads of care routing: reviews and re-screens as a user may see them, and the figures built on them.

Each helper keeps its reads under its own heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from screening.instruments import INSTRUMENTS, Overrides, change_between
from screening.models import Screening
from screening.selectors import instrument_overrides
from teams.models import Patient

from .models import Condition, Rescreen, Review, RoutingRule

# --- reporting ---


def reviews_overdue(*, patients: QuerySet[Patient], day: date) -> QuerySet[Review]:
    """Unresolved reviews of these patients due before ``day``, most overdue first, with patient and owner."""
    return (
        Review.objects.unresolved()
        .filter(patient__in=patients, due_on__lt=day)
        .select_related("patient", "owner")
        .order_by("due_on", "id")
    )


def rescreens_overdue(*, patients: QuerySet[Patient], day: date) -> QuerySet[Rescreen]:
    """Follow-up screenings of these patients still due after their day has passed (missed)."""
    return (
        Rescreen.objects.due()
        .filter(patient__in=patients, due_on__lt=day)
        .select_related("patient")
        .order_by("due_on", "id")
    )


# --- rescreens ---


def rescreens_due(*, patient: Patient) -> QuerySet[Rescreen]:
    """The patient's follow-up screenings still due, soonest first, with the review that asked for each."""
    return (
        Rescreen.objects.due()
        .filter(patient=patient)
        .select_related("review__rule")
        .order_by("due_on", "instrument", "id")
    )


def rescreens_missed(*, patients: QuerySet[Patient], today: date) -> QuerySet[Rescreen]:
    """Follow-up screenings of these patients still due after their day (``due_on`` before ``today``):
    missed. Soonest missed first, with the patient and the review that asked for each."""
    return (
        Rescreen.objects.due()
        .filter(patient__in=patients, due_on__lt=today)
        .select_related("patient", "review")
        .order_by("due_on", "id")
    )


def rescreen_instruments_due(*, patient: Patient, today: date) -> list[str]:
    """The instruments of the patient's follow-up screenings due by ``today``: what their next reminder
    carries (a missed one too, until it is done or cancelled). One query."""
    return list(
        Rescreen.objects.due()
        .filter(patient=patient, due_on__lte=today)
        .order_by("due_on", "instrument")
        .values_list("instrument", flat=True)
    )


def improvement_reasons(
    *, rule: RoutingRule, finding: Screening, later: Screening, overrides: Overrides | None
) -> list[str]:
    """How ``later`` improved on the finding that fired ``rule`` (empty: it did not): a reliable
    improvement of the total (the screening app's own ``change_between``), and/or a move out of what fired
    the rule (its flag, its band, its range of the total or a subscale) towards the better side. Leaving a
    band for a worse one is not an improvement, nor is a change smaller than the reliable change."""
    instrument = INSTRUMENTS.get(finding.instrument)
    if instrument is None:
        return []
    change = change_between(instrument, finding.total, later.total, overrides=overrides)
    reasons = []
    if change.reliable and change.direction == "improvement":
        reasons.append(f"reliable improvement ({finding.total} → {later.total})")
    better = change.direction == "improvement"
    if rule.condition == Condition.FLAG and better and rule.flag not in later.flags:
        reasons.append(f"no longer flagged {rule.flag}")
    elif rule.condition == Condition.BAND and better and later.band != rule.band:
        reasons.append(f"out of the {rule.band.lower()} band")
    elif rule.condition == Condition.SCORE:
        value = later.total if not rule.subscale else later.subscales.get(rule.subscale)
        what = f"{rule.subscale} subscale" if rule.subscale else "total"
        if isinstance(value, int):
            if instrument.higher_is_better and rule.high is not None and value > rule.high:
                reasons.append(f"{what} {value}, above {rule.high}")
            elif not instrument.higher_is_better and rule.low is not None and value < rule.low:
                reasons.append(f"{what} {value}, under {rule.low}")
    return reasons


def review_improvement(*, review: Review) -> list[str]:
    """Why a review is marked improved (empty while it is not): derived from its finding, its rule and
    the result that improved on it, against the change thresholds in force (one query for those)."""
    if review.improved_by is None:
        return []
    return improvement_reasons(
        rule=review.rule,
        finding=review.screening,
        later=review.improved_by,
        overrides=instrument_overrides(review.screening.instrument),
    )


@dataclass(frozen=True)
class RescreenLine:
    rescreen: Rescreen
    missed: bool
    days_over: int


@dataclass(frozen=True)
class RescreenSection:
    """The overview's follow-up screenings: those due (missed ones a day past their day), whether the
    patient's reminders will carry them, and the last ones done."""

    due: list[RescreenLine]
    by_link: bool
    done: list[Rescreen]


RESCREENS_DONE_SHOWN = 3


def rescreen_section(*, patient: Patient, today: date) -> RescreenSection:
    """Three queries, whatever the patient's history."""
    due = [
        RescreenLine(
            rescreen, missed=rescreen.due_on < today, days_over=max((today - rescreen.due_on).days, 0)
        )
        for rescreen in rescreens_due(patient=patient)
    ]
    # Sent by link when the patient's reminders go out: consent on their record and a check-in schedule
    # they have not stopped. The schedule is checkins' (above routing): read through the reverse relation
    # by name, so routing imports nothing of checkins.
    by_link = Patient.objects.filter(
        pk=patient.pk,
        status=Patient.Status.ACTIVE,
        consent_to_reminders=True,
        checkin_schedule__isnull=False,
        checkin_schedule__opted_out_at__isnull=True,
    ).exists()
    done = list(
        Rescreen.objects.filter(patient=patient, state=Rescreen.State.DONE)
        .select_related("screening")
        .order_by("-done_at", "-id")[:RESCREENS_DONE_SHOWN]
    )
    return RescreenSection(due=due, by_link=by_link, done=done)


# --- review to plan ---


def review_of_patient(*, patient: Patient, review_id: int) -> Review | None:
    """One review of the patient, with its rule, owner and finding (None: not theirs, or no such review)."""
    return (
        Review.objects.filter(patient=patient, pk=review_id)
        .select_related("rule", "owner", "screening", "resolved_by")
        .first()
    )


def rescreen_due_of(*, patient_id: int, instrument: str) -> Rescreen | None:
    """The patient's due re-screen of one instrument (there is at most one)."""
    return Rescreen.objects.due().filter(patient_id=patient_id, instrument=instrument).first()
