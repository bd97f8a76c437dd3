import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from careplans.models import Caregiver, CarePlan
from teams.models import AuditEvent, Patient

pytestmark = pytest.mark.slow


def _demo_patient(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    plan = (
        CarePlan.objects.filter(status="active", caregivers__isnull=False).select_related("patient").first()
    )
    return plan.patient, plan


def test_report_in_plain_language_for_the_patient(login, db, settings):
    patient, plan = _demo_patient(settings)
    client = login(patient.primary_clinician)
    page = client.get(reverse("progress_report", kwargs={"patient_id": patient.pk}))
    text = page.text
    assert f"{patient.given_name}'s progress" in text
    assert plan.goals.first().patient_words in text
    assert "Home exercise:" in text and "How things have moved" in text
    assert "<svg" in text  # small charts, drawn without script


def test_report_for_a_caregiver_needs_the_patients_consent(login, db, settings):
    patient, plan = _demo_patient(settings)
    caregiver = plan.caregivers.first()
    client = login(patient.primary_clinician)
    url = reverse("progress_report", kwargs={"patient_id": patient.pk})
    assert f"Prepared for {caregiver.name}" in client.get(url, {"caregiver": caregiver.pk}).text
    Caregiver.objects.filter(pk=caregiver.pk).update(consent_scopes=[])
    refused = client.get(url, {"caregiver": caregiver.pk})
    assert refused.status_code == 403
    assert caregiver.name not in refused.text and plan.goals.first().patient_words not in refused.text


def test_pdf_report_renders_for_a_demo_patient(login, db, settings):
    patient, plan = _demo_patient(settings)
    client = login(patient.primary_clinician)
    response = client.get(reverse("progress_report_pdf", kwargs={"patient_id": patient.pk}))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert f"{patient.given_name}'s progress" in text
    assert "Home exercise" in text
    assert AuditEvent.objects.filter(patient=patient, action=AuditEvent.Action.EXPORT).exists()
    assert Patient.objects.count() >= 40
