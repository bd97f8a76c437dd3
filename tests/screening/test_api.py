from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from screening.models import Alert, Screening
from teams.models import AuditEvent

from ..factories import PASSWORD, PatientFactory
from .factories import phq9, record


@pytest.fixture
def api():
    return APIClient()


def _token(api, username):
    response = api.post(reverse("api_token"), {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def as_physio(api, clinician):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(api, 'physio')}")
    return api


def test_token_is_issued_for_good_credentials_and_stored_hashed(api, clinician):
    from knox.models import AuthToken

    token = _token(api, "physio")
    stored = AuthToken.objects.get(user=clinician)
    assert token not in (stored.digest, stored.token_key)
    assert stored.expiry is not None


def test_token_refused_for_bad_credentials(api, clinician):
    response = api.post(reverse("api_token"), {"username": "physio", "password": "nope"}, format="json")
    assert response.status_code == 400
    response = api.post(reverse("api_token"), {"username": "physio"}, format="json")
    assert response.json() == {
        "detail": "The request has invalid fields: see errors.",
        "errors": {"password": ["This field is required."]},
    }


def test_expired_token_is_refused(api, clinician, patient):
    with time_machine.travel(timedelta(hours=0), tick=False):
        token = _token(api, "physio")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api_patient_list")).status_code == 200
    with time_machine.travel(timedelta(hours=11)):
        assert api.get(reverse("api_patient_list")).status_code == 401


def test_requests_without_a_token_are_refused(api, patient):
    assert api.get(reverse("api_patient_list")).status_code == 401


def test_patient_list_shows_only_visible_patients_paginated(
    as_physio, clinician, north, patient, south_patient
):
    PatientFactory.create_batch(26, team=north, primary_clinician=clinician)
    response = as_physio.get(reverse("api_patient_list"))
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 27
    assert len(body["results"]) == 25 and body["next"]
    rows = {row["id"]: row for row in body["results"] + as_physio.get(body["next"]).json()["results"]}
    assert patient.pk in rows and south_patient.pk not in rows
    assert rows[patient.pk]["team"] == "North MSK"
    assert rows[patient.pk]["mrn"] == patient.mrn
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="patient list").exists()


def test_patient_list_query_count_is_flat(as_physio, clinician, north, django_assert_max_num_queries):
    PatientFactory.create_batch(30, team=north, primary_clinician=clinician)
    with django_assert_max_num_queries(8):
        as_physio.get(reverse("api_patient_list"))


def test_instruments_list_and_detail(as_physio):
    listing = as_physio.get(reverse("api_instrument_list")).json()
    codes = [row["code"] for row in listing["results"]]
    assert codes == [
        "PHQ-9",
        "GAD-7",
        "PHQ-4",
        "PCS",
        "TSK-11",
        "TSK-17",
        "PSEQ",
        "STarT-Back",
        "OMPSQ-SF",
        "ISI",
    ]
    phq9_def = as_physio.get(reverse("api_instrument_detail", args=["PHQ-9"])).json()
    assert len(phq9_def["items"]) == 9
    assert phq9_def["items"][8]["text"].startswith("Thoughts that you would be better off dead")
    pcs = as_physio.get(reverse("api_instrument_detail", args=["PCS"])).json()
    assert all(item["text"] == "" for item in pcs["items"])
    assert "Sullivan" in pcs["citation"]
    assert as_physio.get(reverse("api_instrument_detail", args=["NOPE"])).status_code == 404


def _screenings_url(patient):
    return reverse("api_patient_screenings", kwargs={"patient_id": patient.pk})


def test_post_screening_scores_and_returns_the_result(as_physio, patient):
    response = as_physio.post(
        _screenings_url(patient),
        {"instrument": "PHQ-4", "timepoint": "intake", "answers": {"1": 2, "2": 1, "3": 0, "4": 1}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["instrument"] == "PHQ-4"
    assert body["total"] == 4
    assert body["band"] == "mild"
    assert body["subscales"] == {"anxiety": 3, "depression": 1}
    assert body["flags"] == ["high"]
    assert body["timepoint"] == "intake" and body["administered_at"]
    assert Screening.objects.get(pk=body["id"]).patient == patient


def test_post_screening_without_subscales_or_band(as_physio, patient):
    answers = {str(n): 2 for n in range(1, 12)}
    body = as_physio.post(
        _screenings_url(patient),
        {"instrument": "TSK-11", "timepoint": "milestone", "answers": answers},
        format="json",
    ).json()
    assert body["subscales"] == {} and body["band"] is None and body["total"] == 22


def test_post_invalid_screening_says_what_per_item_and_stores_nothing(as_physio, patient):
    response = as_physio.post(
        _screenings_url(patient),
        {"instrument": "PHQ-9", "timepoint": "intake", "answers": {"1": 4, "2": 1.5, "12": 0}},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]["answers"]
    assert {"1", "2", "12", "9"} <= set(errors)
    assert all(isinstance(messages, list) and messages for messages in errors.values())
    assert not Screening.objects.exists()
    bad = as_physio.post(
        _screenings_url(patient), {"instrument": "NOPE", "timepoint": "later", "answers": {}}, format="json"
    )
    assert set(bad.json()["errors"]) >= {"timepoint"}


def test_post_safety_item_opens_the_urgent_alert(as_physio, patient):
    as_physio.post(
        _screenings_url(patient),
        {"instrument": "PHQ-9", "timepoint": "adhoc", "answers": phq9(item9=1)},
        format="json",
    )
    assert Alert.objects.filter(patient=patient, kind=Alert.Kind.URGENT, status=Alert.Status.OPEN).exists()


def test_get_screenings_newest_first_paginated(as_physio, patient, clinician):
    older = record(patient, clinician, administered_at=patient.created_at)
    newer = record(patient, clinician, code="GAD-7")
    body = as_physio.get(_screenings_url(patient)).json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, patient=patient).exists()


def test_outsider_gets_404_on_screenings(api, outsider, patient):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(api, 'outsider')}")
    assert api.get(_screenings_url(patient)).status_code == 404
    response = api.post(
        _screenings_url(patient),
        {"instrument": "PHQ-9", "timepoint": "intake", "answers": phq9()},
        format="json",
    )
    assert response.status_code == 404
    assert not Screening.objects.exists()
    assert AuditEvent.objects.filter(actor=outsider, action=AuditEvent.Action.DENIED).count() == 2
