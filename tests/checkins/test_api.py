"""Check-ins through the API: listed per patient, sent by a patient app for the patient."""

from django.urls import reverse

from checkins.models import CheckIn, ExerciseLog
from screening.models import Alert

from ..careplans.factories import make_exercise, make_plan

GOOD = {"mood": 6, "pain": 4, "sleep_quality": 7, "sleep_hours": "7.5", "stressors": "Busy week"}


def _active_plan(patient, user):
    from careplans.services import part_update

    plan = make_plan(patient, user)
    return part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=user)


def test_a_check_in_is_stored_with_its_exercise_and_listed(api_as, clinician, patient):
    exercise = make_exercise(_active_plan(patient, clinician), clinician)
    api = api_as(clinician)
    url = reverse("api_patient_checkins", kwargs={"patient_id": patient.pk})
    response = api.post(url, GOOD | {"exercises": {str(exercise.pk): "done"}}, format="json")
    assert response.status_code == 201, response.content
    checkin = CheckIn.objects.get()
    assert (checkin.mood, checkin.pain, str(checkin.sleep_hours)) == (6, 4, "7.5")
    assert ExerciseLog.objects.get().done == "done"
    listed = api.get(url).json()["results"]
    assert [row["id"] for row in listed] == [checkin.pk]
    assert listed[0]["exercises"] == {str(exercise.pk): "done"}


def test_low_mood_from_the_api_raises_the_same_concern_as_the_link(api_as, clinician, patient):
    url = reverse("api_patient_checkins", kwargs={"patient_id": patient.pk})
    assert api_as(clinician).post(url, GOOD | {"mood": 1}, format="json").status_code == 201
    assert Alert.objects.get(patient=patient).kind == Alert.Kind.CHECKIN


def test_bad_check_ins_are_refused_per_field_and_store_nothing(api_as, clinician, patient):
    url = reverse("api_patient_checkins", kwargs={"patient_id": patient.pk})
    api = api_as(clinician)
    response = api.post(url, GOOD | {"mood": 11, "sleep_hours": "30"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"mood", "sleep_hours"}
    unknown = api.post(url, GOOD | {"exercises": {"999": "done"}}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["exercises"] == ["Exercise 999 is not in the patient's active plan."]
    assert not CheckIn.objects.exists()


def test_outsiders_get_404_and_store_nothing(api_as, outsider, patient):
    url = reverse("api_patient_checkins", kwargs={"patient_id": patient.pk})
    assert api_as(outsider).post(url, GOOD, format="json").status_code == 404
    assert not CheckIn.objects.exists()
