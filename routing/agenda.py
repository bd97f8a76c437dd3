"""Routing's reasons for a case-conference agenda (``conferences.agenda`` calls them), as of ``day``,
the conference day: reviews nobody has resolved by their due day, and follow-up screenings not done by
theirs. One query each, whatever the team."""

from datetime import date

from django.db.models import QuerySet

from core.dates import day_month
from teams.models import Patient

from .selectors import rescreens_missed, reviews_overdue


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def reviews_overdue_found(patients: QuerySet[Patient], *, day: date) -> list[tuple[int, str]]:
    """Unresolved reviews due before the conference day, with their owner and how late they are."""
    return [
        (
            review.patient_id,
            f"{review.reason} — {review.owner}, due {day_month(review.due_on)}, "
            f"{_days((day - review.due_on).days)} overdue",
        )
        for review in reviews_overdue(patients=patients, day=day)
    ]


def rescreens_missed_found(patients: QuerySet[Patient], *, day: date) -> list[tuple[int, str]]:
    """Follow-up screenings still due after their day, by the conference day."""
    return [
        (
            rescreen.patient_id,
            f"{rescreen.instrument} re-screen due {day_month(rescreen.due_on)}, "
            f"{_days((day - rescreen.due_on).days)} overdue",
        )
        for rescreen in rescreens_missed(patients=patients, today=day)
    ]
