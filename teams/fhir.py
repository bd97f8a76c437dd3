"""FHIR R4 Patient: a minimal resource with the MRN as identifier."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from core.fhir import FHIRInvalid, FHIRView, bundle, fhir_base, page_size, patient_reference_id

from .access import patient_for_request
from .models import AuditEvent, Patient
from .services import audit_record


def mrn_system() -> str:
    """The identifier system of our MRNs: a clinic sets ``FHIR_MRN_SYSTEM`` to its own URI."""
    return settings.FHIR_MRN_SYSTEM


def patient_resource(patient: Patient) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "identifier": [{"use": "usual", "system": mrn_system(), "value": patient.mrn}],
        "active": patient.status == Patient.Status.ACTIVE,
        "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
        "birthDate": patient.date_of_birth.isoformat(),
    }


class PatientScopedFHIRView(FHIRView):
    """A FHIR view of one patient: the one access check runs first, whatever the method."""

    patient_scoped = True  # read by the URL-wide access test

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.patient = patient_for_request(request._request, kwargs["patient_id"])


class PatientResourceView(PatientScopedFHIRView):
    def get(self, request: Request, patient_id: int) -> Response:
        audit_record(
            actor=request.user, action=AuditEvent.Action.VIEW, patient=self.patient, obj=self.patient
        )
        return Response(patient_resource(self.patient))


def patient_search(
    request: Request,
    *,
    resource_type: str,
    rows: Callable[[Patient], QuerySet[Any]],
    resource: Callable[[Any], dict[str, Any]],
) -> Response:
    """``GET {resource_type}?patient={id}``: one patient's ``rows`` as resources, in pages (``_count``,
    ``_page``), through the access check (another team's patient is not found, audited) and one ``view``
    event for the patient."""
    params = request.query_params
    if "patient" not in params:
        raise FHIRInvalid([("patient", "Search by patient: ?patient={id}.")])
    patient = patient_for_request(request._request, patient_reference_id(params["patient"], "patient"))
    size = page_size(params.get("_count"))
    page = params.get("_page", "1")
    number = int(page) if page.isdigit() and int(page) >= 1 else 1
    found = rows(patient)
    total = found.count()
    chosen = list(found[(number - 1) * size : number * size])
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, patient=patient, obj=patient)
    search = f"{fhir_base()}/{resource_type}?patient={patient.pk}&_count={size}"
    more = number * size < total
    return Response(
        bundle(
            [resource(row) for row in chosen],
            f"{search}&_page={number}",
            total=total,
            next_url=f"{search}&_page={number + 1}" if more else "",
        )
    )
