"""The check-in section of the patient overview."""

from typing import Any

from django.http import HttpRequest

from teams.models import Patient

from .selectors import checkin_panel


def checkin_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    return {"panel": checkin_panel(patient=patient)}
