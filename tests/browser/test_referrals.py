"""A clinician (physio) refers a North MSK patient to a peer support group found by searching the
directory from the plan, then records the group's acceptance: the plan shows it accepted, and its history
says who changed the status from what to what. axe runs on every page on the way."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from careplans.models import Referral, ResourceCategory

from ..careplans.factories import make_goal, make_plan
from ..careplans.referral_factories import make_resource
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/tasks/shots")


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i22-referrals-{name}.png"), full_page=True)


def test_a_clinician_refers_to_a_peer_support_group_and_records_its_acceptance(
    page, sign_in, clinician, lead, patient
):
    from django.utils import timezone

    today = timezone.localdate()
    group = make_resource(lead, "Living Well with Pain", last_verified_on=today)
    make_resource(
        lead,
        "Roundhay Walking Group",
        category=ResourceCategory.COMMUNITY_EXERCISE,
        description="Gentle walks round the park.",
        eligibility="Adults who can walk a mile.",
        last_verified_on=today,
    )
    plan = make_plan(patient, clinician, start_date=today, review_date=today)
    make_goal(plan, clinician, words="Back to my allotment", target_date=today)

    sign_in("physio", PASSWORD)
    page.goto(plan.get_absolute_url())
    referrals = page.locator("section", has=page.get_by_role("heading", name="Referrals"))
    expect(referrals).to_contain_text("No referrals yet.")
    referrals.get_by_role("link", name="Refer from the directory").click()

    # The directory, opened for this plan: search it for a peer support group.
    expect(page.get_by_role("heading", name="Community resources")).to_be_visible()
    page.get_by_label("Search", exact=True).fill("pain")
    page.get_by_label("Category").select_option(label="Peer support group")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 resource found.")).to_be_visible()
    expect(page.get_by_role("link", name="Roundhay Walking Group")).to_have_count(0)
    assert_no_serious_violations(page)
    _shot(page, "directory-search")
    page.get_by_role("link", name="Refer to Living Well with Pain").click()

    # The referral form: the group chosen, today's date, a follow-up in two weeks; reason and consent.
    expect(page.get_by_role("heading", name="Add referral")).to_be_visible()
    expect(page.get_by_label("Directory resource")).to_have_value(str(group.pk))
    page.get_by_label("Reason for referral").fill(
        "Isolated since stopping work; wants to meet others with pain."
    )
    page.get_by_label("Verbally").check()
    page.get_by_label("The patient", exact=True).check()
    assert_no_serious_violations(page)
    _shot(page, "referral-form")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Referral added.")).to_be_visible()
    item = referrals.locator("li.referral", has_text="Living Well with Pain")
    expect(item).to_contain_text("Sent")
    item.get_by_role("link", name="Update referral to Living Well with Pain").click()

    # The group rang back: it accepted. The next follow-up is set for when the patient should have gone.
    page.get_by_label("Status").select_option(label="Accepted")
    page.get_by_label("Outcome").fill("First group on the second Tuesday.")
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Referral saved.")).to_be_visible()
    expect(item.locator(".badge").first).to_have_text("Accepted")
    expect(item).to_contain_text("First group on the second Tuesday.")
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    expect(history).to_contain_text("changed referral: Living Well with Pain")
    expect(history).to_contain_text("Status: Sent → Accepted")
    assert_no_serious_violations(page)
    _shot(page, "plan-accepted")
    referral = Referral.objects.get()
    assert referral.status == "accepted" and referral.owner == clinician


def test_a_lead_adds_a_resource_and_marks_a_stale_one_verified(page, sign_in, lead):
    from datetime import timedelta

    from django.utils import timezone

    make_resource(lead, "Stale Swim Club", last_verified_on=timezone.localdate() - timedelta(days=400))
    sign_in("lead", PASSWORD)
    page.goto("/resources/")
    stale = page.locator("li.resource", has_text="Stale Swim Club")
    expect(stale).to_contain_text("verify again")
    page.get_by_role("link", name="Add a resource").click()
    assert_no_serious_violations(page)
    page.get_by_label("Name").fill("Back to Work Leeds")
    page.get_by_label("Category").select_option(label="Workplace and return-to-work service")
    page.get_by_label("Area").fill("City-wide")
    page.get_by_label("Referral method").select_option(label="Email")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Give at least one way to contact it")).to_be_visible()
    page.get_by_label("Email").fill("referrals@backtowork.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Back to Work Leeds")).to_be_visible()
    expect(page.get_by_text("Never verified")).to_be_visible()
    assert_no_serious_violations(page)
    page.goto("/resources/")
    page.get_by_role("link", name="Stale Swim Club").click()
    page.get_by_role("button", name="Verified today").click()
    expect(page.get_by_text("“Stale Swim Club” marked verified today.")).to_be_visible()
    page.goto("/resources/")
    expect(page.locator("li.resource", has_text="Stale Swim Club")).not_to_contain_text("verify again")
    _shot(page, "directory-lead")
