"""Follow-up screening on the patient overview (issue 19), in real Chromium: a physiotherapist sees a
missed re-screen and one to come, opens the entry page on that instrument from it, and cancels one;
axe on the section as shown."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from routing.models import Rescreen

from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, what: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i19-rescreens-{what}.png"), full_page=True)


def test_a_clinician_sees_enters_and_cancels_follow_up_screenings(page, sign_in, clinician, patient):
    page.set_viewport_size({"width": 1280, "height": 900})
    today = timezone.localdate()  # the code's own clock, as the page reads it
    Rescreen.objects.create(patient=patient, instrument="PHQ-9", due_on=today - timedelta(days=3))
    Rescreen.objects.create(patient=patient, instrument="PCS", due_on=today + timedelta(days=10))

    sign_in("physio", PASSWORD)
    page.goto(patient.get_absolute_url())
    section = page.get_by_role("region", name="Follow-up screening")
    expect(section.get_by_text("missed: 3 days past due")).to_be_visible()
    expect(section.get_by_text("To be given in clinic", exact=False)).to_be_visible()
    section.scroll_into_view_if_needed()
    _shot(page, "overview")
    assert_no_serious_violations(page, context="clinician: overview with follow-up screenings")

    section.get_by_role("link", name="Enter PHQ-9 now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Patient Health Questionnaire-9")
    page.go_back()

    page.get_by_role("button", name="Cancel the PCS re-screen").click()
    expect(page.get_by_text("The PCS re-screen due", exact=False)).to_contain_text("is cancelled.")
    section = page.get_by_role("region", name="Follow-up screening")
    expect(section.get_by_role("button", name="Cancel the PCS re-screen")).to_have_count(0)
    expect(section.get_by_role("link", name="Enter PHQ-9 now")).to_be_visible()
    assert Rescreen.objects.get(instrument="PCS").state == Rescreen.State.CANCELLED
