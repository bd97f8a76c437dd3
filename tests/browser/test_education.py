"""Education on a phone: a clinician assigns an item from the plan page, the patient (limited health
literacy) reads it through their check-in link on a 390 × 844 screen in the plain-language version, and
the plan page then shows it read. axe runs on every page; the patient's targets are at least 44 px."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from careplans.education_seed import education_ensure
from careplans.models import CarePreferences, EducationAssignment, EducationItem
from checkins import services
from checkins.models import Reminder

from ..careplans.factories import make_plan
from ..checkins.factories import make_schedule
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/work/tasks/shots")
TOKEN = "education-on-a-phone"


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i20-education-{name}.png"), full_page=True)


def _targets_at_least_44px(page) -> None:
    """Every link and button of the page's main part is at least 44 px high (the footer's phone number is a
    link inside a sentence, which WCAG 2.5.8 exempts)."""
    for target in page.locator("main a, main button").all():
        box = target.bounding_box()
        assert box is not None and box["height"] >= 44, f"{target.inner_text()!r}: {box}"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_patient_reads_an_assigned_item_on_a_phone_and_the_plan_shows_it_read(
    page, phone, sign_in, clinician, patient
):
    education_ensure(EducationItem)  # a transactional test empties the table the migration filled
    CarePreferences.objects.create(patient=patient, forms_confidence=CarePreferences.FormsConfidence.A_LITTLE)
    plan = make_plan(patient, clinician)
    now = timezone.now()
    Reminder.objects.create(
        schedule=make_schedule(patient),
        patient=patient,
        due_at=now,
        status=Reminder.Status.SENT,
        channel="email",
        token_hash=services.token_hash(TOKEN),
        sent_at=now,
        expires_at=now + timedelta(hours=48),
    )

    # The clinician assigns it from the plan page.
    sign_in("physio", PASSWORD)
    page.goto(plan.get_absolute_url())
    section = page.locator("section", has=page.get_by_role("heading", name="Education"))
    expect(section).to_contain_text("Nothing assigned yet.")
    section.get_by_label("Education item").select_option(label=_label("how-pain-works"))
    section.get_by_role("button", name="Assign to read").click()
    expect(page.get_by_text("“How pain works” assigned")).to_be_visible()
    expect(section).to_contain_text("not read yet")
    assert_no_serious_violations(page, context="plan page: education assigned")

    # The patient, on their phone, from the link.
    phone.goto(f"/r/{TOKEN}/")
    expect(phone.get_by_role("heading", name="Hello Amelia")).to_be_visible()
    readings = phone.get_by_role("region", name="Things to read from your team")
    expect(readings).to_be_visible()
    readings.get_by_role("link", name="How pain works").click()
    expect(phone.get_by_role("heading", name="How pain works", level=1)).to_be_visible()
    expect(phone.get_by_text("Your pain is real.")).to_be_visible()  # plain language
    expect(phone.get_by_role("link", name="Read the longer version")).to_be_visible()
    assert_no_serious_violations(phone, context="patient: reading an item (plain)")
    _targets_at_least_44px(phone)
    _shot(phone, "read-plain")

    phone.get_by_role("link", name="Read the longer version").click()
    expect(phone.get_by_text("Hurt does not always mean harm.")).to_be_visible()
    assert_no_serious_violations(phone, context="patient: reading an item (full)")
    phone.get_by_role("link", name="Back to your check-in").click()
    expect(phone.get_by_role("link", name="How pain works (you have read this)")).to_be_visible()
    _targets_at_least_44px(phone)
    _shot(phone, "link-page")

    assignment = EducationAssignment.objects.get(plan=plan)
    assert assignment.first_read_at is not None and assignment.read_plain is False  # the full one last
    page.reload()
    read_on = dateformat.format(timezone.localtime(assignment.first_read_at), "j M Y")
    expect(section).to_contain_text(f"read {read_on}, full version")
    _shot(page, "plan-section")

    # The printable version for the clinician: plain, since the patient's literacy is limited.
    section.get_by_role("link", name="Print How pain works").click()
    expect(page.get_by_text("This is the plain-language version")).to_be_visible()
    assert_no_serious_violations(page, context="education print")


def _label(slug: str) -> str:
    from careplans.education import choice_label

    return choice_label(EducationItem.objects.get(slug=slug))
