"""Screening that routes care, end to end in real Chromium: a high PCS entered by the physiotherapist
becomes a review in the team psychologist's queue, resolved into a graded-exposure responsibility and a
re-screen, which the overview and the plan's history then show."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import PlanTemplate, Responsibility
from careplans.services import part_update
from careplans.templates_seed import templates_ensure
from routing.models import HistoricalRoutingRule, Rescreen, Review, RoutingRule
from routing.rules_seed import rules_ensure
from screening.batteries import batteries_ensure
from screening.models import Battery
from teams.models import Discipline

from ..careplans.factories import make_goal, make_plan
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, what: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i19-plan-{what}.png"), full_page=True)


@pytest.fixture(autouse=True)
def standard_rows():
    # Transactional tests empty every table, the data migrations' rows included.
    templates_ensure(PlanTemplate)
    batteries_ensure(Battery)
    rules_ensure(RoutingRule, HistoricalRoutingRule)


@pytest.fixture
def active_plan(patient, clinician):
    today = timezone.localdate()
    plan = make_plan(patient, clinician, start_date=today, review_date=today + timedelta(weeks=12))
    make_goal(plan, clinician, words="Back to gardening", target_date=today + timedelta(weeks=12))
    return part_update(
        instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician
    )


def test_a_high_pcs_becomes_the_psychologists_review_and_a_graded_exposure_plan(
    page, sign_in, clinician, colleague, patient, active_plan
):
    assert colleague.discipline == Discipline.PSYCHOLOGIST
    # The physiotherapist keys in a PCS of 33 (eleven items at 3, two at 0).
    sign_in("physio", PASSWORD)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="One instrument…").click()
    page.get_by_role("link", name=re.compile(r"^PCS ")).click()
    expect(page.get_by_role("radiogroup").first.get_by_role("radio").first).to_be_focused()
    for digit in "3333333333300":
        page.keyboard.press(digit)
    expect(page.locator("output.running-total")).to_have_text("33")
    page.get_by_role("button", name="Save screening").click()
    expect(page.get_by_text("Screening saved: PCS 33.")).to_be_visible()
    review = Review.objects.get(patient=patient, rule__instrument="PCS")
    assert review.owner == colleague

    page.get_by_role("button", name="Priya Shah").click()
    page.get_by_role("button", name="Log out").click()

    # The psychologist finds it among their own reviews and opens it.
    sign_in("psych", PASSWORD)
    page.get_by_role("link", name="Reviews").click()
    page.get_by_label("Whose").select_option("mine")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row").filter(has_text="Okafor")
    row.get_by_role("link", name=review.reason).click()
    page.get_by_role("link", name="Resolve with plan changes").click()
    expect(page.get_by_role("heading", name="Resolve with plan changes")).to_be_visible()
    assert_no_serious_violations(page, context="psychologist: resolve a review with plan changes")
    _shot(page, "review-plan")

    # Keep graded exposure (drop the other proposals) and the re-screen.
    exposure = page.get_by_role("group", name="Proposed: Graded exposure")
    exposure.get_by_label("Add graded exposure to the plan").check()
    exposure.get_by_label("How often").fill("weekly, 6 sessions")
    page.get_by_label("Schedule the PCS re-screen").check()
    rescreen_day = page.get_by_label("Screen again on").input_value()
    page.get_by_role("button", name="Update the plan and resolve the review").click()

    expect(page.get_by_text("Review resolved: the plan is updated.")).to_be_visible()
    responsibility = Responsibility.objects.get(plan=active_plan, intervention="graded_exposure")
    assert responsibility.owner == colleague and responsibility.frequency == "weekly, 6 sessions"
    assert not Responsibility.objects.filter(plan=active_plan, intervention="cbt_pain_coping").exists()
    review.refresh_from_db()
    assert review.resolution == Review.Resolution.PLAN_UPDATED
    rescreen = Rescreen.objects.get(patient=patient, instrument="PCS", state=Rescreen.State.DUE)
    assert rescreen.due_on.isoformat() == rescreen_day

    # The plan's history gives the review as the reason for the part it added.
    history = page.get_by_role("region", name="History")
    added = history.get_by_role("listitem").filter(has_text="added responsibility: Graded exposure")
    expect(added).to_contain_text(f"Reason: Psychosocial review: {review.reason}")
    _shot(page, "plan-history")

    # The overview shows the new responsibility and the re-screen due.
    page.goto(patient.get_absolute_url())
    plan_section = page.get_by_role("region", name="Care plan")
    expect(plan_section).to_contain_text("Graded exposure")
    follow_up = page.get_by_role("region", name="Follow-up screening")
    expect(follow_up).to_contain_text(f"PCS due {rescreen.due_on:%-d %b %Y}")
    _shot(page, "overview")


def test_the_plans_psychological_support_is_agreed_on_its_page(
    page, sign_in, clinician, colleague, patient, active_plan
):
    sign_in("physio", PASSWORD)
    page.goto(active_plan.get_absolute_url())
    support = page.get_by_role("region", name="Psychological support")
    expect(support).to_contain_text("not agreed yet")
    support.get_by_role("link", name="Agree psychological support").click()
    assert_no_serious_violations(page, context="physio: the plan's psychological support")
    page.get_by_label("How often").fill("weekly")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Say who delivers the support")).to_be_visible()
    assert_no_serious_violations(page, context="physio: the plan's psychological support, refused")
    _shot(page, "support-error")
    page.get_by_label("Delivered by").select_option(label=str(colleague))
    page.get_by_label("Modality").select_option(label="One-to-one, by video or phone")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Psychological support saved.")).to_be_visible()
    support = page.get_by_role("region", name="Psychological support")
    expect(support).to_contain_text("One-to-one, by video or phone")
    expect(support).to_contain_text("weekly")
    page.goto(patient.get_absolute_url())
    expect(page.get_by_role("region", name="Care plan")).to_contain_text("One-to-one, by video or phone")
    _shot(page, "support-overview")
