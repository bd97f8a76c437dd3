"""The care plan section of the patient overview."""

from typing import Any

from django.http import HttpRequest

from teams.models import Patient

from .selectors import plan_overview


def careplan_section_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    return {"overview": plan_overview(patient=patient)}
