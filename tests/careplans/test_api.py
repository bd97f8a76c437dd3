"""The care plan through the API: the whole current plan, and 404 outside the team."""

from django.urls import reverse

from careplans.models import CarePlan
from careplans.services import part_update

from .factories import make_exercise, make_goal, make_milestone, make_plan


def test_the_active_plan_comes_whole(api_as, clinician, patient):
    old = make_plan(patient, clinician)
    part_update(instance=old, data={"status": CarePlan.Status.COMPLETED}, expected_version=1, user=clinician)
    plan = make_plan(patient, clinician)
    plan = part_update(
        instance=plan, data={"status": CarePlan.Status.ACTIVE}, expected_version=1, user=clinician
    )
    goal = make_goal(plan, clinician)
    milestone = make_milestone(goal, clinician)
    make_exercise(plan, clinician, goal=goal)
    body = api_as(clinician).get(reverse("api_patient_care_plan", kwargs={"patient_id": patient.pk})).json()
    assert (body["id"], body["status"]) == (plan.pk, "active")
    assert [g["patient_words"] for g in body["goals"]] == ["Back to gardening"]
    assert [m["id"] for m in body["milestones"]] == [milestone.pk]
    assert [e["name"] for e in body["exercises"]] == ["Sit to stand"]
    assert body["responsibilities"] == [] or all("owner" in r for r in body["responsibilities"])


def test_no_plan_is_a_404_and_outsiders_get_404(api_as, clinician, outsider, patient):
    url = reverse("api_patient_care_plan", kwargs={"patient_id": patient.pk})
    missing = api_as(clinician).get(url)
    assert missing.status_code == 404 and missing.json()["detail"] == "This patient has no care plan."
    make_plan(patient, clinician)
    assert api_as(outsider).get(url).status_code == 404
