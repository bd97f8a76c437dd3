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


def _part_url(patient, plan, part=None, part_id=None):
    if part is None:
        return reverse("api_care_plan_details", kwargs={"patient_id": patient.pk, "plan_id": plan.pk})
    kwargs = {"patient_id": patient.pk, "plan_id": plan.pk, "part": part, "part_id": part_id}
    return reverse("api_care_plan_part", kwargs=kwargs)


def test_a_part_is_read_with_its_version_and_changed_from_it(api_as, clinician, patient):
    plan = make_plan(patient, clinician)
    milestone = make_milestone(make_goal(plan, clinician), clinician)
    url = _part_url(patient, plan, "milestone", milestone.pk)
    shown = api_as(clinician).get(url).json()
    assert (shown["id"], shown["version"], shown["target"]) == (milestone.pk, 1, "20 minutes")
    changed = api_as(clinician).patch(url, {"version": 1, "target": "800 m"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["version"], changed.json()["target"]) == (2, "800 m")
    milestone.refresh_from_db()
    assert (milestone.version, milestone.target, milestone.description) == (2, "800 m", "Twenty minutes")


def test_a_stale_change_keeps_what_only_the_colleague_changed(api_as, clinician, colleague, patient):
    plan = make_plan(patient, clinician)
    milestone = make_milestone(make_goal(plan, clinician), clinician)
    url = _part_url(patient, plan, "milestone", milestone.pk)
    api_as(colleague).patch(url, {"version": 1, "target": "1000 m"}, format="json")
    # Started from version 1 too, changing another field only.
    mine = api_as(clinician).patch(url, {"version": 1, "description": "Walk to the shop"}, format="json")
    assert mine.status_code == 200, mine.json()
    milestone.refresh_from_db()
    assert (milestone.target, milestone.description, milestone.version) == ("1000 m", "Walk to the shop", 3)


def test_a_field_both_changed_differently_is_a_409_naming_it_and_nothing_is_saved(
    api_as, clinician, colleague, patient
):
    plan = make_plan(patient, clinician)
    milestone = make_milestone(make_goal(plan, clinician), clinician)
    url = _part_url(patient, plan, "milestone", milestone.pk)
    api_as(colleague).patch(url, {"version": 1, "target": "1000 m"}, format="json")
    stale = {"version": 1, "target": "800 m", "description": "Walk to the shop"}
    refused = api_as(clinician).patch(url, stale, format="json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["version"] == 2 and body["current"]["target"] == "1000 m"
    assert body["conflicts"] == [
        {"field": "target", "label": "measure and target", "theirs": "1000 m", "mine": "800 m"}
    ]
    assert list(body["errors"]) == ["target"] and colleague.username in body["detail"]
    milestone.refresh_from_db()
    assert (milestone.target, milestone.description, milestone.version) == ("1000 m", "Twenty minutes", 2)
    # Settled: sent again from the stored version, with the value chosen.
    settled = api_as(clinician).patch(url, stale | {"version": 2}, format="json")
    assert settled.status_code == 200 and settled.json()["target"] == "800 m"


def test_the_plans_own_details_follow_the_same_rule(api_as, clinician, colleague, patient):
    plan = make_plan(patient, clinician)
    url = _part_url(patient, plan)
    api_as(colleague).patch(url, {"version": 1, "summary_social": "Lives alone"}, format="json")
    refused = api_as(clinician).patch(
        url, {"version": 1, "summary_social": "Lives with her son"}, format="json"
    )
    assert refused.status_code == 409 and [c["field"] for c in refused.json()["conflicts"]] == [
        "summary_social"
    ]
    merged = api_as(clinician).patch(url, {"version": 1, "summary_physical": "Knee OA"}, format="json")
    assert merged.status_code == 200
    plan.refresh_from_db()
    assert (plan.summary_social, plan.summary_physical) == ("Lives alone", "Knee OA")


def test_bad_changes_answer_per_field_and_save_nothing(api_as, clinician, outsider, patient):
    plan = make_plan(patient, clinician)
    exercise = make_exercise(plan, clinician)
    url = _part_url(patient, plan, "exercise", exercise.pk)
    client = api_as(clinician)
    unknown = client.patch(url, {"version": 1, "patient": 7}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"] == {
        "patient": ["Not a field of this part."]
    }
    no_version = client.patch(url, {"sets": 2}, format="json")
    assert no_version.status_code == 400 and "version" in no_version.json()["errors"]
    bad = client.patch(url, {"version": 1, "sets": "many", "reps": 8}, format="json")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["sets"]
    exercise.refresh_from_db()
    assert (exercise.sets, exercise.reps, exercise.version) == (3, 10, 1)
    assert api_as(outsider).patch(url, {"version": 1, "sets": 2}, format="json").status_code == 404
    assert api_as(outsider).get(url).status_code == 404
    assert client.get(_part_url(patient, plan, "nonsense", exercise.pk)).status_code == 404
