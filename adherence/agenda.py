"""Adherence's reasons for a case-conference agenda (see ``teams.agenda``): exercise completion and
attendance over the team's window, under the team's thresholds, from the one definition of each metric."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import QuerySet

from teams.agenda import Window
from teams.models import Patient

from .metrics import PATIENT, Rate, attendance_by, exercise_completion_by


def _under(rates: dict, threshold: int) -> list[tuple[int, Rate]]:
    return sorted(
        (patient_id, rate)
        for patient_id, rate in rates.items()
        if rate.value is not None and rate.value * 100 < Decimal(threshold)
    )


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.1f}"


def exercise_low(patients: QuerySet[Patient], window: Window) -> list[tuple[int, str]]:
    days, threshold = window.thresholds.adherence_days, window.thresholds.exercise_below
    end = window.as_of_day
    rates = exercise_completion_by(patients, end - timedelta(days=days), end, PATIENT)
    return [
        (
            patient_id,
            f"{rate.percent} of prescribed home exercise done over {days} days "
            f"({_number(rate.numerator)} of {_number(rate.denominator)} sessions; under {threshold}%)",
        )
        for patient_id, rate in _under(rates, threshold)
    ]


def attendance_low(patients: QuerySet[Patient], window: Window) -> list[tuple[int, str]]:
    days, threshold = window.thresholds.adherence_days, window.thresholds.attendance_below
    end = window.as_of_day
    rates = attendance_by(patients, end - timedelta(days=days), end, PATIENT)
    return [
        (
            patient_id,
            f"{rate.percent} of sessions attended over {days} days "
            f"({_number(rate.numerator)} of {_number(rate.denominator)}; under {threshold}%)",
        )
        for patient_id, rate in _under(rates, threshold)
    ]
