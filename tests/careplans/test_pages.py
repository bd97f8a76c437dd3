from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careplans.models import CarePlan, Exercise, Goal, PlanTemplate
from screening.models import Battery

from ..screening.factories import record
from .factories import START, make_exercise, make_goal, make_milestone, make_plan


def _plan_url(plan, name="careplan_detail", **kwargs):
    return reverse(name, kwargs={"patient_id": plan.patient_id, "plan_id": plan.pk} | kwargs)


def _part_url(plan, part, part_id=None):
    if part_id is None:
        return _plan_url(plan, "careplan_part_new", part=part)
    return _plan_url(plan, "careplan_part_edit", part=part, part_id=part_id)


def test_new_plan_page_suggests_the_template_from_screening(login, clinician, patient):
    start_back = {str(n): 1 for n in range(1, 9)} | {"9": 4}
    record(patient, clinician, code="STarT-Back", answers=start_back)
    response = login(clinician).get(reverse("careplan_new", kwargs={"patient_id": patient.pk}))
    high = PlanTemplate.objects.get(stratum="high")
    assert response.context["form"].initial["template"] == high
    assert "points to <strong>high risk</strong>" in response.text


def test_creating_a_plan_from_the_page(login, clinician, patient):
    template = PlanTemplate.objects.get(stratum="medium")
    response = login(clinician).post(
        reverse("careplan_new", kwargs={"patient_id": patient.pk}),
        {
            "template": template.pk,
            "start_date": "2026-09-01",
            "review_date": "2026-10-15",
            "risk_stratum": "medium",
        },
    )
    plan = CarePlan.objects.get()
    assert response.url == plan.get_absolute_url()
    assert plan.responsibilities.filter(intervention="graded_exposure").exists()


def test_plan_form_errors_are_shown_next_to_the_field(login, clinician, patient):
    response = login(clinician).post(
        reverse("careplan_new", kwargs={"patient_id": patient.pk}),
        {"start_date": "2026-09-01", "review_date": "2026-08-01"},
    )
    assert response.context["form"].errors["review_date"] == [
        "The review date cannot be before the start date."
    ]
    assert not CarePlan.objects.exists()


@pytest.mark.parametrize(
    ("part", "data", "field", "message"),
    [
        (
            "goal",
            {
                "patient_words": "Garden",
                "measure": "min",
                "target_value": "4",
                "target_date": "2026-08-01",
                "position": 0,
            },
            "target_date",
            "cannot be before the plan starts",
        ),
        (
            "exercise",
            {"name": "Bridge", "reps": 10, "sessions_per_week": 15, "phase": 1},
            "sessions_per_week",
            "between 1 and 14",
        ),
        (
            "responsibility",
            {
                "intervention": "graded_exposure",
                "owner": "OUTSIDER",
                "discipline": "psychologist",
                "frequency": "weekly",
                "starts_on": "2026-09-02",
                "status": "planned",
            },
            "owner",
            "Choose a member of North MSK",
        ),
    ],
)
def test_part_forms_explain_bad_input_and_save_nothing(
    login, clinician, outsider, patient, part, data, field, message
):
    plan = make_plan(patient, clinician)
    data = {k: (outsider.pk if v == "OUTSIDER" else v) for k, v in data.items()}
    response = login(clinician).post(_part_url(plan, part), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Goal.objects.exists() and not Exercise.objects.exists()
    assert plan.responsibilities.count() == 0


def test_parts_are_added_through_the_forms(login, clinician, colleague, patient):
    plan = make_plan(patient, clinician)
    client = login(clinician)
    client.post(
        _part_url(plan, "goal"),
        {
            "patient_words": "Walk my grandson to school",
            "value": "Being there",
            "measure": "metres",
            "baseline": "200",
            "target_value": "1200",
            "target_date": "2026-11-20",
            "position": 0,
        },
    )
    goal = Goal.objects.get()
    client.post(
        _part_url(plan, "milestone"),
        {
            "goal": goal.pk,
            "description": "To the corner shop",
            "target": "400 m",
            "due_date": "2026-10-01",
            "battery": Battery.objects.get(name="Milestone").pk,
        },
    )
    client.post(
        _part_url(plan, "exercise"),
        {
            "name": "Sit to stand",
            "goal": goal.pk,
            "sets": 3,
            "reps": 10,
            "sessions_per_week": 5,
            "rest_days": ["5", "6"],
            "phase": 1,
            "progression_rule": "Add 2 reps a week",
            "lighter_alternative": "2 sets from a higher chair",
        },
    )
    client.post(
        _part_url(plan, "responsibility"),
        {
            "intervention": "graded_exposure",
            "owner": colleague.pk,
            "discipline": "psychologist",
            "frequency": "weekly",
            "starts_on": "2026-09-02",
            "status": "planned",
            "goal": goal.pk,
        },
    )
    client.post(
        _part_url(plan, "contract"),
        {
            "patient_commitments": "Exercises after breakfast",
            "team_commitments": "Weekly sessions",
            "agreed_on": "2026-09-01",
            "review_date": "2026-10-01",
        },
    )
    client.post(
        _part_url(plan, "caregiver"),
        {
            "name": "Maria",
            "relationship": "daughter",
            "role_in_plan": "walks with her",
        },
    )
    page = client.get(plan.get_absolute_url()).text
    for text in (
        "Walk my grandson to school",
        "To the corner shop",
        "Sit to stand",
        "3 × 10, 5× a week",
        "rest on Saturday, Sunday",
        "2 sets from a higher chair",
        "Graded exposure",
        "Exercises after breakfast",
        "Maria",
        "walks with her",
    ):
        assert text in page
    assert Exercise.objects.get().rest_days == [5, 6]
    assert "added goal" in page  # the history timeline


def test_a_conflicting_edit_is_refused_with_what_changed_and_keeps_the_input(
    login, clinician, colleague, patient
):
    from django.test import Client

    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician)
    url = _part_url(plan, "goal", goal.pk)
    first, second = login(clinician), Client()
    second.force_login(colleague)
    form = first.get(url).context["form"]
    base = {name: form.initial.get(name) for name in form.fields} | {"target_date": "2026-12-01"}
    assert second.post(url, base | {"target_value": "60", "version": 1}).status_code == 302
    response = first.post(url, base | {"target_value": "30", "value": "Where I relax", "version": 1})
    assert response.status_code == 200
    text = response.text
    assert "saved this" in text and "while you were editing" in text
    assert "Target value: 45 → <strong>60</strong>" in text
    assert 'value="Where I relax"' in text  # their input stays
    assert response.context["form"].data["version"] == "2"
    goal.refresh_from_db()
    assert goal.target_value == "60"
    # Both changed the target: saving again without saying which to keep is refused, never a silent undo.
    unchosen = first.post(url, response.context["form"].data.dict())
    assert unchosen.status_code == 200 and "Choose which value to keep." in unchosen.text
    goal.refresh_from_db()
    assert goal.target_value == "60"
    # Choosing theirs keeps 60 and still applies the rest of their input.
    again = first.post(url, response.context["form"].data.dict() | {"keep_target_value": "theirs"})
    assert again.status_code == 302
    goal.refresh_from_db()
    assert (goal.target_value, goal.value) == ("60", "Where I relax")


def test_a_stale_edit_of_other_fields_keeps_both_changes(login, clinician, colleague, patient):
    """The reported case: one clinician moves the target, the other (from the same page) edits another
    field and saves; the target must not go back."""
    from django.test import Client

    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician)
    url = _part_url(plan, "goal", goal.pk)
    first, second = login(clinician), Client()
    second.force_login(colleague)
    form = first.get(url).context["form"]
    base = {name: form.initial.get(name) for name in form.fields} | {"target_date": "2026-12-01"}
    assert second.post(url, base | {"target_value": "1000", "version": 1}).status_code == 302
    response = first.post(url, base | {"value": "Where I relax", "version": 1}, follow=True)
    assert "both changes are kept" in response.text
    goal.refresh_from_db()
    assert (goal.target_value, goal.value, goal.version) == ("1000", "Where I relax", 3)


def test_activate_and_complete_from_the_plan_page(login, clinician, patient):
    plan = make_plan(patient, clinician)
    client = login(clinician)
    client.post(_plan_url(plan, "careplan_status"), {"status": "active", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == "active"
    other = make_plan(patient, clinician)
    client.post(_plan_url(other, "careplan_status"), {"status": "active", "version": other.version})
    other.refresh_from_db()
    assert other.status == "draft"


def test_milestone_marked_achieved_in_place_with_htmx(login, clinician, patient):
    plan = make_plan(patient, clinician)
    milestone = make_milestone(make_goal(plan, clinician), clinician)
    url = _plan_url(plan, "careplan_milestone_achieved", milestone_id=milestone.pk)
    response = login(clinician).post(url, {"version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Achieved" in response.text and "confirmed by Priya Shah" in response.text
    assert "<html" not in response.text
    # Marked again from a stale page: the same change, so nothing clashes and nothing is written twice.
    stale = login(clinician).post(url, {"version": 1}, HTTP_HX_REQUEST="true")
    assert "Achieved" in stale.text and "confirmed by Priya Shah" in stale.text
    milestone.refresh_from_db()
    assert milestone.version == 2


def test_reached_milestone_with_a_battery_shows_it_due_on_the_overview(login, clinician, patient):
    plan = make_plan(patient, clinician)
    battery = Battery.objects.get(name="Milestone")
    milestone = make_milestone(
        make_goal(plan, clinician), clinician, battery=battery, achieved_on=date(2026, 10, 1)
    )
    client = login(clinician)
    assert "screening is due" in client.get(patient.get_absolute_url()).text
    for code in battery.instruments:
        from ..screening.factories import lowest_answers

        record(patient, clinician, code=code, answers=lowest_answers(code), timepoint="milestone")
    assert "screening is due" not in client.get(patient.get_absolute_url()).text
    assert milestone.battery == battery


def test_printable_plan_is_plain_language(login, clinician, patient):
    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician, words="Back to gardening")
    make_exercise(plan, clinician, goal=goal, lighter_alternative="2 sets from a higher chair")
    text = login(clinician).get(_plan_url(plan, "careplan_print")).text
    assert "Amelia's rehabilitation plan" in text
    assert "On a bad day: 2 sets from a higher chair" in text
    assert "css/print.css" in text


def test_my_responsibilities_lists_only_mine_in_running_plans(
    login, clinician, colleague, patient, south_patient, outsider
):
    make_plan(patient, clinician, template=PlanTemplate.objects.get(stratum="high"))
    make_plan(south_patient, outsider, template=PlanTemplate.objects.get(stratum="high"))
    rows = list(login(colleague).get(reverse("my_responsibilities")).context["page"])
    assert rows and all(r.owner == colleague and r.plan.patient == patient for r in rows)
    assert {r.intervention for r in rows} >= {"cbt_reframing", "graded_exposure"}


def _page_queries(client, plan) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(plan.get_absolute_url()).status_code == 200
    return len(queries)


def test_plan_page_runs_the_same_queries_for_2_or_20_goals_and_60_exercises(
    login, clinician, colleague, north, patient, django_assert_max_num_queries
):
    from ..factories import PatientFactory

    client = login(clinician)
    small = make_plan(patient, clinician, template=PlanTemplate.objects.get(stratum="high"))
    for number in range(2):
        make_milestone(make_goal(small, clinician, words=f"Goal {number}"), clinician)
    make_exercise(small, clinician)

    other = PatientFactory(team=north, primary_clinician=clinician)
    big = make_plan(other, clinician, template=PlanTemplate.objects.get(stratum="high"))
    goals = [make_goal(big, colleague, words=f"Goal {number}") for number in range(20)]
    for goal in goals:
        make_milestone(goal, clinician)
        make_milestone(goal, clinician, description="Second step")
    for number in range(60):
        make_exercise(big, colleague, goal=goals[number % 20], name=f"Exercise {number}")
    from careplans.services import part_update

    for goal in goals[:10]:
        part_update(instance=goal, data={"target_value": "50"}, expected_version=1, user=colleague)
    assert _page_queries(client, small) == _page_queries(client, big)
    # 26, and 2 for the education section (the items assigned, the items left to assign), 1 for the
    # latest messages to caregivers, 4 for activation (activities with their ticks, barriers, and the
    # history of each), 2 for referrals (the plan's, and their history).
    with django_assert_max_num_queries(35):
        client.get(big.get_absolute_url())
    assert START


def test_recording_a_milestone_as_reached_on_its_form_names_who_confirmed_it(
    login, clinician, colleague, patient
):
    plan = make_plan(patient, clinician)
    milestone = make_milestone(make_goal(plan, clinician), clinician)
    url = _part_url(plan, "milestone", milestone.pk)
    response = login(colleague).post(
        url,
        {
            "goal": milestone.goal_id,
            "description": milestone.description,
            "target": milestone.target,
            "due_date": "2026-10-15",
            "achieved_on": "2026-10-10",
            "version": 1,
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.achieved_on, milestone.confirmed_by) == (date(2026, 10, 10), colleague)
