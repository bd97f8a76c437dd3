"""Care preferences in real Chromium: from the plan page's "not recorded yet", a clinician records how the
patient wants to be cared for (a refusal answered by its field first), lands back on the plan with the
preferences at the top, and reads the change in the preferences' history; axe on each page."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from careplans.models import CarePreferences, PlanTemplate

from ..careplans.factories import make_plan
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/tasks/shots")


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i20-preferences-{name}.png"), full_page=True)


def test_recording_preferences_from_the_plan_and_seeing_them_at_its_top(page, sign_in, clinician, patient):
    template = PlanTemplate.objects.create(
        name="Remote start", stratum="low", description="", interventions=["pain_education", "manual_therapy"]
    )
    plan = make_plan(patient, clinician, template=template)
    sign_in("physio", PASSWORD)
    page.goto(plan.get_absolute_url())
    panel = page.get_by_role("region", name="How Amelia wants to be cared for")
    expect(panel).to_contain_text("Not recorded yet")
    panel.get_by_role("link", name="Record preferences").click()

    expect(page.get_by_role("heading", name="How Amelia wants to be cared for", level=1)).to_be_visible()
    expect(page.get_by_text("Chew LD, Bradley KA, Boyko EJ")).to_be_visible()
    assert_no_serious_violations(page, context="preferences: empty")
    page.get_by_role("checkbox", name="Video").check()
    page.get_by_role("checkbox", name="Phone").check()
    page.get_by_label("Most preferred of these").select_option(label="Phone")
    page.get_by_role("radio", name="A little bit").check()
    page.get_by_label("Needs an interpreter").check()
    page.get_by_label("Preferred language").fill("Polish")
    page.get_by_role("checkbox", name="Monday").check()
    page.get_by_role("checkbox", name="Wednesday").check()
    page.get_by_label("Contact from").fill("10:00")
    page.get_by_label("What matters most to them").fill("Playing with my grandchildren")
    page.get_by_role("button", name="Save").click()

    # Only one of the two times: refused, the message tied to its field.
    until = page.get_by_label("Contact until")
    expect(until).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Give both times, or leave both empty")).to_be_visible()
    assert not CarePreferences.objects.exists()
    assert_no_serious_violations(page, context="preferences: refused")
    _shot(page, "refused")
    until.fill("16:00")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Preferences recorded.")).to_be_visible()
    panel = page.get_by_role("region", name="How Amelia wants to be cared for")
    expect(panel).to_contain_text("Phone, Video (in this order)")
    expect(panel).to_contain_text("Limited: use plain-language material")
    expect(panel).to_contain_text("Interpreter needed: Polish")
    expect(panel).to_contain_text("Monday, Wednesday, 10:00–16:00")
    # The plan's work was proposed in person before the preferences were recorded: both flagged.
    expect(page.get_by_text("Delivered in person: Amelia prefers phone or video.")).to_have_count(2)
    assert_no_serious_violations(page, context="plan page with preferences")
    _shot(page, "plan-top")

    panel.get_by_role("link", name="Change preferences").click()
    page.get_by_role("checkbox", name="Video").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Preferences saved.")).to_be_visible()
    page.goto(page.url.split("/plans/")[0] + "/preferences/")
    history = page.get_by_role("region", name="Changes")
    expect(history).to_contain_text("changed the preferences")
    expect(history).to_contain_text("Phone, Video → Phone")
    expect(history).to_contain_text("recorded the preferences")
    assert_no_serious_violations(page, context="preferences: with history")
    _shot(page, "history")
