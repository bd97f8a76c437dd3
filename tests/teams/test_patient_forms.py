from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from teams.forms import MRN_TAKEN
from teams.models import AuditEvent, Patient

from ..factories import PatientFactory

CREATE = reverse("patient_create")


@pytest.fixture
def valid(north, clinician):
    return {
        "mrn": "MRN555001",
        "given_name": "Zofia",
        "family_name": "Nowak",
        "date_of_birth": "1968-03-14",
        "email": "zofia.nowak@example.org",
        "mobile": "+44 7400 123456",
        "reminder_channel": "email",
        "language": "pl",
        "consent_to_reminders": "on",
        "reminder_consent_given_on": "2026-01-05",
        "status": "active",
        "team": north.pk,
        "primary_clinician": clinician.pk,
    }


def test_create_patient_saves_and_audits(login, clinician, valid):
    response = login(clinician).post(CREATE, valid)
    patient = Patient.objects.get(mrn="MRN555001")
    assert response.status_code == 302
    assert response.url == patient.get_absolute_url()
    assert str(patient.mobile) == "+447400123456"
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE)
    assert event.actor == clinician
    assert event.patient == patient
    assert "date_of_birth" in event.changed_fields
    # Field names only, never values.
    assert "Nowak" not in str(event.changed_fields)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", (timezone.localdate() + timedelta(days=3)).isoformat(), "cannot be in the future"),
        ("email", "zofia-at-example", "Enter a valid email address."),
        ("mobile", "12345", "Enter a valid phone number"),
        ("given_name", "", "This field is required."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(
    login, clinician, valid, field, value, message
):
    response = login(clinician).post(CREATE, {**valid, field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert not Patient.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).exists()


def test_an_mrn_already_taken_is_refused_whatever_its_case(login, clinician, valid, south_patient):
    response = login(clinician).post(CREATE, {**valid, "mrn": south_patient.mrn.lower()})
    assert response.context["form"].errors["mrn"] == [MRN_TAKEN]
    assert Patient.objects.count() == 1


def test_an_mrn_of_another_team_gets_the_same_answer_and_the_lookup_is_audited(
    login, clinician, valid, patient, south_patient
):
    client = login(clinician)
    own = client.post(CREATE, {**valid, "mrn": patient.mrn})
    other = client.post(CREATE, {**valid, "mrn": south_patient.mrn})
    assert own.context["form"].errors["mrn"] == other.context["form"].errors["mrn"] == [MRN_TAKEN]
    assert south_patient.family_name not in other.text
    lookups = AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, object_type="mrn lookup")
    assert [(e.actor, e.patient) for e in lookups] == [(clinician, south_patient)]


def test_primary_clinician_must_belong_to_the_care_team(login, clinic_admin, valid, outsider):
    response = login(clinic_admin).post(CREATE, {**valid, "primary_clinician": outsider.pk})
    assert "is not a member of North MSK" in response.context["form"].errors["primary_clinician"][0]


def test_a_clinician_cannot_file_a_patient_into_another_team(login, clinician, valid, south, outsider):
    response = login(clinician).post(CREATE, {**valid, "team": south.pk, "primary_clinician": outsider.pk})
    assert "team" in response.context["form"].errors
    assert not Patient.objects.exists()


def test_reminders_by_sms_need_a_mobile(login, clinician, valid):
    response = login(clinician).post(CREATE, {**valid, "reminder_channel": "sms", "mobile": ""})
    assert response.context["form"].errors["mobile"] == ["SMS reminders need a mobile number."]


def test_edit_records_the_changed_field_names(login, colleague, patient):
    url = reverse("patient_edit", kwargs={"patient_id": patient.pk})
    client = login(colleague)
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update(
        {"family_name": "Okafor-Reid", "status": "discharged", "date_of_birth": "1970-05-17", "mobile": ""}
    )
    data["consent_to_reminders"] = "on" if data.pop("consent_to_reminders") else ""
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    patient.refresh_from_db()
    assert patient.family_name == "Okafor-Reid"
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE)
    assert event.changed_fields == ["family_name", "status"]
    assert event.actor == colleague


def test_edit_with_bad_input_changes_nothing(login, clinician, north, patient):
    other = PatientFactory(team=north, primary_clinician=clinician)
    url = reverse("patient_edit", kwargs={"patient_id": patient.pk})
    response = login(clinician).post(
        url,
        {
            "mrn": other.mrn,
            "given_name": "Changed",
            "family_name": patient.family_name,
            "date_of_birth": "1970-05-17",
            "reminder_channel": "email",
            "language": "en",
            "status": "active",
            "team": north.pk,
            "primary_clinician": clinician.pk,
        },
    )
    assert "mrn" in response.context["form"].errors
    # The form sent back shows the record again: that is a view, and it is audited.
    assert AuditEvent.objects.filter(actor=clinician, action=AuditEvent.Action.VIEW, patient=patient).exists()
    patient.refresh_from_db()
    assert patient.given_name == "Amelia"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()
