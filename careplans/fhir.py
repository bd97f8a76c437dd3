"""FHIR R4 ``CarePlan`` (read): ``/fhir/CarePlan/{id}``.

The plan's status (draft, active, completed), the Patient as ``subject``, its start and review dates as
``period`` (the review date is when the team decides on discharge), the three summaries as notes, and
as ``activity``: the psychological support first (``performer`` who delivers it, the modality as the
activity's code, how often as ``scheduledString``; left out until the team agrees it), then each
responsibility (its intervention, owner, frequency and status).
"""

from typing import Any

from django.http import Http404
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from core.fhir import FHIRView, fhir_base, not_found
from teams.access import patient_for_request
from teams.models import AuditEvent
from teams.services import audit_record

from .models import CarePlan, Responsibility

ACTIVITY_STATUS = {
    Responsibility.Status.PLANNED: "scheduled",
    Responsibility.Status.ACTIVE: "in-progress",
    Responsibility.Status.DONE: "completed",
    Responsibility.Status.STOPPED: "stopped",
}


def modality_system() -> str:
    return f"{fhir_base()}/CodeSystem/support-modality"


def intervention_system() -> str:
    return f"{fhir_base()}/CodeSystem/intervention"


def support_activity(plan: CarePlan) -> dict[str, Any] | None:
    """The plan's psychological support as an activity; None until someone is agreed to deliver it."""
    if plan.support_by is None:
        return None
    code: dict[str, Any] = {"text": "Psychological support"}
    if plan.support_modality:
        label = plan.get_support_modality_display()
        code = {
            "coding": [{"system": modality_system(), "code": plan.support_modality, "display": label}],
            "text": f"Psychological support: {label}",
        }
    detail: dict[str, Any] = {
        "kind": "ServiceRequest",
        "code": code,
        "status": "in-progress" if plan.status == CarePlan.Status.ACTIVE else "not-started",
        "performer": [{"display": str(plan.support_by)}],
    }
    if plan.support_frequency:
        detail["scheduledString"] = plan.support_frequency
    return {"detail": detail}


def responsibility_activity(responsibility: Responsibility) -> dict[str, Any]:
    label = responsibility.get_intervention_display()
    detail: dict[str, Any] = {
        "kind": "ServiceRequest",
        "code": {
            "coding": [
                {"system": intervention_system(), "code": responsibility.intervention, "display": label}
            ],
            "text": label,
        },
        "status": ACTIVITY_STATUS[Responsibility.Status(responsibility.status)],
        "performer": [{"display": str(responsibility.owner)}],
        "scheduledString": responsibility.frequency,
    }
    if responsibility.details:
        detail["description"] = responsibility.details
    return {"detail": detail}


def care_plan_resource(plan: CarePlan) -> dict[str, Any]:
    summaries = [
        ("Physical", plan.summary_physical),
        ("Psychological", plan.summary_psychological),
        ("Social", plan.summary_social),
    ]
    support = support_activity(plan)
    activities = [support] if support else []
    activities += [responsibility_activity(r) for r in plan.responsibilities.all()]
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(plan.pk),
        "status": plan.status,  # draft, active, completed: FHIR's own codes
        "intent": "plan",
        "title": str(plan),
        "subject": {"reference": f"Patient/{plan.patient_id}"},
        "period": {"start": plan.start_date.isoformat(), "end": plan.review_date.isoformat()},
        "created": timezone.localtime(plan.created_at).isoformat(),
        "author": {"display": str(plan.created_by)},
    }
    notes = [{"text": f"{label}: {text}"} for label, text in summaries if text]
    if notes:
        resource["note"] = notes
    if activities:
        resource["activity"] = activities
    return resource


def _plan_patient_id(plan_id: int) -> int | None:
    """Whose plan this is, read before the access check (``CarePlan/{id}`` names no patient)."""
    return CarePlan.objects.filter(pk=plan_id).values_list("patient_id", flat=True).first()


class CarePlanView(FHIRView):
    def get(self, request: Request, plan_id: int) -> Response:
        patient_id = _plan_patient_id(plan_id)
        if patient_id is None:
            raise not_found("CarePlan")
        try:
            patient = patient_for_request(request._request, patient_id)
        except Http404:
            # Another team's plan gets the answer of one that does not exist (the refusal is audited).
            raise not_found("CarePlan") from None
        plan = (
            CarePlan.objects.filter(patient=patient, pk=plan_id)
            .select_related("created_by", "support_by")
            .prefetch_related("responsibilities__owner")
            .get()
        )
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, patient=patient, obj=patient)
        return Response(care_plan_resource(plan))
