"""Reads of care routing: reviews and re-screens as a user may see them, and the figures built on them.

Each helper keeps its reads under its own heading.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from teams.models import Patient

from .models import Rescreen, Review

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
