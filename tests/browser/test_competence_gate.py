"""The competence gate in real Chromium (issue 22): a physio gives CBT-informed reframing to a psychologist
with no training record; the form asks for a reason beside the field (axe on the page with the message),
the reason is recorded and the plan shows it. The reviewer then reassigns a routed review: asked the same."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from careplans.models import PlanTemplate, Responsibility
from careplans.templates_seed import templates_ensure
from routing.models import Review, RoutingRule
from routing.rules_seed import rules_ensure
from training.models import Competency
from training.seed import competencies_ensure

from ..careplans.factories import make_plan
from ..factories import PASSWORD
from ..routing.helpers import answers_for
from ..screening.factories import record
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.untrained, pytest.mark.django_db(transaction=True)]
REASON = "Only psychologist until January; supervised by the lead"
SHOTS = Path("/work/tasks/shots")


def shot(page, what):
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i22-competence-{what}.png"), full_page=True)


@pytest.fixture(autouse=True)
def standard_rows():
    templates_ensure(PlanTemplate)
    competencies_ensure(Competency)  # a transactional test empties the seeded rows
    rules_ensure(RoutingRule)


def test_a_physio_keeps_an_untrained_owner_with_a_reason_and_the_plan_shows_it(
    page, sign_in, clinician, colleague, patient
):
    plan = make_plan(patient, clinician)
    sign_in("physio", PASSWORD)
    page.goto(plan.get_absolute_url())
    page.get_by_role("link", name="Add responsibility").last.click()
    page.get_by_label("Intervention").select_option(label="CBT-informed reframing")
    page.get_by_label("Owner").select_option(label=str(colleague))
    page.get_by_label("Discipline").select_option(label="Psychologist")
    page.get_by_label("How often").fill("weekly")
    page.get_by_role("button", name="Save").click()

    reason = page.get_by_label("Reason to keep this owner without the competence")
    expect(reason).to_be_visible()
    expect(
        page.get_by_text("lacks CBT-informed practice (no training record): give a reason")
    ).to_be_visible()
    assert_no_serious_violations(page)
    shot(page, "responsibility-reason-asked")
    assert not Responsibility.objects.exists()

    reason.fill(REASON)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Responsibility added.")).to_be_visible()
    expect(page.get_by_text(f"Kept without CBT-informed practice: {REASON}")).to_be_visible()
    shot(page, "plan-kept-without")
    assert Responsibility.objects.get().competence_override_reason == REASON


def test_reassigning_a_review_to_an_untrained_colleague_asks_for_a_reason(
    page, sign_in, clinician, colleague, patient
):
    record(patient, clinician, code="PCS", answers=answers_for("PCS", 34))
    review = Review.objects.get(patient=patient)
    assert review.owner == colleague and review.competence_override_reason.startswith("No member of")
    sign_in("psych", PASSWORD)
    page.goto(review.get_absolute_url())
    expect(page.get_by_text("Kept without CBT-informed practice and Graded exposure")).to_be_visible()
    page.get_by_label("Give this review to").select_option(label=f"{clinician} (Physiotherapist)")
    page.get_by_role("button", name="Reassign").click()
    expect(page.get_by_text("give a reason to keep them as owner")).to_be_visible()
    assert_no_serious_violations(page)
    shot(page, "review-reassign-reason-asked")
    page.get_by_label("Reason to give it to someone without the competence").fill(REASON)
    page.get_by_role("button", name="Reassign").click()
    expect(page.get_by_text(f"Review given to {clinician}.")).to_be_visible()
    review.refresh_from_db()
    assert (review.owner, review.competence_override_reason) == (clinician, REASON)
