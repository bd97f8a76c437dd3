"""The patient API: list with filters, create, read, update; the one error shape; tokens revoked; throttled
per token."""

from django.urls import reverse
from knox.models import AuthToken

from teams.models import AuditEvent, Patient

from ..factories import PatientFactory

NEW = {
    "mrn": "API-0001",
    "given_name": "Nia",
    "family_name": "Roberts",
    "date_of_birth": "1971-04-02",
    "email": "nia@example.org",
    "consent_to_reminders": True,
    "reminder_consent_given_on": "2026-01-05",
}


def _new(north, clinician, **fields):
    return NEW | {"team": north.pk, "primary_clinician": clinician.pk} | fields


def test_the_list_filters_by_team_status_and_mrn_and_paginates(api_as, clinician, north, south, patient):
    PatientFactory.create_batch(30, team=north, primary_clinician=clinician)
    discharged = PatientFactory(team=north, primary_clinician=clinician, status=Patient.Status.DISCHARGED)
    PatientFactory(team=south)
    api = api_as(clinician)
    body = api.get(reverse("api_patient_list"), {"team": north.pk}).json()
    assert body["count"] == 32 and len(body["results"]) == 25 and body["next"]
    only = api.get(reverse("api_patient_list"), {"status": "discharged"}).json()
    assert [row["id"] for row in only["results"]] == [discharged.pk]
    by_mrn = api.get(reverse("api_patient_list"), {"mrn": patient.mrn.lower()}).json()
    assert [row["id"] for row in by_mrn["results"]] == [patient.pk]
    assert api.get(reverse("api_patient_list"), {"team": south.pk}).json()["count"] == 0


def test_a_patient_is_registered_through_the_same_rules_as_the_form(api_as, clinician, north):
    api = api_as(clinician)
    response = api.post(reverse("api_patient_list"), _new(north, clinician), format="json")
    assert response.status_code == 201, response.content
    patient = Patient.objects.get(mrn="API-0001")
    assert response.json()["id"] == patient.pk and patient.team == north
    assert AuditEvent.objects.filter(action="create", patient=patient, actor=clinician).exists()


def test_registration_errors_come_per_field_in_the_one_shape_and_save_nothing(
    api_as, clinician, north, patient
):
    api = api_as(clinician)
    response = api.post(
        reverse("api_patient_list"),
        _new(north, clinician, mrn=patient.mrn, date_of_birth="2999-01-01", email=""),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The request has invalid fields: see errors."
    assert set(body["errors"]) == {"mrn", "date_of_birth", "email"}
    assert body["errors"]["date_of_birth"] == ["Date of birth cannot be in the future."]
    assert not Patient.objects.filter(given_name="Nia").exists()


def test_a_patient_cannot_be_registered_into_another_team(api_as, clinician, north, south, outsider):
    response = api_as(clinician).post(reverse("api_patient_list"), _new(south, outsider), format="json")
    assert response.status_code == 400
    assert "team" in response.json()["errors"]


def test_read_and_partial_update_of_a_patient(api_as, clinician, patient):
    api = api_as(clinician)
    url = reverse("api_patient_detail", kwargs={"patient_id": patient.pk})
    assert api.get(url).json()["mrn"] == patient.mrn
    response = api.patch(url, {"family_name": "Okafor-Reid"}, format="json")
    assert response.status_code == 200, response.content
    patient.refresh_from_db()
    assert patient.family_name == "Okafor-Reid"
    event = AuditEvent.objects.get(action="update", patient=patient)
    assert event.changed_fields == ["family_name"]
    bad = api.patch(url, {"date_of_birth": "not a date"}, format="json")
    assert bad.status_code == 400 and "date_of_birth" in bad.json()["errors"]


def test_outsiders_get_404_in_the_one_shape(api_as, outsider, patient):
    response = api_as(outsider).patch(
        reverse("api_patient_detail", kwargs={"patient_id": patient.pk}), {"family_name": "X"}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "No patient matches the given query.", "errors": {}}
    patient.refresh_from_db()
    assert patient.family_name != "X"


def test_a_user_revokes_their_token_and_all_their_tokens(api_as, clinician):
    api = api_as(clinician)
    other = api_as(clinician)
    assert api.post(reverse("api_logout")).status_code == 204
    assert api.get(reverse("api_patient_list")).status_code == 401
    assert other.get(reverse("api_patient_list")).status_code == 200
    assert other.post(reverse("api_logout_all")).status_code == 204
    assert not AuthToken.objects.filter(user=clinician).exists()
    unauthorised = other.get(reverse("api_patient_list"))
    assert unauthorised.status_code == 401 and unauthorised.json()["errors"] == {}


def test_requests_are_throttled_per_token(api_as, clinician, settings):
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anon": "100/minute"}
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        first, second = api_as(clinician), api_as(clinician)
        statuses = [first.get(reverse("api_patient_list")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert second.get(reverse("api_patient_list")).status_code == 200  # another token, its own budget
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
        cache.clear()


def test_the_schema_and_its_interactive_page_are_served_locally(client, clinician):
    schema = client.get(reverse("api_schema"), {"format": "json"})
    assert schema.status_code == 200
    spec = schema.json()
    assert {"/api/v1/patients/", "/api/v1/patients/{patient_id}/screenings/", "/api/v1/alerts/"} <= set(
        spec["paths"]
    )
    assert "Error" in spec["components"]["schemas"]
    docs = client.get(reverse("api_docs")).content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "<script>" not in docs


def test_a_clinic_admin_revokes_a_token_in_the_admin(api_as, clinician, clinic_admin, client):
    api = api_as(clinician)
    token = AuthToken.objects.get(user=clinician)
    client.force_login(clinic_admin)
    listed = client.get(reverse("admin:knox_authtoken_changelist"))
    assert listed.status_code == 200 and str(clinician) in listed.content.decode()
    url = reverse("admin:knox_authtoken_delete", args=[token.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert api.get(reverse("api_patient_list")).status_code == 401


def test_a_bad_filter_is_a_400_naming_it(api_as, clinician):
    response = api_as(clinician).get(reverse("api_patient_list"), {"team": "north"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"team": ["Give a whole number."]}


def test_an_unknown_instrument_is_a_404_in_the_one_shape(api_as, clinician):
    response = api_as(clinician).get(reverse("api_instrument_detail", kwargs={"code": "NOPE"}))
    assert response.status_code == 404
    assert response.json() == {"detail": "No such instrument.", "errors": {}}
