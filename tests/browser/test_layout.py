"""The navigation at a laptop's, a tablet's and a phone's width, and the printable plan, in real Chromium.

Signed in as the person with the longest menu (a clinic admin who is also staff, in development: every
link, the outbox and the admin included) with a long name and discipline, nothing on the page may be
wider than the window; from 1200 px (1366 px laptops included) the links stay on one line, and at 768
and 390 px they fold behind a Menu button that the keyboard opens. Every kind of page a team lead
reaches in the demo (the dashboard included) fits a 768 px tablet and a 390 px phone.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from teams.models import Discipline

from ..factories import PASSWORD, UserFactory
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/tasks/shots")
NAV_LINKS = [
    "Patients",
    "Alerts",
    "My day",
    "My responsibilities",
    "My tasks",
    "Conferences",
    "Instruments",
    "Dashboard",
]


@pytest.fixture
def admin(settings, north, patient):
    settings.DEBUG = True  # the outbox link too
    return UserFactory(
        username="longest",
        first_name="Alexandra",
        last_name="Montgomery-Whitfield",
        discipline=Discipline.OCCUPATIONAL_THERAPIST,
        is_clinic_admin=True,
        is_staff=True,
    )


def _widest(page) -> int:
    return page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")


def _too_wide(page) -> list[str]:
    """The outermost elements that reach past the window's right edge, to say what overflows."""
    return page.evaluate(
        """() => {
        const width = document.documentElement.clientWidth, out = [];
        for (const el of document.body.querySelectorAll("*")) {
          if (el.getBoundingClientRect().right > width + 0.5 && !out.some(o => o.contains(el))) out.push(el);
        }
        const classes = el => typeof el.className === "string" && el.className.trim()
          ? "." + el.className.trim().split(/\\s+/).join(".") : "";
        return out.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes(el)
          + " " + Math.round(el.getBoundingClientRect().right) + "px");
        }"""
    )


def _fits(page, width: int) -> None:
    widest = _widest(page)
    assert widest <= width, f"{page.url} is {widest} px wide at {width} px: {_too_wide(page)}"


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"layout-{name}.png"))


def _signed_in(browser, live_server, width: int, height: int):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login/")
    page.get_by_label("Username").fill("longest")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    return context, page


@pytest.mark.parametrize("width", [1366, 1200])
def test_from_1200_px_the_whole_menu_fits_on_one_line(browser, live_server, admin, patient, width):
    context, page = _signed_in(browser, live_server, width, 768)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    tops = set()
    for name in NAV_LINKS:
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        tops.add(round(link.bounding_box()["y"]))
    account = nav.get_by_role("button", name="Alexandra Montgomery-Whitfield")  # "Alexandra" on screen
    tops.add(round(account.bounding_box()["y"]))
    assert len(tops) == 1, f"the menu wraps onto {len(tops)} lines"
    assert nav.bounding_box()["height"] < 70
    _fits(page, width)
    # The account menu holds who you are and the clinic's tools.
    account.click()
    signed_in_as = "Signed in as Alexandra Montgomery-Whitfield, occupational therapist"
    expect(nav.get_by_text(signed_in_as)).to_be_visible()
    for name in ("Admin", "Outbox", "Change password"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    _fits(page, width)
    expect(nav.get_by_role("link", name="Patients", exact=True)).to_have_attribute("aria-current", "page")
    # A new patient is added from the patient list (the menu has no room for actions).
    expect(page.get_by_role("main").get_by_role("link", name="New patient")).to_be_visible()
    _shot(page, f"nav-{width}")
    context.close()


@pytest.mark.parametrize(("width", "height"), [(768, 1024), (390, 844)])
def test_at_tablet_and_phone_widths_the_menu_folds_behind_a_keyboard_operable_button(
    browser, live_server, admin, patient, width, height
):
    context, page = _signed_in(browser, live_server, width, height)
    nav = page.get_by_role("navigation", name="Main")
    toggle = nav.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Alerts")).to_be_hidden()
    _fits(page, width)
    _shot(page, f"nav-{width}-closed")

    # From the top of the page by keyboard alone: skip link, brand, then the Menu button.
    page.locator("body").focus()
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == "Menu":
            break
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))  # opened, not mid-slide
    for name in NAV_LINKS:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    _fits(page, width)
    _shot(page, f"nav-{width}-open")

    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Patients", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Alerts")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/alerts/")
    expect(nav.get_by_role("link", name="Alerts")).to_be_hidden()  # folded again on the new page
    _fits(page, width)

    # The pages a clinician opens most fit the width too.
    for path in [patient.get_absolute_url(), "/patients/", "/conferences/", "/my/day/"]:
        page.goto(path)
        _fits(page, width)
    context.close()


def test_the_printable_plan_names_the_clinic_marks_a_draft_and_prints_without_the_app(
    page, sign_in, settings, clinician, patient
):
    from careplans.models import PlanTemplate
    from careplans.templates_seed import templates_ensure

    from ..careplans.factories import make_exercise, make_goal, make_plan

    settings.CLINIC_NAME = "Riverside MSK Clinic"
    settings.CLINIC_PHONE = "020 7946 0123"
    templates_ensure(PlanTemplate)
    plan = make_plan(patient, clinician, template=PlanTemplate.objects.get(stratum="medium"))
    goal = make_goal(plan, clinician, words="Walk the dog to the park")
    make_exercise(plan, clinician, goal=goal, lighter_alternative="2 sets from a higher chair")

    sign_in("physio", PASSWORD)
    page.goto(plan.get_absolute_url())
    page.get_by_role("link", name="Printable version").click()
    expect(page.get_by_role("heading", name="Amelia's rehabilitation plan (draft)")).to_be_visible()
    expect(page.get_by_text("DRAFT — not yet agreed.")).to_be_visible()
    expect(page.get_by_role("link", name="020 7946 0123")).to_have_attribute("href", "tel:02079460123")
    expect(page.get_by_text("to agree with the patient")).to_have_count(0)
    assert_no_serious_violations(page, context="printable plan")

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_text("Back to the plan")).to_be_hidden()
    expect(page.get_by_text("Riverside MSK Clinic").first).to_be_visible()
    expect(page.get_by_text("DRAFT — not yet agreed.")).to_be_visible()
    _shot(page, "plan-print-draft")


@pytest.mark.slow
def test_every_page_kind_a_lead_reaches_fits_a_tablet_and_a_phone(browser, live_server, settings):
    from django.core.management import call_command

    from teams.demo import DEMO_PASSWORD

    from .test_accessibility import reachable_kinds

    settings.DEBUG = True
    call_command("seed_demo")
    kinds = reachable_kinds("lead")  # the dashboard and the team's pages as well as a clinician's
    assert "/dashboard/" in kinds
    too_wide = []
    for width, height in ((768, 1024), (390, 844)):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/login/")
        page.get_by_label("Username").fill("lead")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        for kind, url in sorted(kinds.items()):
            page.goto(url)
            if _widest(page) > width:
                too_wide.append(f"{kind} at {width} px: {_widest(page)} px, {_too_wide(page)}")
        context.close()
    assert not too_wide, "\n".join(too_wide)
