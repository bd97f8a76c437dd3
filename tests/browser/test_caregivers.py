"""A caregiver's consent in the browser: recorded on the caregiver form, used on the "Send to caregiver"
page (the message goes through the worker's service, checked against the consent as it is sent), then
withdrawn with a confirmation; the plan page shows each step. axe runs on every page."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from checkins.models import CaregiverMessage
from checkins.tasks import caregiver_message_send

from ..careplans.factories import make_plan
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/tasks/shots")


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i20-caregivers-{name}.png"), full_page=True)


@pytest.fixture
def worker_here(monkeypatch):
    """The task runs in this process when the transaction commits, as a worker would run it."""

    def run(task, *args):
        assert task == "checkins.tasks.caregiver_message_send"
        caregiver_message_send.apply(args=args)

    monkeypatch.setattr("core.queue.enqueue", run)


def test_consent_recorded_used_to_send_then_withdrawn(page, sign_in, clinician, patient, worker_here):
    plan = make_plan(patient, clinician)
    today = timezone.localdate()
    given_on = today - timedelta(days=7)

    sign_in("physio", PASSWORD)
    page.goto(plan.get_absolute_url())
    page.get_by_role("link", name="Add caregiver or supporter").click()
    page.get_by_label("Name").fill("Maria")
    page.get_by_label("Relationship").fill("daughter")
    page.get_by_label("Contact").fill("maria@example.org")
    page.get_by_label("Appointment reminders").check()
    page.get_by_role("button", name="Save").click()
    # A scope ticked needs who, when and how: each field says so.
    expect(page.get_by_text("Say who gave the consent (e.g. the patient).")).to_be_visible()
    expect(page.get_by_text("Say how the consent was given: verbally or in writing.")).to_be_visible()
    assert_no_serious_violations(page)
    _shot(page, "form-errors")
    page.get_by_label("Consent given by").fill("the patient")
    page.get_by_label("Consent given on").fill(given_on.isoformat())
    page.get_by_label("In writing").check()
    page.get_by_role("button", name="Save").click()

    caregivers = page.locator("ul.caregivers")
    expect(caregivers).to_contain_text("May receive: appointment reminders.")
    expect(caregivers).to_contain_text(
        f"Consent given by the patient on {dateformat.format(given_on, 'j M Y')}"
    )
    expect(caregivers).to_contain_text("in writing (recorded by Priya Shah)")
    _shot(page, "plan-consent")

    page.get_by_role("link", name="Send to caregiver Maria").click()
    expect(page.get_by_role("heading", name="Send to Maria")).to_be_visible()
    expect(page.get_by_text("Progress reports: no consent to progress reports")).to_be_visible()
    assert_no_serious_violations(page)
    _shot(page, "send")
    page.get_by_label("A reminder of the next appointments").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("queued for Maria")).to_be_visible()
    expect(page.locator(".caregiver-messages")).to_contain_text("Sent")
    assert CaregiverMessage.objects.get().status == "sent"

    page.get_by_role("link", name="Withdraw consent of Maria").click()
    expect(page.get_by_text("messages still waiting to go are refused")).to_be_visible()
    assert_no_serious_violations(page)
    _shot(page, "withdraw")
    page.get_by_label("Note (optional)").fill("Told us at today's session")
    page.get_by_role("button", name="Withdraw consent").click()
    expect(page.get_by_text("Consent withdrawn: nothing more is sent to Maria.")).to_be_visible()
    expect(caregivers).to_contain_text(f"Consent withdrawn on {dateformat.format(today, 'j M Y')}")
    expect(page.get_by_role("link", name="Send to caregiver Maria")).to_have_count(0)
    assert_no_serious_violations(page)
    _shot(page, "plan-withdrawn")
