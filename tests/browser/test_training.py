"""Training and supervision pages (issue 22), in real Chromium: a physiotherapist adds a training record
(told per field what is wrong first) and logs the supervision they received; their team lead opens their
training and verifies the record. axe on each page."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from training.models import Competency, Level, SupervisionSession, TrainingRecord
from training.seed import competencies_ensure

from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, what: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i22-training-{what}.png"), full_page=True)


def test_a_clinician_adds_training_and_logs_supervision_and_a_lead_verifies(
    page, sign_in, clinician, colleague, lead
):
    competencies_ensure(Competency)  # a transactional test empties the seeded rows
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("physio", PASSWORD)
    page.wait_for_url(lambda url: "/login/" not in url)

    page.get_by_role("button", name="Priya Shah").click()
    page.get_by_role("link", name="My training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My training")
    expect(page.get_by_text("No training recorded yet.")).to_be_visible()
    assert_no_serious_violations(page, context="physio: my training, empty")

    page.get_by_role("link", name="Add a record").click()
    page.get_by_label("Competency").select_option(label="Graded exposure")
    page.get_by_label("Course or evidence").fill("Graded exposure for chronic pain, 2-day workshop")
    page.get_by_label("Completed on").fill("2026-05-01")
    page.get_by_label("Level").select_option(label="Practising under supervision")
    page.get_by_label("Renews on").fill("2026-04-01")
    page.get_by_role("button", name="Add record").click()
    expect(page.get_by_text("The renewal date comes after the date completed.")).to_be_visible()
    _shot(page, "record-errors")
    assert_no_serious_violations(page, context="physio: training record with an error")
    page.get_by_label("Renews on").fill("2028-05-01")
    page.get_by_role("button", name="Add record").click()

    expect(page.get_by_text("Graded exposure added. It awaits verification")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="2-day workshop")
    expect(row).to_contain_text("Practising under supervision")
    expect(row).to_contain_text("awaiting verification")
    _shot(page, "mine")
    assert_no_serious_violations(page, context="physio: my training with a record")

    page.get_by_role("link", name="Log supervision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a supervision session")
    page.get_by_label("Supervisor").select_option(label=f"{colleague} (Psychologist)")
    page.get_by_role("checkbox", name="Priya Shah (Physiotherapist)").check()
    held = timezone.localtime() - timedelta(days=1)
    page.get_by_label("Date and time").fill(held.strftime("%Y-%m-%dT15:00"))
    page.get_by_label("Length in minutes").fill("50")
    page.get_by_role("checkbox", name="Graded exposure").check()
    page.get_by_label("Cases discussed").fill("Amelia Okafor")
    page.get_by_label("Agreed learning points").fill("Build the fear hierarchy with the patient's own words.")
    page.get_by_role("button", name="Log session").click()
    expect(page.get_by_text("List cases by patient reference (MRN) only")).to_be_visible()
    assert_no_serious_violations(page, context="physio: supervision form with an error")
    _shot(page, "supervision-errors")
    page.get_by_label("Cases discussed").fill("MRN100001, MRN100002")
    page.get_by_role("button", name="Log session").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Individual supervision")
    expect(page.get_by_text("Build the fear hierarchy")).to_be_visible()
    expect(page.get_by_text("MRN100001, MRN100002")).to_be_visible()
    _shot(page, "session")
    assert_no_serious_violations(page, context="physio: a supervision session")
    session = SupervisionSession.objects.get()
    assert session.supervisor == colleague and list(session.supervisees.all()) == [clinician]
    assert session.minutes == 50

    page.get_by_role("link", name="Supervision", exact=True).click()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the session
    assert_no_serious_violations(page, context="physio: supervision list")

    page.context.clear_cookies()
    sign_in("lead", PASSWORD)
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"/training/people/{clinician.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Training of Priya Shah")
    row = page.get_by_role("row").filter(has_text="2-day workshop")
    expect(row).to_contain_text("awaiting verification")
    _shot(page, "person")
    assert_no_serious_violations(page, context="lead: a clinician's training")
    row.get_by_role("button", name=re.compile(r"^Verify\b.*Graded exposure")).click()
    expect(page.get_by_text("Graded exposure of Priya Shah verified.")).to_be_visible()
    expect(row).not_to_contain_text("awaiting verification")
    expect(row).to_contain_text(str(lead))
    _shot(page, "verified")
    record = TrainingRecord.objects.get()
    assert record.verified_by == lead and record.level == Level.UNDER_SUPERVISION
