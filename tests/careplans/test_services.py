import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from careplans.models import CarePlan, Goal, PlanTemplate, Responsibility
from careplans.selectors import plan_timeline, suggested_stratum, suggested_template
from careplans.services import EditConflict, part_create, part_update, plan_set_status
from teams.models import AuditEvent, Discipline

from ..factories import MembershipFactory, UserFactory
from ..screening.factories import phq9, record
from .factories import REVIEW, START, make_exercise, make_goal, make_milestone, make_plan


def test_plan_from_the_high_risk_template_involves_the_psychologist(patient, clinician, colleague):
    template = PlanTemplate.objects.get(stratum="high")
    plan = make_plan(patient, clinician, template=template)
    assert plan.status == CarePlan.Status.DRAFT
    assert plan.risk_stratum == "high"
    owners = {r.intervention: (r.owner, r.discipline) for r in plan.responsibilities.all()}
    assert owners["cbt_reframing"] == (colleague, Discipline.PSYCHOLOGIST)
    assert owners["psychologically_informed_physio"] == (clinician, Discipline.PHYSIOTHERAPIST)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="careplan").exists()


def test_only_one_active_plan_per_patient(patient, clinician):
    first = make_plan(patient, clinician)
    plan_set_status(plan=first, status="active", expected_version=first.version, user=clinician)
    second = make_plan(patient, clinician)
    with pytest.raises(ValidationError, match="already has an active plan"):
        plan_set_status(plan=second, status="active", expected_version=second.version, user=clinician)
    first.refresh_from_db()
    plan_set_status(plan=first, status="completed", expected_version=first.version, user=clinician)
    second.refresh_from_db()
    plan_set_status(plan=second, status="active", expected_version=second.version, user=clinician)
    assert CarePlan.objects.filter(patient=patient, status="active").get() == second


def test_review_date_before_start_is_refused(patient, clinician):
    with pytest.raises(ValidationError) as refused:
        part_create(
            instance=CarePlan(
                patient=patient, created_by=clinician, start_date=START, review_date=date(2026, 8, 1)
            ),
            user=clinician,
        )
    assert "review_date" in refused.value.message_dict
    assert not CarePlan.objects.exists()


def test_goal_target_date_before_the_plan_starts_is_refused(patient, clinician):
    plan = make_plan(patient, clinician)
    with pytest.raises(ValidationError) as refused:
        make_goal(plan, clinician, target_date=date(2026, 8, 31))
    assert "cannot be before the plan starts" in refused.value.message_dict["target_date"][0]
    assert not Goal.objects.exists()


@pytest.mark.parametrize("sessions", [0, 15])
def test_sessions_per_week_out_of_range_is_refused(patient, clinician, sessions):
    plan = make_plan(patient, clinician)
    with pytest.raises(ValidationError) as refused:
        make_exercise(plan, clinician, sessions_per_week=sessions)
    assert "sessions_per_week" in refused.value.message_dict


def test_an_owner_outside_the_patients_team_is_refused(patient, clinician, outsider):
    plan = make_plan(patient, clinician)
    with pytest.raises(ValidationError) as refused:
        part_create(
            instance=Responsibility(
                plan=plan,
                intervention="graded_exposure",
                owner=outsider,
                discipline=Discipline.PSYCHOLOGIST,
                frequency="weekly",
                starts_on=START,
            ),
            user=clinician,
        )
    assert "not a member of North MSK" in refused.value.message_dict["owner"][0]


def test_every_change_is_kept_in_the_history_with_who_and_what(patient, clinician, colleague):
    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician)
    part_update(instance=goal, data={"target_value": "60"}, expected_version=1, user=colleague)
    records = list(goal.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[-1].history_user == colleague
    timeline = plan_timeline(plan=plan)
    latest = timeline[0]
    assert latest.who == colleague
    assert "changed goal" in latest.what
    assert [(c.label, c.before, c.after) for c in latest.changes] == [("target value", "45", "60")]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, changed_fields=["target_value"]
    ).exists()


def test_a_stale_save_is_refused_and_says_what_changed(patient, clinician, colleague):
    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician)
    # Both open the goal at version 1; the colleague saves first.
    part_update(
        instance=goal, data={"target_value": "60", "baseline": "5"}, expected_version=1, user=colleague
    )
    with pytest.raises(EditConflict) as conflict:
        part_update(
            instance=goal, data={"target_value": "30", "baseline": "5"}, expected_version=1, user=clinician
        )
    assert conflict.value.changed_by == colleague
    assert sorted((c.field, c.before, c.after) for c in conflict.value.changes) == [
        ("baseline", "0", "5"),
        ("target_value", "45", "60"),
    ]
    goal.refresh_from_db()
    assert (goal.target_value, goal.version) == ("60", 2)
    # Re-applied on top of the current version, it goes through.
    part_update(instance=goal, data={"target_value": "30"}, expected_version=2, user=clinician)
    goal.refresh_from_db()
    assert (goal.target_value, goal.version) == ("30", 3)


def test_a_stale_save_keeps_what_only_the_other_changed_and_applies_the_rest(patient, clinician, colleague):
    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician)
    part_update(instance=goal, data={"target_value": "800"}, expected_version=1, user=colleague)
    # The clinician started from version 1 too: the target as it was then, and a new baseline.
    saved = part_update(
        instance=goal, data={"target_value": "45", "baseline": "5"}, expected_version=1, user=clinician
    )
    assert (saved.target_value, saved.baseline, saved.version) == ("800", "5", 3)


def test_fields_both_changed_differently_are_named_for_a_choice(patient, clinician, colleague):
    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician)
    part_update(
        instance=goal, data={"target_value": "800", "baseline": "5"}, expected_version=1, user=colleague
    )
    with pytest.raises(EditConflict) as conflict:
        part_update(
            instance=goal, data={"target_value": "1000", "baseline": "5"}, expected_version=1, user=clinician
        )
    assert [(c.field, c.theirs, c.mine) for c in conflict.value.clashes] == [("target_value", "800", "1000")]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_edits_one_wins_the_other_is_refused(patient, clinician, colleague):
    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(user, value):
        try:
            barrier.wait()
            part_update(instance=goal, data={"target_value": value}, expected_version=1, user=user)
            outcomes[user.username] = "saved"
        except EditConflict:
            outcomes[user.username] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(u, v)) for u, v in ((clinician, "50"), (colleague, "70"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    goal.refresh_from_db()
    assert goal.target_value == {"physio": "50", "psych": "70"}[winner]
    assert goal.version == 2
    assert goal.history.count() == 2


def test_template_choice_follows_the_latest_screening(patient, clinician):
    assert suggested_template(patient=patient) is None
    start_back = {str(n): 0 for n in range(1, 10)} | {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}
    record(patient, clinician, code="STarT-Back", answers=start_back)
    assert suggested_stratum(patient=patient) == "medium"
    assert suggested_template(patient=patient).stratum == "medium"
    record(patient, clinician, answers=phq9(3, 3, 3, 3))
    assert suggested_stratum(patient=patient) == "high"


def test_low_start_back_suggests_the_low_template(patient, clinician):
    record(patient, clinician, code="STarT-Back", answers={str(n): 0 for n in range(1, 10)})
    assert suggested_template(patient=patient).stratum == "low"


def test_milestone_achievement_is_confirmed_by_a_named_clinician(patient, clinician, colleague):
    from careplans.services import milestone_mark_achieved

    plan = make_plan(patient, clinician)
    milestone = make_milestone(make_goal(plan, clinician), clinician)
    milestone = milestone_mark_achieved(milestone=milestone, expected_version=1, user=colleague)
    assert milestone.achieved_on is not None and milestone.confirmed_by == colleague


def test_responsibility_goal_must_belong_to_the_same_plan(patient, clinician):
    plan, other = make_plan(patient, clinician), make_plan(patient, clinician)
    goal = make_goal(other, clinician)
    with pytest.raises(ValidationError) as refused:
        make_exercise(plan, clinician, goal=goal)
    assert "goal" in refused.value.message_dict


def test_a_psychologist_joining_the_team_takes_template_work(patient, clinician, north):
    psychologist = UserFactory(username="newpsych", discipline=Discipline.PSYCHOLOGIST, last_name="Aaron")
    MembershipFactory(team=north, user=psychologist)
    plan = make_plan(patient, clinician, template=PlanTemplate.objects.get(stratum="high"))
    assert plan.responsibilities.get(intervention="cbt_reframing").owner == psychologist
    assert REVIEW > START


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_edits_one_wins_per_version_and_nothing_is_lost(patient, clinician):
    from teams.models import AuditEvent

    goal = make_goal(make_plan(patient, clinician), clinician)

    def edit(value, version, barrier, outcomes):
        try:
            barrier.wait()
            part_update(instance=goal, data={"target_value": value}, expected_version=version, user=clinician)
            outcomes.append(("saved", value))
        except EditConflict:
            outcomes.append(("refused", value))
        finally:
            connection.close()

    winners = []
    for version in (1, 2):
        barrier = threading.Barrier(20)
        outcomes: list[tuple[str, str]] = []
        threads = [
            threading.Thread(target=edit, args=(f"{version}-{n}", version, barrier, outcomes))
            for n in range(20)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        saved = [value for outcome, value in outcomes if outcome == "saved"]
        assert len(outcomes) == 20 and len(saved) == 1, outcomes
        winners.append(saved[0])
    goal.refresh_from_db()
    assert (goal.target_value, goal.version) == (winners[-1], 3)
    assert [h.target_value for h in goal.history.order_by("history_date")][1:] == winners
    assert AuditEvent.objects.filter(object_type="goal", action="update").count() == 2
