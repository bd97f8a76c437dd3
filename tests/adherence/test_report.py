import io
from datetime import UTC, date, datetime

import pytest
import time_machine
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
    caregiver = plan.caregivers.filter(consent_scopes__contains=["progress_reports"]).first()
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


# --- caregivers: the consent is checked each time the report is rendered for one ---

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def report_caregiver(patient, clinician):
    from careplans.services import part_create, plan_create

    plan = plan_create(
        patient=patient, user=clinician, start_date=date(2026, 9, 1), review_date=date(2026, 12, 1)
    )
    return part_create(
        instance=Caregiver(
            plan=plan,
            name="Maria",
            relationship="daughter",
            contact="maria@example.org",
            consent_scopes=["progress_reports"],
            consent_given_by="the patient",
            consent_given_on=date(2026, 11, 2),
            consent_recorded_how="verbal",
            consent_until=date(2026, 12, 31),
        ),
        user=clinician,
    )


def _report(client, patient, caregiver):
    url = reverse("progress_report", kwargs={"patient_id": patient.pk})
    return client.get(url, {"caregiver": caregiver.pk})


@pytest.mark.usefixtures("db")
def test_a_report_for_a_caregiver_is_refused_after_the_consent_is_withdrawn(
    login, patient, clinician, report_caregiver
):
    from careplans.services import caregiver_consent_withdraw

    client = login(clinician)
    with time_machine.travel(NOW, tick=False):
        assert "Prepared for Maria (daughter)" in _report(client, patient, report_caregiver).text
        caregiver_consent_withdraw(caregiver=report_caregiver, user=clinician)
        refused = _report(client, patient, report_caregiver)
        pdf = client.get(
            reverse("progress_report_pdf", kwargs={"patient_id": patient.pk}),
            {"caregiver": report_caregiver.pk},
        )
    assert refused.status_code == 403 and pdf.status_code == 403
    assert "consent withdrawn on 30 Nov 2026" in refused.text
    assert "Maria" not in refused.text and "Home exercise" not in refused.text


@pytest.mark.usefixtures("db")
def test_a_report_for_a_caregiver_is_refused_after_the_consent_ends(
    login, patient, clinician, report_caregiver
):
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), tick=False):
        assert _report(login(clinician), patient, report_caregiver).status_code == 200  # the last day
    with time_machine.travel(datetime(2027, 1, 1, 9, 0, tzinfo=UTC), tick=False):
        refused = _report(login(clinician), patient, report_caregiver)
    assert refused.status_code == 403 and "consent ended on 31 Dec 2026" in refused.text


@pytest.mark.usefixtures("db")
def test_a_report_for_a_caregiver_without_that_scope_is_refused(login, patient, clinician, report_caregiver):
    Caregiver.objects.filter(pk=report_caregiver.pk).update(consent_scopes=["education"])
    with time_machine.travel(NOW, tick=False):
        refused = _report(login(clinician), patient, report_caregiver)
    assert refused.status_code == 403 and "no consent to progress reports" in refused.text


@pytest.mark.usefixtures("db")
def test_a_caregiver_of_another_patient_gets_no_report(login, patient, clinician, report_caregiver, north):
    from tests.factories import PatientFactory

    other = PatientFactory(team=north, primary_clinician=clinician)
    with time_machine.travel(NOW, tick=False):
        refused = _report(login(clinician), other, report_caregiver)
    assert refused.status_code == 403 and "no such caregiver" in refused.text
