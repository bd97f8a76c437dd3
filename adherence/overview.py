"""The adherence section of the patient overview."""

from typing import Any

from django.http import HttpRequest

from teams.models import Patient

from .selectors import patient_measures, patient_sessions, patient_weeks


def adherence_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    weeks = patient_weeks(patient=patient)
    return {
        "weeks": weeks,
        "latest": weeks[-1] if weeks else None,
        "sessions": patient_sessions(patient=patient),
        "measures": patient_measures(patient=patient),
        "series": {
            "labels": [week.starts.strftime("%d %b") for week in weeks],
            "exercise": [week.exercise.whole_percent for week in weeks],
            "attendance": [week.attendance.whole_percent for week in weeks],
            "response": [week.response.whole_percent for week in weeks],
            "mood": [week.mood for week in weeks],
            "pain": [week.pain for week in weeks],
            "phq9": [week.phq9 for week in weeks],
        },
    }
