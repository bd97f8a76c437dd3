"""The adherence section of the patient overview."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from screening.instruments import INSTRUMENTS
from teams.models import Patient

from .dashboard import chart_point, week_label
from .selectors import overview_sessions, patient_measures, patient_weeks


def adherence_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    today = timezone.localdate()
    weeks = patient_weeks(patient=patient, today=today)
    recent, upcoming = overview_sessions(patient=patient)
    phq9 = INSTRUMENTS["PHQ-9"]
    return {
        "weeks": weeks,
        "latest": weeks[-1] if weeks else None,
        "sessions": recent,
        "upcoming": upcoming,
        "measures": patient_measures(patient=patient),
        "series": {
            "labels": [week_label(week.starts) for week in weeks],
            # The week that holds today (the last) is this week so far: drawn apart, not as a fall.
            "partial": next((n for n, week in enumerate(weeks) if week.is_current(today)), None),
            "exercise": [chart_point(week.exercise, week.is_current(today)) for week in weeks],
            "attendance": [chart_point(week.attendance, week.is_current(today)) for week in weeks],
            "response": [chart_point(week.response, week.is_current(today)) for week in weeks],
            "mood": [week.mood for week in weeks],
            "pain": [week.pain for week in weeks],
            "phq9": [week.phq9 for week in weeks],
            # Each scale on an axis of its own: PHQ-9 totals run to the instrument's maximum (27).
            "phq9_min": phq9.min_total,
            "phq9_max": phq9.max_total,
        },
    }
