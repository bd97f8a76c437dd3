"""The urgent-alert banner on every page of a patient: open until someone closes the loop."""

from django.http import HttpRequest

from .selectors import alerts_urgent_unresolved


def patient_alerts(request: HttpRequest) -> dict:
    patient = getattr(request, "patient", None)
    if patient is None:
        return {}
    return {"patient_alerts": alerts_urgent_unresolved(patient=patient)}
