"""FHIR R4 ``Task`` for psychosocial reviews (read): ``/fhir/Task?patient={id}`` and ``/fhir/Task/{id}``.

- ``status``: open → ``ready`` (assigned, not started), in progress → ``in-progress``, resolved →
  ``completed``; ``businessStatus`` says how it was resolved (plan updated, referred, patient declined,
  no action needed), with the clinician's note in ``note``.
- ``for`` the Patient; ``focus`` the QuestionnaireResponse (screening result) that flagged; ``owner``
  the clinician who owns it (by name: staff are not FHIR resources here) with their discipline in
  ``performerType``; ``restriction.period.end`` the due day; ``reasonCode.text`` the finding.
- ``output``: the plan parts the resolution added or changed, each a reference to its CarePlan.
"""

from typing import Any

from django.http import Http404
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from core.fhir import FHIRView, fhir_base, not_found
from teams.access import patient_for_request
from teams.fhir import patient_search
from teams.models import AuditEvent
from teams.services import audit_record

from . import selectors
from .models import Review

STATUS = {
    Review.State.OPEN: "ready",
    Review.State.IN_PROGRESS: "in-progress",
    Review.State.RESOLVED: "completed",
}


def resolution_system() -> str:
    return f"{fhir_base()}/CodeSystem/review-resolution"


def discipline_system() -> str:
    return f"{fhir_base()}/CodeSystem/discipline"


def _moment(value: Any) -> str:
    return timezone.localtime(value).isoformat()


def task_resource(review: Review) -> dict[str, Any]:
    plan_parts: list[tuple[str, Any, int]] = [
        ("Responsibility", part, part.plan_id) for part in review.responsibilities.all()
    ]
    plan_parts += [("Milestone", part, part.goal.plan_id) for part in review.milestones.all()]
    resource: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(review.pk),
        "status": STATUS[Review.State(review.state)],
        "intent": "order",
        "code": {"text": "Psychosocial review"},
        "description": review.reason,
        "for": {"reference": f"Patient/{review.patient_id}"},
        "focus": {"reference": f"QuestionnaireResponse/{review.screening_id}"},
        "authoredOn": _moment(review.opened_at),
        "lastModified": _moment(review.resolved_at or review.started_at or review.opened_at),
        "owner": {"display": str(review.owner)},
        "performerType": [
            {
                "coding": [
                    {
                        "system": discipline_system(),
                        "code": review.discipline,
                        "display": review.get_discipline_display(),
                    }
                ]
            }
        ],
        "reasonCode": {"text": review.reason},
        "restriction": {"period": {"end": review.due_on.isoformat()}},
    }
    if review.started_at or review.resolved_at:
        resource["executionPeriod"] = {
            **({"start": _moment(review.started_at)} if review.started_at else {}),
            **({"end": _moment(review.resolved_at)} if review.resolved_at else {}),
        }
    if review.resolution:
        label = review.get_resolution_display()
        resource["businessStatus"] = {
            "coding": [{"system": resolution_system(), "code": review.resolution, "display": label}],
            "text": label,
        }
    if review.resolution_note:
        note: dict[str, Any] = {"text": review.resolution_note}
        if review.resolved_by is not None:
            note["authorString"] = str(review.resolved_by)
        if review.resolved_at:
            note["time"] = _moment(review.resolved_at)
        resource["note"] = [note]
    if plan_parts:
        resource["output"] = [
            {
                "type": {"text": f"{kind} added or changed"},
                "valueReference": {"reference": f"CarePlan/{plan_id}", "display": f"{kind}: {part}"},
            }
            for kind, part, plan_id in plan_parts
        ]
    return resource


class TaskListView(FHIRView):
    """``GET ?patient={id}``: a patient's reviews as Tasks, newest first, in pages (``_count``, ``_page``)."""

    def get(self, request: Request) -> Response:
        return patient_search(
            request,
            resource_type="Task",
            rows=lambda patient: selectors.patient_reviews(patient=patient),
            resource=task_resource,
        )


class TaskView(FHIRView):
    def get(self, request: Request, review_id: int) -> Response:
        patient_id = selectors.review_patient_id(review_id=review_id)
        if patient_id is None:
            raise not_found("Task")
        try:
            patient = patient_for_request(request._request, patient_id)
        except Http404:
            # Another team's review gets the answer of one that does not exist (the refusal is audited).
            raise not_found("Task") from None
        review = selectors.patient_review(patient=patient, review_id=review_id)
        if review is None:
            raise not_found("Task")
        audit_record(actor=request.user, action=AuditEvent.Action.VIEW, patient=patient, obj=patient)
        return Response(task_resource(review))
