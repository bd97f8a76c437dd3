"""A screening read and amended through the API, and alerts listed and acknowledged."""

from django.urls import reverse

from screening.models import Alert, Screening

from .factories import phq9, record


def test_a_screening_is_read_and_amended_with_a_reason(api_as, clinician, patient):
    original = record(patient, clinician, answers=phq9(1, 1))
    api = api_as(clinician)
    url = reverse("api_screening_detail", kwargs={"patient_id": patient.pk, "screening_id": original.pk})
    assert api.get(url).json()["total"] == 2
    amend = reverse("api_screening_amend", kwargs={"patient_id": patient.pk, "screening_id": original.pk})
    response = api.post(amend, {"answers": phq9(1, 1, 1), "reason": "Item 3 was misread"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total"], body["amends"], body["amendment_reason"]) == (3, original.pk, "Item 3 was misread")
    assert Screening.objects.get(pk=original.pk).total == 2  # the original stays as it was


def test_an_amendment_without_a_reason_or_with_bad_answers_is_refused(api_as, clinician, patient):
    original = record(patient, clinician, answers=phq9(1, 1))
    amend = reverse("api_screening_amend", kwargs={"patient_id": patient.pk, "screening_id": original.pk})
    api = api_as(clinician)
    no_reason = api.post(amend, {"answers": phq9(1), "reason": " "}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    bad = api.post(amend, {"answers": phq9(1) | {"3": 7}, "reason": "typo"}, format="json")
    assert bad.status_code == 400 and "3" in bad.json()["errors"]["answers"]
    assert Screening.objects.count() == 1


def test_outsiders_get_404_for_a_screening_and_its_amendment(api_as, clinician, outsider, patient):
    original = record(patient, clinician)
    api = api_as(outsider)
    kwargs = {"patient_id": patient.pk, "screening_id": original.pk}
    assert api.get(reverse("api_screening_detail", kwargs=kwargs)).status_code == 404
    response = api.post(
        reverse("api_screening_amend", kwargs=kwargs), {"answers": {}, "reason": "x"}, format="json"
    )
    assert response.status_code == 404
    assert Screening.objects.count() == 1


def test_open_alerts_of_the_users_teams_are_listed_and_acknowledged(
    api_as, clinician, colleague, patient, south_patient, outsider
):
    record(patient, clinician, answers=phq9(item9=2))
    record(south_patient, outsider, answers=phq9(item9=2))
    api = api_as(colleague)
    rows = api.get(reverse("api_alert_list")).json()["results"]
    assert [(row["patient_id"], row["kind"]) for row in rows] == [(patient.pk, "urgent")]
    url = reverse("api_alert_acknowledge", kwargs={"alert_id": rows[0]["id"]})
    response = api.post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged" and response.json()["acknowledged_by"] == "psych"


def test_an_alert_of_another_team_is_a_404_and_stays_open(api_as, colleague, outsider, south_patient):
    record(south_patient, outsider, answers=phq9(item9=2))
    alert = Alert.objects.get(patient=south_patient)
    response = api_as(colleague).post(reverse("api_alert_acknowledge", kwargs={"alert_id": alert.pk}))
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN
    assert (
        api_as(colleague).post(reverse("api_alert_acknowledge", kwargs={"alert_id": 999999})).status_code
        == 404
    )
