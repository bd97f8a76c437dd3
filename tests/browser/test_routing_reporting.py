"""Where the loop shows, in real Chromium: the lead's agenda lists an overdue review and a missed
re-screen, the audits page has them and the instrument that can never flag, and the dashboard reports
the time from flag to plan change per team; axe on each."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conferences import services
from screening.batteries import batteries_ensure
from screening.models import Battery

from ..factories import PASSWORD
from ..routing.reporting_factories import make_rescreen, make_review
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, what: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i19-reporting-{what}.png"), full_page=True)


@pytest.fixture(autouse=True)
def standard_rows():
    # Transactional tests empty every table, the data migrations' rows included.
    batteries_ensure(Battery)


def test_late_owned_work_shows_on_the_agenda_the_audits_and_the_dashboard(
    page, sign_in, north, lead, clinician, colleague, patient
):
    today = timezone.localdate()
    now = timezone.now()
    make_review(patient, colleague, due_on=today - timedelta(days=3))
    make_rescreen(patient, due_on=today - timedelta(days=2), instrument="PHQ-9")
    for days in (2, 4):
        make_review(
            patient,
            colleague,
            due_on=today - timedelta(days=1),
            opened_at=now - timedelta(days=days + 1),
            resolved_at=now - timedelta(days=1),
        )
    tomorrow = timezone.localtime() + timedelta(days=1)
    services.conference_plan(
        team=north,
        starts_at=tomorrow.replace(hour=13, minute=0, second=0, microsecond=0),
        chair=lead,
        attendees=[lead, clinician, colleague],
        user=lead,
    )

    sign_in("lead", PASSWORD)
    page.get_by_role("link", name="Conferences").click()
    page.get_by_role("link", name=tomorrow.strftime("%a %-d %b %Y, 13:00")).click()
    row = page.get_by_role("table").get_by_role("row", name="Amelia Okafor")
    expect(row).to_contain_text("Review overdue")
    expect(row).to_contain_text("Re-screen missed")
    expect(row).to_contain_text("PHQ-9 re-screen due")
    assert_no_serious_violations(page)
    _shot(page, "agenda")

    page.goto("/audits/")
    expect(page.get_by_role("heading", name="Overdue reviews")).to_be_visible()
    expect(page.get_by_text("3 days over")).to_be_visible()
    expect(page.get_by_role("heading", name="Missed re-screens")).to_be_visible()
    expect(page.get_by_role("heading", name="Instruments that can never flag")).to_be_visible()
    expect(page.get_by_role("link", name="TSK-11")).to_be_visible()
    assert_no_serious_violations(page)
    _shot(page, "audits")

    overdue = page.get_by_role("region", name=re.compile(r"^Overdue reviews"))
    overdue.get_by_role("link", name="Okafor, Amelia").click()
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/reviews/\d+/$"))

    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="From a screening flag to the care plan")).to_be_visible()
    reviews = page.get_by_role("region", name="From a screening flag to the care plan")
    expect(reviews.get_by_role("row", name="North MSK")).to_contain_text("3.0 days (over 2 plan changes)")
    expect(reviews.get_by_role("row", name="North MSK")).to_contain_text("67% (2 of 3 resolved in time)")
    assert_no_serious_violations(page)
    _shot(page, "dashboard")
