"""Adherence's reasons for a case-conference agenda (``conferences.agenda`` calls them): exercise
completion and attendance under the team's thresholds, from the one definition of each metric.

Both are measured over the team's whole weeks (14 days by default) before the current week: home
exercise is logged a week at a time, so a week still under way would read as exercise not done.
"""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import dateformat

from teams.models import Patient

from .metrics import PATIENT, Rate, attendance_by, exercise_completion_by
from .selectors import week_of

# Below these a patient comes up at the case conference, unless the team sets its own thresholds.
DEFAULT_EXERCISE_BELOW = 60  # % of prescribed home-exercise sessions done
DEFAULT_ATTENDANCE_BELOW = 70  # % of booked sessions attended
DEFAULT_ADHERENCE_DAYS = 14  # measured over these days: whole weeks before the current one


def _weeks(as_of_day: date, days: int) -> tuple[date, date]:
    """[start, end): the team's number of days, ending on the Monday of the week the agenda is made in."""
    end = week_of(as_of_day)
    return end - timedelta(days=days), end


def _under(rates: dict, threshold: int) -> list[tuple[int, Rate]]:
    return sorted(
        (patient_id, rate)
        for patient_id, rate in rates.items()
        if rate.value is not None and rate.value * 100 < Decimal(threshold)
    )


def _span(start: date, end: date) -> str:
    """The weeks measured, as the product writes a day without its year: "9 Nov–22 Nov"."""
    return f"{dateformat.format(start, 'j M')}–{dateformat.format(end - timedelta(days=1), 'j M')}"


def _low(
    weeks: tuple[date, date], rates_by: Callable[..., dict[Any, Rate]], threshold: int, what: str, unit: str
) -> list[tuple[int, str]]:
    """Patients whose rate over the team's weeks is under ``threshold`` percent, with the numbers."""
    start, end = weeks
    return [
        (
            patient_id,
            f"{rate.percent} of {what} {_span(start, end)} "
            # Whole sessions, as a clinician counts them: prescribed sessions are prorated by the days a
            # plan ran, and half a session is a "partly" (both rounded half up).
            f"({rate.whole_numerator} of {rate.whole_denominator}{unit}; under {threshold}%)",
        )
        for patient_id, rate in _under(rates_by(start, end), threshold)
    ]


def exercise_low(
    patients: QuerySet[Patient], *, as_of_day: date, days: int, below: int
) -> list[tuple[int, str]]:
    def rates(start: date, end: date) -> dict[Any, Rate]:
        return exercise_completion_by(patients, start, end, PATIENT)

    return _low(_weeks(as_of_day, days), rates, below, "prescribed home exercise done", " sessions")


def attendance_low(
    patients: QuerySet[Patient], *, as_of_day: date, days: int, below: int
) -> list[tuple[int, str]]:
    def rates(start: date, end: date) -> dict[Any, Rate]:
        return attendance_by(patients, start, end, PATIENT)

    return _low(_weeks(as_of_day, days), rates, below, "sessions attended", "")
