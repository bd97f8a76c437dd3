"""Routed reviews and competence (issue 22): the engine gives a review to a competent member of the
discipline when there is one, and otherwise by discipline with the reason recorded (never refused: a
finding is not lost, strict or not); reassigning goes through the gate (a reason in warn mode, refused in
strict mode); the plan work proposed when resolving prefers competent owners. The clock is frozen on
15 October 2026 (London): last full month, September."""

from datetime import date, datetime

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from careplans.models import Responsibility
from routing import services
from routing.models import Condition, Review, RoutingRule
from teams.models import AuditEvent, Discipline
from training.models import Competency
from training.seed import competencies_ensure

from ..careplans.factories import make_plan
from ..screening.factories import record
from ..training.factories import LONDON, SupervisionSessionFactory, TrainingRecordFactory, competency
from .helpers import answers_for, psychologist

pytestmark = pytest.mark.untrained

NOW = datetime(2026, 10, 15, 10, 0, tzinfo=LONDON)
CBT = "cbt-informed-practice"
EXPOSURE = "graded-exposure"
REASON = "Covering while Ada is on leave"


@pytest.fixture(autouse=True)
def seeded_competencies(db):
    competencies_ensure(Competency)  # a transactional test before may have emptied the seeded ones


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rule(db):
    """One rule, proposing CBT-informed reframing and graded exposure (what its owner needs)."""
    RoutingRule.objects.update(is_active=False)
    return RoutingRule.objects.create(
        name="Test: high catastrophizing",
        instrument="PCS",
        condition=Condition.SCORE,
        low=30,
        discipline=Discipline.PSYCHOLOGIST,
        due_days=7,
        interventions=["cbt_reframing", "graded_exposure", "exercise_therapy"],
        rescreen_days=42,
        rationale="Catastrophizing predicts poor recovery.",
        source="Sullivan 1995",
    )


def holds(user, *codes, **fields):
    for code in codes:
        TrainingRecordFactory(user=user, competency=competency(code), completed_on=date(2025, 1, 1), **fields)


@pytest.fixture
def adams(north):
    return psychologist(north, username="adams", first_name="Zed", last_name="Adams")


@pytest.fixture
def byrne(north):
    return psychologist(north, username="byrne", first_name="Ada", last_name="Byrne")


def fire(patient, clinician):
    record(patient, clinician, code="PCS", answers=answers_for("PCS", 34))
    return Review.objects.get(patient=patient)


# The engine -------------------------------------------------------------------------------------------


def test_the_review_goes_to_the_competent_psychologist_though_another_comes_first(
    rule, patient, clinician, adams, byrne
):
    holds(byrne, CBT, EXPOSURE)
    review = fire(patient, clinician)
    # Adams comes first by name with as few open reviews; only Byrne holds what the rule proposes.
    assert (review.owner, review.competence_override_reason) == (byrne, "")


def test_with_nobody_competent_the_review_goes_by_discipline_and_says_why(
    rule, patient, clinician, adams, byrne, api_as
):
    holds(byrne, CBT)  # graded exposure still missing
    review = fire(patient, clinician)
    assert review.owner == adams
    why = "No member of North MSK holds CBT-informed practice and Graded exposure; assigned by discipline."
    assert review.competence_override_reason == why
    url = reverse("api_review_detail", kwargs={"patient_id": patient.pk, "review_id": review.pk})
    assert api_as(clinician).get(url).json()["competence_override_reason"] == why


@override_settings(COMPETENCE_GATE="strict")
def test_strict_still_opens_the_review_so_the_finding_is_not_lost(rule, patient, clinician, adams):
    review = fire(patient, clinician)
    assert review.owner == adams and review.state == Review.State.OPEN
    assert review.competence_override_reason.startswith("No member of North MSK holds")


def test_supervision_up_to_date_makes_a_supervised_psychologist_competent(
    rule, patient, clinician, adams, byrne
):
    holds(byrne, CBT, EXPOSURE, level="under_supervision")
    SupervisionSessionFactory(held_at=datetime(2026, 9, 30, 23, 30, tzinfo=LONDON), supervisees=[byrne])
    assert fire(patient, clinician).owner == byrne


def test_supervision_of_the_wrong_month_does_not(rule, patient, clinician, adams, byrne):
    holds(byrne, CBT, EXPOSURE, level="under_supervision")
    # 00:30 on 1 October in London is October's, not September's: last full month had none.
    SupervisionSessionFactory(held_at=datetime(2026, 10, 1, 0, 30, tzinfo=LONDON), supervisees=[byrne])
    assert fire(patient, clinician).owner == adams


# Reassigning -------------------------------------------------------------------------------------------


def _reassign(client, review, owner, **fields):
    return client.post(
        review.get_absolute_url(),
        {"action": "reassign", "version": review.version, "owner": owner.pk, **fields},
    )


def test_reassigning_to_someone_without_the_competence_asks_for_a_reason_on_the_page(
    login, rule, patient, clinician, adams, byrne
):
    holds(adams, CBT, EXPOSURE)
    review = fire(patient, clinician)
    client = login(adams)
    response = _reassign(client, review, byrne)
    assert response.status_code == 200
    errors = response.context["reassign_form"].errors
    assert list(errors) == ["competence_override_reason"]
    assert errors["competence_override_reason"][0].startswith(
        "Ada Byrne lacks CBT-informed practice (no training record) and Graded exposure (no training record)"
    )
    review.refresh_from_db()
    assert review.owner == adams

    response = _reassign(client, review, byrne, competence_override_reason=REASON)
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.owner, review.competence_override_reason) == (byrne, REASON)
    event = AuditEvent.objects.filter(object_type="review", action="update").latest("id")
    assert sorted(event.changed_fields) == ["competence_override_reason", "owner"]
    page = " ".join(client.get(review.get_absolute_url()).content.decode().split())
    assert f"Kept without CBT-informed practice and Graded exposure: {REASON}" in page


@override_settings(COMPETENCE_GATE="strict")
def test_strict_refuses_the_reassignment_on_the_owner_field(login, rule, patient, clinician, adams, byrne):
    holds(adams, CBT, EXPOSURE)
    review = fire(patient, clinician)
    response = _reassign(login(adams), review, byrne, competence_override_reason=REASON)
    errors = response.context["reassign_form"].errors
    assert list(errors) == ["owner"]
    assert errors["owner"][0].endswith("the clinic assigns this work to competent owners only.")
    review.refresh_from_db()
    assert (review.owner, review.version) == (adams, 1)


def test_reassigning_to_a_competent_member_clears_the_reason_recorded(rule, patient, clinician, adams, byrne):
    review = fire(patient, clinician)
    assert review.competence_override_reason
    holds(byrne, CBT, EXPOSURE)
    services.review_reassign(review=review, owner=byrne, user=adams, expected_version=review.version)
    review.refresh_from_db()
    assert (review.owner, review.competence_override_reason) == (byrne, "")


def test_a_rule_that_proposes_nothing_needing_training_reassigns_freely(
    rule, patient, clinician, adams, byrne
):
    rule.interventions = ["exercise_therapy"]
    rule.save()
    review = fire(patient, clinician)
    services.review_reassign(review=review, owner=byrne, user=adams, expected_version=review.version)
    review.refresh_from_db()
    assert (review.owner, review.competence_override_reason) == (byrne, "")


# The plan work proposed when resolving ------------------------------------------------------------------


@pytest.fixture
def review(rule, patient, clinician, adams, byrne):
    holds(adams, CBT, EXPOSURE)
    return fire(patient, clinician)  # Adams's


def _plan_url(review):
    return reverse("review_plan", kwargs={"patient_id": review.patient_id, "review_id": review.pk})


def _proposals(response):
    return {
        form.initial["intervention"]: (
            form.initial["owner"],
            form.initial.get("competence_override_reason", ""),
        )
        for form in response.context["responsibility_forms"]
        if form.initial.get("intervention")
    }


def test_the_proposals_go_to_competent_owners_and_say_why_when_nobody_is(
    login, review, patient, clinician, adams, byrne
):
    make_plan(patient, clinician)
    proposals = _proposals(login(adams).get(_plan_url(review)))
    assert proposals["cbt_reframing"] == (adams, "")
    assert proposals["graded_exposure"] == (adams, "")
    # Exercise therapy needs no training: the physiotherapist, as before.
    assert proposals["exercise_therapy"] == (clinician, "")


def test_a_reviewer_without_the_competence_yields_the_proposal_to_a_competent_colleague(
    login, rule, patient, clinician, adams, byrne
):
    review = fire(patient, clinician)  # Adams's, nobody trained yet
    holds(byrne, EXPOSURE)
    make_plan(patient, clinician)
    proposals = _proposals(login(adams).get(_plan_url(review)))
    assert proposals["graded_exposure"] == (byrne, "")
    assert proposals["cbt_reframing"] == (
        adams,
        "No member of North MSK holds CBT-informed practice; proposed by discipline.",
    )


def test_accepting_work_for_an_owner_without_the_competence_needs_the_reason_on_that_item(
    login, review, patient, clinician, adams, byrne
):
    plan = make_plan(patient, clinician)
    client = login(adams)
    page = client.get(_plan_url(review))
    data = {
        "responsibility-TOTAL_FORMS": len(page.context["responsibility_forms"]),
        "responsibility-INITIAL_FORMS": 0,
        "version": review.version,
        "responsibility-0-accept": "on",
        "responsibility-0-intervention": "cbt_reframing",
        "responsibility-0-owner": byrne.pk,
        "responsibility-0-discipline": Discipline.PSYCHOLOGIST,
        "responsibility-0-frequency": "weekly",
        "responsibility-0-starts_on": "2026-10-16",
        "rescreen-rescreen_on": "2026-11-26",
    }
    refused = client.post(_plan_url(review), data)
    assert refused.status_code == 200
    (first, *_rest) = refused.context["responsibility_forms"]
    assert list(first.errors) == ["competence_override_reason"]
    assert not Responsibility.objects.exists()
    saved = client.post(_plan_url(review), data | {"responsibility-0-competence_override_reason": REASON})
    assert saved.status_code == 302
    added = Responsibility.objects.get(plan=plan)
    assert (added.owner, added.competence_override_reason) == (byrne, REASON)


@override_settings(COMPETENCE_GATE="strict")
def test_strict_refuses_the_item_on_its_owner(login, review, patient, clinician, adams, byrne):
    make_plan(patient, clinician)
    client = login(adams)
    page = client.get(_plan_url(review))
    data = {
        "responsibility-TOTAL_FORMS": len(page.context["responsibility_forms"]),
        "responsibility-INITIAL_FORMS": 0,
        "version": review.version,
        "responsibility-0-accept": "on",
        "responsibility-0-intervention": "cbt_reframing",
        "responsibility-0-owner": byrne.pk,
        "responsibility-0-discipline": Discipline.PSYCHOLOGIST,
        "responsibility-0-frequency": "weekly",
        "responsibility-0-starts_on": "2026-10-16",
        "responsibility-0-competence_override_reason": REASON,
    }
    refused = client.post(_plan_url(review), data)
    assert list(refused.context["responsibility_forms"][0].errors) == ["owner"]
    assert not Responsibility.objects.exists()
