"""The urgent-alert banner on every page of a patient: open until someone closes the loop."""

from django.http import HttpRequest

from teams import policy

from .selectors import AlertGroup, alerts_urgent_unresolved


def patient_alerts(request: HttpRequest) -> dict:
    patient = getattr(request, "patient", None)
    if patient is None:
        return {}
    alerts = alerts_urgent_unresolved(patient=patient)
    may_act = policy.may_change_patient(request.user, patient)
    return {
        "patient_alerts": alerts,
        # Several at once show as one line with a count (the alerts themselves behind an expand).
        "patient_alert_group": AlertGroup(patient=patient, alerts=alerts, may_act=may_act)
        if alerts
        else None,
        # Emergency access reads the alert; the patient's team acknowledges and closes it.
        "alerts_may_act": may_act,
    }
