"""Booking a joint video series from the plan in real Chromium (issue 20): the physio books fortnightly
video sessions with the psychologist, the first today, and both see it in their day, joint with the
other, with the link to join; the booking page and My day pass axe."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from adherence.models import Session, SessionClinician
from careplans.models import CarePreferences

from ..careplans.factories import make_plan
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/tasks/shots")
LINK = "https://meet.example.org/okafor-joint"


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i20-sessions-{name}.png"), full_page=True)


def test_a_joint_video_series_is_booked_from_the_plan_and_shows_in_both_days(
    page, sign_in, clinician, colleague, patient
):
    plan = make_plan(patient, clinician)
    # My day shows the clinic's today (the server's own clock): the first session is booked today.
    first = timezone.localtime().replace(hour=12, minute=0).strftime("%Y-%m-%dT%H:%M")

    sign_in("physio", PASSWORD)
    page.goto(reverse("careplan_detail", kwargs={"patient_id": patient.pk, "plan_id": plan.pk}))
    page.get_by_role("link", name="Book sessions").click()
    expect(page.get_by_role("heading", name="Book sessions")).to_be_visible()
    # The video link is asked for only for a video session.
    page.get_by_label("In person").check()
    expect(page.get_by_label("Video link")).to_be_hidden()
    page.get_by_label("Video", exact=True).check()
    expect(page.get_by_label("Video link")).to_be_visible()
    expect(page.get_by_label("Priya Shah (Physiotherapist)")).to_be_checked()
    assert_no_serious_violations(page, context="physio: booking page")
    _shot(page, "book")

    page.get_by_label("First session: date and time").fill(first)
    page.get_by_label("Video link").fill(LINK)
    page.get_by_label(f"{colleague} (Psychologist)").check()
    page.get_by_label("Repeat every … weeks").fill("2")
    page.get_by_label("How many sessions").fill("3")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_text("Booked 3 video sessions.")).to_be_visible()
    booked = page.locator(".booked-sessions li")
    expect(booked).to_have_count(3)
    sessions = list(Session.objects.order_by("starts_at"))
    for item, session in zip(booked.all(), sessions, strict=True):
        expect(item).to_contain_text(timezone.localtime(session.starts_at).strftime("%-d %b %Y, 12:00"))
    assert {c.clinician for c in SessionClinician.objects.filter(session=sessions[0])} == {
        clinician,
        colleague,
    }
    assert_no_serious_violations(page, context="physio: booked")
    _shot(page, "booked")

    page.goto(reverse("day_list"))
    row = page.get_by_role("row").filter(has_text="Okafor, Amelia")
    expect(row).to_contain_text(f"joint with {colleague} (Psychologist)")
    expect(row).to_contain_text("Video")
    expect(row.get_by_role("link", name="Join video")).to_have_attribute("href", LINK)
    assert_no_serious_violations(page, context="physio: my day")
    _shot(page, "physio-day")

    page.context.clear_cookies()
    sign_in("psych", PASSWORD)
    page.goto(reverse("day_list"))
    row = page.get_by_role("row").filter(has_text="Okafor, Amelia")
    expect(row).to_contain_text("joint with Priya Shah (Physiotherapist)")
    # The psychologist records it: one attendance, the session's.
    row.get_by_role("button", name="Attended").click()
    expect(page.get_by_role("row").filter(has_text="Okafor, Amelia")).to_contain_text("Attended")
    assert_no_serious_violations(page, context="psych: my day")
    _shot(page, "psych-day")
    sessions[0].refresh_from_db()
    assert sessions[0].status == "attended"
    assert list(Session.objects.values_list("status", flat=True).order_by("starts_at")) == [
        "attended",
        "scheduled",
        "scheduled",
    ]


def test_the_booking_page_warns_as_a_modality_the_patient_does_not_prefer_is_chosen(
    page, sign_in, clinician, patient
):
    CarePreferences.objects.create(patient=patient, modalities=["in_person", "self_guided"])
    sign_in("physio", PASSWORD)
    page.goto(reverse("session_book", kwargs={"patient_id": patient.pk}))
    expect(page.get_by_text("prefers to receive care: In person, Self-guided")).to_be_visible()
    expect(page.get_by_label("In person")).to_be_checked()
    warning = page.get_by_role("status").filter(has_text="do not include")
    expect(warning).to_have_count(0)
    page.get_by_label("Phone").check()
    expect(warning).to_have_text(
        "Amelia's care preferences do not include phone sessions (they prefer: in person, self-guided). "
        "The booking is allowed; talk it over with them."
    )
    assert_no_serious_violations(page, context="physio: booking with a preference warning")
    _shot(page, "warning")
    page.get_by_label("In person").check()
    expect(warning).to_have_count(0)
