"""The skill mix in real Chromium (issue 22): a team lead opens the team page and sees who holds what (a
renewal due soon, a lapsed one), follows a member to their training, then opens the audits page and sees
the physiotherapist whose supervision last month fell below the expected amount. axe on both pages.
Dates are relative to today, as the live server's clock runs."""

import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from training.competence import last_full_month
from training.models import Competency, Level
from training.seed import competencies_ensure

from ..factories import PASSWORD
from ..training.factories import LONDON, SupervisionSessionFactory, TrainingRecordFactory, competency
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, what: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i22-skill-mix-{what}.png"), full_page=True)


def test_a_lead_sees_the_skill_mix_and_a_lapsed_supervision(page, sign_in, north, clinician, colleague, lead):
    competencies_ensure(Competency)  # a transactional test empties the seeded rows
    today = timezone.localdate()
    month = last_full_month(today)
    soon, lapsed = today + timedelta(days=20), today - timedelta(days=10)
    TrainingRecordFactory(
        user=clinician,
        competency=competency("cbt-informed-practice"),
        level=Level.UNDER_SUPERVISION,
        completed_on=month,
    )
    TrainingRecordFactory(user=clinician, level=Level.INDEPENDENT, completed_on=month, renews_on=soon)
    TrainingRecordFactory(
        user=colleague,
        competency=competency("graded-exposure"),
        level=Level.INDEPENDENT,
        completed_on=lapsed - timedelta(days=700),
        renews_on=lapsed,
    )
    TrainingRecordFactory(
        user=colleague,
        competency=competency("cbt-informed-practice"),
        level=Level.INDEPENDENT,
        completed_on=month,
    )
    SupervisionSessionFactory(
        supervisor=colleague,
        supervisees=[clinician],
        held_at=datetime.combine(month + timedelta(days=9), time(10), tzinfo=LONDON),
        minutes=30,
    )

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("lead", PASSWORD)
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"/teams/{north.pk}/")
    expect(page.get_by_role("heading", name="Skill mix")).to_be_visible()
    skills = page.locator("#skill-mix")
    expect(skills.get_by_role("columnheader", name="Priya Shah")).to_be_visible()
    mi = skills.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Motivational interviewing"))
    expect(mi).to_contain_text("Independent")
    expect(mi).to_contain_text(f"Renewal due soon: {dateformat.format(soon, 'j M Y')}")
    exposure = skills.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Graded exposure"))
    expect(exposure).to_contain_text("Practising under supervision")
    expect(exposure).to_contain_text(f"Renewal lapsed {dateformat.format(lapsed, 'j M Y')}")
    cbt = skills.get_by_role("row").filter(has=page.get_by_role("rowheader", name="CBT-informed practice"))
    expect(cbt).to_contain_text("Practising under supervision")
    expect(
        page.get_by_text(f"Supervision in {dateformat.format(month, 'M Y')}, the last full month")
    ).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="30 of 60 minutes")).to_contain_text(
        "below the expected amount"
    )
    _shot(page, "team-page")
    assert_no_serious_violations(page, context="lead: team page with the skill mix")

    skills.get_by_role("link", name="Priya Shah").click()
    page.wait_for_url(f"**/training/people/{clinician.pk}/")

    page.goto("/dashboard/")
    page.get_by_role("link", name="Audits").click()
    below = page.get_by_role("region", name="Supervision below the expected amount")
    expect(below).to_contain_text(
        f"Priya Shah — practising CBT-informed practice under supervision: 30 of 60 minutes in "
        f"{dateformat.format(month, 'M Y')}"
    )
    renewals = page.get_by_role("region", name="Training renewals lapsed")
    expect(renewals).to_contain_text(
        f"Graded exposure (Independent): renewal due {dateformat.format(lapsed, 'j M Y')}"
    )
    _shot(page, "audits")
    assert_no_serious_violations(page, context="lead: audits with the skill mix")
