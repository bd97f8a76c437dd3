"""Hostile input: injection strings and unicode edge cases are stored as text and shown escaped; a body
too big or of the wrong type is refused with a clear answer, never a server error, and nothing is saved."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from teams.models import Patient

HOSTILE = [
    "<script>alert('x')</script>",
    "Robert'); DROP TABLE teams_patient;--",
    '" onmouseover="alert(1)',
    "{{ request.user }} {% debug %}",
    "Zoë Ñúñez-Łukasiewicz 山田 مريم",
    "e\u0301\u0301\u0301 \u200b\u200d \u202eevil",
    "👩🏽‍⚕️ 🧠",
]


@pytest.fixture
def form(north, clinician):
    return {
        "mrn": "MRN900001",
        "given_name": "Given",
        "family_name": "Family",
        "date_of_birth": "1970-01-01",
        "reminder_channel": "email",
        "language": "en",
        "status": "active",
        "team": north.pk,
        "primary_clinician": clinician.pk,
    }


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_as_typed_and_rendered_escaped(login, clinician, form, text):
    client = login(clinician)
    response = client.post(
        reverse("patient_create"), form | {"given_name": text[:100], "family_name": "Hostile"}
    )
    assert response.status_code == 302, response.content[:500]
    patient = Patient.objects.get(mrn="MRN900001")
    assert patient.given_name == text[:100]
    page = client.get(patient.get_absolute_url()).content.decode()
    assert "<script>alert(" not in page and 'onmouseover="alert' not in page
    if "<" in text:
        assert "&lt;script&gt;" in page
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM teams_patient")
        assert cursor.fetchone()[0] == 1  # the table is still there, with the one patient


def test_a_body_too_big_is_refused_and_nothing_is_saved(login, api_as, clinician, form, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    page = login(clinician).post(reverse("patient_create"), form | {"family_name": "x" * 20_000})
    assert page.status_code == 400
    api = api_as(clinician).post(
        reverse("api_patient_list"),
        json.dumps(form | {"family_name": "x" * 20_000}),
        content_type="application/json",
    )
    assert api.status_code in (400, 413)
    assert not Patient.objects.filter(mrn="MRN900001").exists()


def test_the_wrong_content_type_gets_415_in_the_api_error_shape(api_as, clinician, form):
    response = api_as(clinician).post(reverse("api_patient_list"), "mrn=MRN900001", content_type="text/plain")
    assert response.status_code == 415
    assert set(response.json()) == {"detail", "errors"}
    assert not Patient.objects.filter(mrn="MRN900001").exists()


def test_malformed_json_gets_400_in_the_api_error_shape(api_as, clinician):
    response = api_as(clinician).post(
        reverse("api_patient_list"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}
