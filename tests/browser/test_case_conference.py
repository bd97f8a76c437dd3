"""A case conference in real Chromium: the lead runs it, an action lands on the plan and in psych's tasks."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import CarePlan, Responsibility
from careplans.services import part_update
from conferences import services

from ..careplans.factories import make_goal, make_milestone, make_plan
from ..factories import PASSWORD, PatientFactory
from ..screening.factories import phq9, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_runs_the_conference_and_psych_finds_the_task_and_the_plan_change(
    page, sign_in, north, lead, clinician, colleague, patient
):
    plan = make_plan(patient, clinician)
    plan = part_update(
        instance=plan, data={"status": CarePlan.Status.ACTIVE}, expected_version=1, user=clinician
    )
    make_milestone(make_goal(plan, clinician), clinician, description="Walk to the corner shop")
    worried = PatientFactory(
        team=north, primary_clinician=clinician, given_name="George", family_name="Hughes"
    )
    record(worried, clinician, answers=phq9(1, 1, item9=1))
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
    agenda = page.get_by_role("table")
    expect(agenda.get_by_role("row", name="George Hughes")).to_contain_text("Urgent alert")
    expect(agenda.get_by_role("row", name="Amelia Okafor")).to_contain_text("Milestone overdue")
    expect(agenda.get_by_role("row", name="Amelia Okafor")).to_contain_text(
        "“Walk to the corner shop” due 15 Oct"
    )

    page.get_by_role("button", name="Start conference").click()
    expect(page.get_by_text("The conference has started")).to_be_visible()
    page.get_by_role("link", name="Amelia Okafor").click()
    page.get_by_label("Psychological").fill("Avoids bending since the injury; expects pain to mean harm.")
    page.get_by_label("Patient's perspective").fill("Wants to walk her grandson to school.")
    page.get_by_label("Decisions").fill("Start graded exposure to bending.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Note on Amelia Okafor saved.")).to_be_visible()

    page.get_by_label(re.compile(r"^\s*Action\W*$")).fill("Graded exposure to bending, six sessions")
    page.get_by_label("Owner").select_option(label=str(colleague))
    page.get_by_label("Due").fill((tomorrow + timedelta(days=14)).date().isoformat())
    page.get_by_label("Change to the care plan").select_option("add_responsibility")
    page.get_by_label("Intervention").select_option(label="Graded exposure")
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text(f"Added responsibility: Graded exposure ({colleague})").first).to_be_visible()

    page.get_by_role("link", name=f"North MSK, {tomorrow:%-d %b %Y}").click()
    page.get_by_role("button", name="Close conference").click()
    # George Hughes was not discussed: the lead is asked first.
    expect(page.get_by_role("heading", name="1 of 2 patients not discussed: close anyway?")).to_be_visible()
    page.get_by_role("button", name="Close anyway").click()
    expect(page.get_by_role("heading", name="North MSK case conference — summary")).to_be_visible()
    expect(page.get_by_text("Start graded exposure to bending.")).to_be_visible()

    page.context.clear_cookies()
    sign_in("psych", PASSWORD)
    page.get_by_role("link", name="My tasks").click()
    task = page.get_by_role("row", name="Graded exposure to bending, six sessions")
    expect(task).to_contain_text("Amelia Okafor")
    task.get_by_role("link", name="Amelia Okafor").click()
    page.get_by_role("link", name="Open plan").click()
    expect(page.get_by_text("Graded exposure").first).to_be_visible()
    assert Responsibility.objects.get(plan=plan).owner == colleague
