"""Routed plan work follows the patient's preferred modalities: review_plan pre-fills each proposed
responsibility's modality (and the psychological support's) from the preferences, and says when a
proposal goes against them."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from careplans.models import CarePlan, Responsibility, SupportModality
from careplans.services import part_update, preferences_save
from routing.models import Condition, Review, RoutingRule
from teams.models import Discipline

from ..careplans.factories import make_plan
from ..screening.factories import record
from .helpers import answers_for
from .test_resolution_page import _post_data

TODAY = date(2026, 10, 5)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-10-05 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def review(patient, clinician, colleague):
    RoutingRule.objects.update(is_active=False)
    rule = RoutingRule.objects.create(
        name="Test: high catastrophizing",
        instrument="PCS",
        condition=Condition.SCORE,
        low=30,
        discipline=Discipline.PSYCHOLOGIST,
        due_days=7,
        interventions=["graded_exposure", "cbt_reframing", "exercise_therapy"],
        rescreen_days=42,
        rationale="Catastrophizing predicts poor recovery.",
        source="Sullivan 1995",
        is_active=False,
    )
    screening = record(patient, clinician, code="PCS", answers=answers_for("PCS", 34))
    return Review.objects.create(
        patient=patient,
        screening=screening,
        rule=rule,
        reason="PCS total 34: high catastrophizing",
        discipline=Discipline.PSYCHOLOGIST,
        owner=colleague,
        due_on=TODAY + timedelta(days=7),
    )


@pytest.fixture
def plan(patient, clinician):
    return make_plan(patient, clinician)


def _url(review):
    return reverse("review_plan", kwargs={"patient_id": review.patient_id, "review_id": review.pk})


def _prefer(patient, user, *modalities):
    preferences_save(patient=patient, user=user, data={"modalities": list(modalities)}, expected_version=0)


def _proposed(response):
    return [
        (form.initial["intervention"], form.initial.get("modality", ""), form.preference_conflict)
        for form in response.context["responsibility_forms"]
    ][:3]


def test_a_routed_proposal_respects_the_preferred_modality(login, review, plan, patient, colleague):
    _prefer(patient, colleague, "video", "phone")
    client = login(colleague)
    response = client.get(_url(review))
    # Video first: every one of the rule's interventions is offered by video.
    assert _proposed(response) == [
        ("graded_exposure", "video", ""),
        ("cbt_reframing", "video", ""),
        ("exercise_therapy", "video", ""),
    ]
    assert "Against a preference" not in response.text
    data = _post_data(response, **{"responsibility-0-accept": "on"})
    assert client.post(_url(review), data).status_code == 302
    added = Responsibility.objects.get(plan=plan, intervention="graded_exposure")
    assert added.modality == "video"


def test_a_routed_proposal_against_the_preference_says_so(login, review, plan, patient, colleague):
    _prefer(patient, colleague, "phone")
    response = login(colleague).get(_url(review))
    not_by_phone = "Amelia prefers phone; this intervention is not offered that way."
    assert _proposed(response) == [
        ("graded_exposure", "in_person", f"Proposed in person: {not_by_phone}"),
        ("cbt_reframing", "phone", ""),
        ("exercise_therapy", "in_person", f"Proposed in person: {not_by_phone}"),
    ]
    # The message sits with its proposal, not the one after.
    page = response.text
    graded = page.index("Proposed: Graded exposure")
    reframing = page.index("Proposed: CBT-informed reframing")
    assert graded < page.index(f"Proposed in person: {not_by_phone}") < reframing
    assert page.count("Against a preference") == 2


def test_the_support_proposal_follows_the_preferences_and_flags_the_plans_own(
    login, review, plan, patient, colleague
):
    part_update(
        instance=CarePlan.objects.get(pk=plan.pk),
        data={"support_by": colleague, "support_modality": SupportModality.IN_PERSON},
        expected_version=plan.version,
        user=colleague,
    )
    _prefer(patient, colleague, "video")
    response = login(colleague).get(_url(review))
    support = response.context["support_form"]
    assert support.initial["support_modality"] == SupportModality.TELEHEALTH
    assert support.preference_conflict == (
        "The plan says one-to-one, in person: Amelia prefers video, so one-to-one, by video or phone "
        "is proposed."
    )
    assert support.preference_conflict in response.text


def test_without_preferences_the_proposals_are_the_usual_way_and_nothing_is_flagged(
    login, review, plan, colleague
):
    response = login(colleague).get(_url(review))
    assert [modality for _code, modality, _conflict in _proposed(response)] == ["in_person"] * 3
    assert response.context["support_form"].initial["support_modality"] == ""
    assert "Against a preference" not in response.text


def test_a_modality_changed_from_the_proposal_is_judged_as_chosen_when_the_page_comes_back(
    login, review, plan, patient, colleague
):
    _prefer(patient, colleague, "phone")
    client = login(colleague)
    response = client.get(_url(review))
    # Reframing changed to in person (against the preference), exposure to video (not the proposal
    # either); the first item is left without its frequency, so the page comes back.
    data = _post_data(
        response,
        **{
            "responsibility-0-accept": "on",
            "responsibility-0-frequency": "",
            "responsibility-0-modality": "video",
            "responsibility-1-modality": "in_person",
        },
    )
    again = client.post(_url(review), data)
    assert again.status_code == 200
    forms = list(again.context["responsibility_forms"])
    assert forms[0].preference_conflict == "Delivered by video: Amelia prefers phone."
    assert forms[1].preference_conflict == "Delivered in person: Amelia prefers phone."
    assert not Responsibility.objects.filter(plan=plan).exists()
