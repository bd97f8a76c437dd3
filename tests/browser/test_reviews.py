"""The review queue and a review's page (issue 19), in real Chromium: the team psychologist finds the
review a physiotherapist's high PCS opened in their queue (an overdue one marked), starts it, is told
per field what resolving needs, and resolves it; axe on the queue and on the page."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from routing.models import Review, RoutingRule
from routing.rules_seed import rules_ensure
from tests.routing.helpers import answers_for, psychologist
from tests.screening.factories import record

from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, what: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i19-reviews-{what}.png"), full_page=True)


def test_a_psychologist_works_a_review_from_the_queue(page, sign_in, clinician, patient, north):
    page.set_viewport_size({"width": 1280, "height": 900})
    rules_ensure(RoutingRule, RoutingRule.history.model)  # a transactional test empties the seeded rows
    psych = psychologist(north, first_name="Tom", last_name="Adeyemi")
    record(
        patient,
        clinician,
        code="PHQ-9",
        answers=answers_for("PHQ-9", 12),
        administered_at=timezone.now() - timedelta(days=20),
    )
    record(patient, clinician, code="PCS", answers=answers_for("PCS", 34))
    late = Review.objects.get(screening__instrument="PHQ-9")
    assert late.owner == psych and late.overdue

    sign_in("psych", PASSWORD)
    page.get_by_role("link", name="Reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    rows = page.get_by_role("row")
    expect(rows).to_have_count(3)  # the header and my two reviews, the overdue one first
    expect(rows.nth(1)).to_contain_text("Overdue")
    expect(rows.nth(1)).to_contain_text("PHQ-9 12 (moderate)")
    expect(rows.nth(2)).to_contain_text("PCS 34 (clinically relevant): high pain catastrophizing")
    _shot(page, "queue")
    assert_no_serious_violations(page, context="psychologist: review queue")

    page.get_by_role("link", name="PCS 34 (clinically relevant): high pain catastrophizing").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Psychosocial review")
    expect(page.get_by_text("Vlaeyen", exact=False)).to_be_visible()
    assert_no_serious_violations(page, context="psychologist: a review's page")
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_text("Review started", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("In progress")

    page.get_by_label("Referred").check()
    page.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.get_by_text("Write a note saying why.")).to_be_visible()
    _shot(page, "detail-errors")
    assert_no_serious_violations(page, context="psychologist: a review's page with an error")

    page.get_by_label("Note").fill("Referred to the community pain service's psychologist.")
    page.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.get_by_text("Review resolved: referred.")).to_be_visible()
    expect(page.get_by_role("list").filter(has_text="Opened by the routing rule")).to_contain_text("Resolved")
    _shot(page, "detail-resolved")
    review = Review.objects.get(screening__instrument="PCS")
    assert (review.state, review.resolution, review.resolved_by) == ("resolved", "referred", psych)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    expect(page.get_by_role("row")).to_have_count(2)  # the PHQ-9 review still to do
    page.get_by_label("State").select_option("resolved")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row").nth(1)).to_contain_text("Resolved: referred")
