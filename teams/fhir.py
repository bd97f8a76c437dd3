"""FHIR R4 Patient: a minimal resource with the MRN as identifier."""

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.response import Response

from core.fhir import FHIRView

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
