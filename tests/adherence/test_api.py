"""Adherence through the API: a patient's weeks, and a team's headline numbers for its leads."""

from django.urls import reverse
from django.utils import timezone

from adherence import rollups
from adherence.models import Session


def test_a_patients_weeks_carry_the_same_numbers_as_the_panel(api_as, clinician, patient):
    Session.objects.create(
        patient=patient,
        clinician=clinician,
        discipline=clinician.discipline,
        starts_at=timezone.now() - timezone.timedelta(days=7),
        status=Session.Status.MISSED,
    )
    body = api_as(clinician).get(reverse("api_patient_adherence", kwargs={"patient_id": patient.pk})).json()
    assert len(body["weeks"]) == 12
    attended = [w["attendance"] for w in body["weeks"] if w["attendance"]["denominator"]]
    assert attended == [{"numerator": 0.0, "denominator": 1.0, "value": 0.0}]
    assert body["weeks"][0]["exercise_completion"]["value"] is None


def test_team_headline_for_its_lead_and_404_for_others(api_as, lead, clinician, outsider, north, patient):
    Session.objects.create(
        patient=patient,
        clinician=clinician,
        discipline=clinician.discipline,
        starts_at=timezone.now() - timezone.timedelta(days=3),
        status=Session.Status.ATTENDED,
    )
    rollups.refresh()  # as the beat does every minute
    url = reverse("api_team_adherence", kwargs={"team_id": north.pk})
    body = api_as(lead).get(url).json()
    assert body["team"] == "North MSK" and body["patients"] == 1
    assert body["attendance"] == {"numerator": 1.0, "denominator": 1.0, "value": 1.0}
    assert api_as(clinician).get(url).status_code == 404
    assert api_as(outsider).get(url).status_code == 404


def test_outsiders_get_404_for_a_patients_adherence(api_as, outsider, patient):
    assert (
        api_as(outsider).get(reverse("api_patient_adherence", kwargs={"patient_id": patient.pk})).status_code
        == 404
    )
