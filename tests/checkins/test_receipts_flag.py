"""A number or address a provider could never deliver to, flagged on the patient: shown on the overview
and the details form, cleared (and audited) when the number or address is changed."""

from datetime import UTC, datetime

from django.urls import reverse

from teams.models import AuditEvent
from teams.services import patient_update

from .test_receipts import MOBILE

FAILED_AT = datetime(2026, 3, 2, 18, 2, tzinfo=UTC)


def flag(patient, *, mobile=True, email=False):
    patient.mobile = MOBILE
    if mobile:
        patient.mobile_failed_at = FAILED_AT
        patient.mobile_failed_reason = "Twilio error 30005: unknown number"
    if email:
        patient.email_failed_at, patient.email_failed_reason = FAILED_AT, "Postmark: mailbox not found"
    patient.save()
    return patient


def test_the_overview_says_texts_to_the_number_cannot_be_delivered(login, clinician, patient):
    flag(patient, email=True)
    text = login(clinician).get(patient.get_absolute_url()).text
    assert (
        f"Texts to {MOBILE} cannot be delivered: Twilio error 30005: unknown number (since 2 Mar 2026)."
        in " ".join(text.split())
    )
    assert f"Emails to {patient.email} cannot be delivered: Postmark: mailbox not found" in text


def test_no_alert_while_nothing_failed(login, clinician, patient):
    text = login(clinician).get(patient.get_absolute_url()).text
    assert "cannot be delivered" not in text


def test_the_details_form_shows_it_where_the_number_is_changed(login, clinician, patient):
    flag(patient)
    text = login(clinician).get(reverse("patient_edit", kwargs={"patient_id": patient.pk})).text
    assert 'id="mobile-failed"' in text and "unknown number" in text


def test_changing_the_number_clears_its_flag_and_the_audit_names_it(clinician, patient):
    flag(patient, email=True)
    patient = patient_update(user=clinician, patient=patient, data={"mobile": "+447400123457"})
    patient.refresh_from_db()
    assert (patient.mobile_failed_at, patient.mobile_failed_reason) == (None, "")
    assert patient.email_failed_at == FAILED_AT  # the address did not change
    event = AuditEvent.objects.filter(patient=patient, action=AuditEvent.Action.UPDATE).latest("id")
    assert event.changed_fields == ["mobile", "mobile_failed_at", "mobile_failed_reason"]


def test_changing_something_else_keeps_the_flag(clinician, patient):
    flag(patient)
    patient = patient_update(user=clinician, patient=patient, data={"family_name": "Okafor-Reid"})
    patient.refresh_from_db()
    assert patient.mobile_failed_at == FAILED_AT


def test_changing_the_address_clears_its_flag(clinician, patient):
    flag(patient, mobile=False, email=True)
    patient = patient_update(user=clinician, patient=patient, data={"email": "amelia@example.net"})
    patient.refresh_from_db()
    assert (patient.email_failed_at, patient.email_failed_reason) == (None, "")
