"""Resolving a review into plan work (routing.resolution): every part through the plan's services, in its
history with the review as the reason, linked to the review; the re-screen scheduled; the support set at
the plan's version; and anything refused saves nothing."""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from careplans.models import CarePlan, Milestone, Responsibility, SupportModality
from careplans.selectors import plan_timeline
from careplans.services import part_update
from routing.models import Condition, Rescreen, Review, RoutingRule
from routing.resolution import (
    PlanWorkRefused,
    SupportChange,
    plan_to_update,
    review_resolve_with_plan,
)
from routing.services import ReviewChanged
from teams.models import AuditEvent, Discipline

from ..careplans.factories import make_goal, make_plan
from ..factories import PatientFactory
from ..screening.factories import record
from .helpers import answers_for

# A Monday in term, in the clinic's time zone; the plan runs from 1 Sep to 1 Dec 2026.
TODAY = date(2026, 10, 5)
REASON = "PCS total 34: high catastrophizing"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-10-05 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def rule(db):
    RoutingRule.objects.update(is_active=False)  # reviews here are opened by hand
    return RoutingRule.objects.create(
        name="Test: high catastrophizing",
        instrument="PCS",
        condition=Condition.SCORE,
        low=30,
        discipline=Discipline.PSYCHOLOGIST,
        due_days=7,
        interventions=["graded_exposure", "cbt_reframing"],
        rescreen_days=42,
        rationale="Catastrophizing predicts poor recovery.",
        source="Sullivan 1995",
        is_active=False,
    )


@pytest.fixture
def review(patient, clinician, colleague, rule):
    screening = record(patient, clinician, code="PCS", answers=answers_for("PCS", 34))
    return Review.objects.create(
        patient=patient,
        screening=screening,
        rule=rule,
        reason=REASON,
        discipline=Discipline.PSYCHOLOGIST,
        owner=colleague,
        due_on=TODAY + timedelta(days=7),
    )


@pytest.fixture
def plan(patient, clinician):
    return make_plan(patient, clinician)


def _exposure(owner, **fields):
    return Responsibility(
        **{
            "intervention": "graded_exposure",
            "owner": owner,
            "discipline": Discipline.PSYCHOLOGIST,
            "frequency": "weekly",
            "starts_on": TODAY,
        }
        | fields
    )


def _resolve(review, user, **kwargs):
    arguments = {
        "expected_version": review.version,
        "responsibilities": [],
        "milestones": [],
        "rescreen_on": None,
        "support": None,
    } | kwargs
    return review_resolve_with_plan(review=review, user=user, **arguments)


def test_resolving_adds_the_work_to_the_plan_with_the_review_as_the_reason(
    review, plan, colleague, clinician
):
    goal = make_goal(plan, clinician)
    milestone = Milestone(
        goal=goal,
        description="PCS re-screen shows reliable improvement",
        target="PCS: a reliable improvement on 34",
        due_date=TODAY + timedelta(days=42),
    )
    resolved = _resolve(
        review,
        colleague,
        responsibilities=[_exposure(colleague)],
        milestones=[milestone],
        rescreen_on=TODAY + timedelta(days=42),
        note="Agreed graded exposure with the patient.",
    )

    assert (resolved.state, resolved.resolution) == (Review.State.RESOLVED, Review.Resolution.PLAN_UPDATED)
    assert resolved.resolved_by == colleague and resolved.resolved_at is not None
    assert resolved.resolution_note == "Agreed graded exposure with the patient."
    assert resolved.version == review.version + 1
    added = plan.responsibilities.get(intervention="graded_exposure")
    assert list(resolved.responsibilities.all()) == [added]
    assert list(resolved.milestones.all()) == [Milestone.objects.get(goal=goal)]
    # The plan's history says who added them and why.
    reasons = {entry.what: (entry.who, entry.reason) for entry in plan_timeline(plan=plan)}
    assert reasons["added responsibility: Graded exposure"] == (colleague, f"Psychosocial review: {REASON}")
    assert reasons["added milestone: PCS re-screen shows reliable improvement"] == (
        colleague,
        f"Psychosocial review: {REASON}",
    )
    # Audited: each part, and the review itself.
    assert AuditEvent.objects.filter(
        actor=colleague, object_type="responsibility", object_id=str(added.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        actor=colleague, object_type="review", object_id=str(review.pk), changed_fields__contains=["state"]
    ).exists()


def test_the_rescreen_is_scheduled_on_the_day_chosen(review, plan, colleague):
    _resolve(
        review, colleague, responsibilities=[_exposure(colleague)], rescreen_on=TODAY + timedelta(days=42)
    )
    due = Rescreen.objects.get(patient=review.patient, instrument="PCS", state=Rescreen.State.DUE)
    assert due.due_on == date(2026, 11, 16)


def test_the_support_is_set_at_the_plans_version(review, plan, colleague):
    _resolve(
        review,
        colleague,
        support=SupportChange(
            support_by=colleague,
            support_modality=SupportModality.IN_PERSON,
            support_frequency="weekly for 6 weeks",
            expected_version=plan.version,
        ),
    )
    plan.refresh_from_db()
    assert (plan.support_by, plan.support_modality, plan.support_frequency) == (
        colleague,
        SupportModality.IN_PERSON,
        "weekly for 6 weeks",
    )
    changed = [entry for entry in plan_timeline(plan=plan) if entry.what.startswith("changed plan")]
    assert [entry.reason for entry in changed] == [f"Psychosocial review: {REASON}"]


def test_a_support_someone_else_changed_meanwhile_is_refused_and_nothing_saved(
    review, plan, colleague, clinician, lead
):
    loaded_at = plan.version
    part_update(instance=plan, data={"support_by": lead}, expected_version=loaded_at, user=clinician)
    with pytest.raises(PlanWorkRefused) as refused:
        _resolve(
            review,
            colleague,
            responsibilities=[_exposure(colleague)],
            support=SupportChange(
                support_by=colleague,
                support_modality="",
                support_frequency="",
                expected_version=loaded_at,
            ),
        )
    assert "changed this meanwhile" in refused.value.support["support_by"][0]
    assert not plan.responsibilities.filter(intervention="graded_exposure").exists()
    review.refresh_from_db()
    assert review.state == Review.State.OPEN


def test_each_refused_item_is_named_and_nothing_is_saved(review, plan, colleague, outsider, clinician, north):
    other_patient = PatientFactory(team=north, primary_clinician=clinician)
    other_plan_goal = make_goal(make_plan(other_patient, clinician), clinician)
    with pytest.raises(PlanWorkRefused) as refused:
        _resolve(
            review,
            colleague,
            responsibilities=[_exposure(colleague), _exposure(outsider), _exposure(colleague, frequency="")],
            milestones=[
                Milestone(goal=other_plan_goal, description="x", target="y", due_date=TODAY),
            ],
            rescreen_on=TODAY - timedelta(days=1),
            support=SupportChange(
                support_by=outsider, support_modality="", support_frequency="", expected_version=plan.version
            ),
        )
    errors = refused.value
    assert set(errors.responsibilities) == {1, 2}
    assert "not a member of North MSK" in errors.responsibilities[1]["owner"][0]
    assert "frequency" in errors.responsibilities[2]
    assert errors.milestones[0] == {"goal": ["Choose a goal of this plan."]}
    assert errors.rescreen_on == ["The re-screen cannot be in the past."]
    assert "not a member of North MSK" in errors.support["support_by"][0]
    assert not Responsibility.objects.filter(intervention="graded_exposure").exists()
    assert not Rescreen.objects.filter(patient=review.patient).exists()
    review.refresh_from_db()
    assert review.state == Review.State.OPEN and review.version == 1


def test_a_stale_review_is_refused(review, plan, colleague, clinician):
    Review.objects.filter(pk=review.pk).update(version=2, owner=clinician)
    with pytest.raises(ReviewChanged):
        _resolve(review, colleague, expected_version=1, responsibilities=[_exposure(colleague)])
    assert not plan.responsibilities.exists()


def test_a_resolved_review_is_not_resolved_again(review, plan, colleague):
    resolved = _resolve(review, colleague, responsibilities=[_exposure(colleague)])
    with pytest.raises(ValidationError):
        _resolve(resolved, colleague, responsibilities=[_exposure(colleague, intervention="cbt_reframing")])
    assert plan.responsibilities.count() == 1


def test_nothing_accepted_is_not_a_plan_update(review, plan, colleague):
    with pytest.raises(PlanWorkRefused) as refused:
        _resolve(review, colleague, rescreen_on=TODAY + timedelta(days=42))
    assert "Accept at least one change to the plan" in refused.value.general[0]
    assert not Rescreen.objects.exists()


def test_without_a_plan_it_says_so(review, colleague):
    with pytest.raises(PlanWorkRefused) as refused:
        _resolve(review, colleague, responsibilities=[_exposure(colleague)])
    assert "no active or draft care plan" in refused.value.general[0]


def test_only_the_patients_team_may_resolve(review, plan, outsider):
    with pytest.raises(PermissionDenied):
        _resolve(review, outsider, responsibilities=[_exposure(outsider)])
    assert not plan.responsibilities.exists()


def test_the_work_goes_to_the_active_plan_else_the_newest_draft(patient, clinician):
    assert plan_to_update(patient_id=patient.pk) is None
    completed = make_plan(patient, clinician)
    part_update(instance=completed, data={"status": "completed"}, expected_version=1, user=clinician)
    assert plan_to_update(patient_id=patient.pk) is None
    draft = make_plan(patient, clinician)
    assert plan_to_update(patient_id=patient.pk) == draft
    active = make_plan(patient, clinician)
    part_update(instance=active, data={"status": CarePlan.Status.ACTIVE}, expected_version=1, user=clinician)
    newer_draft = make_plan(patient, clinician)
    assert newer_draft.status == CarePlan.Status.DRAFT
    assert plan_to_update(patient_id=patient.pk) == active


@pytest.mark.django_db(transaction=True)
def test_two_resolving_at_once_one_wins_and_the_other_adds_nothing(review, plan, colleague, clinician):
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def resolve(user, intervention):
        try:
            barrier.wait()
            _resolve(review, user, responsibilities=[_exposure(user, intervention=intervention)])
            outcomes[user.username] = "resolved"
        except ReviewChanged:
            outcomes[user.username] = "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=resolve, args=(user, intervention))
        for user, intervention in ((colleague, "graded_exposure"), (clinician, "cbt_reframing"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["refused", "resolved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "resolved")
    kept = {"psych": "graded_exposure", "physio": "cbt_reframing"}[winner]
    assert list(plan.responsibilities.values_list("intervention", flat=True)) == [kept]
    review.refresh_from_db()
    assert review.resolved_by.username == winner and review.version == 2
    assert list(review.responsibilities.values_list("intervention", flat=True)) == [kept]
