"""Behavioural activation in the browser: a patient on a 390 × 844 phone ticks the day's activity in the
check-in like an exercise (targets at least 44 px, axe), the plan page then counts it done; at a case
conference the team records on the discussion page that a barrier's plan worked (axe)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import Activity, Barrier
from careplans.services import part_create, part_update
from checkins import services
from checkins.models import ActivityLog, Reminder
from conferences import services as conference_services

from ..careplans.factories import make_exercise, make_plan
from ..checkins.factories import make_schedule
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/work/tasks/shots")
TOKEN = "activation-on-a-phone"


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i20-activation-{name}.png"), full_page=True)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _active_plan(patient, clinician):
    # The review is weeks away, so no review questionnaire follows the check-in, whatever the day.
    plan = make_plan(patient, clinician, review_date=timezone.localdate() + timedelta(weeks=6))
    return part_update(
        instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician
    )


def test_a_patient_ticks_an_activity_on_a_phone_and_the_plan_counts_it(
    page, phone, sign_in, clinician, patient
):
    plan = _active_plan(patient, clinician)
    make_exercise(plan, clinician, name="Sit to stand", lighter_alternative="2 sets from a higher chair")
    part_create(
        instance=Activity(plan=plan, name="Coffee with my sister", why="We laugh; I forget the pain"),
        user=clinician,
    )
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

    phone.goto(f"/r/{TOKEN}/")
    expect(phone.get_by_role("heading", name="Hello Amelia")).to_be_visible()
    expect(phone.get_by_role("heading", name="Things you planned for today")).to_be_visible()
    assert_no_serious_violations(phone, context="patient: check-in with an activity")
    coffee = phone.get_by_role("group", name="Coffee with my sister")
    expect(coffee).to_contain_text("Why it matters to you: We laugh; I forget the pain")
    for choice in coffee.locator("label.patient-choice").all():
        box = choice.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    phone.get_by_label("How is your mood today?").fill("7")
    phone.get_by_label("How bad is your pain today?").fill("3")
    phone.get_by_label("How well did you sleep?").fill("6")
    phone.get_by_label("Hours slept last night").fill("7")
    phone.get_by_role("group", name="Sit to stand").get_by_label("Partly").check()
    coffee.get_by_label("Done", exact=True).tap()
    expect(coffee.get_by_label("Done", exact=True)).to_be_checked()
    _shot(phone, "checkin-ticked")
    phone.get_by_role("button", name="Send my check-in").click()
    expect(phone.get_by_role("heading", name="Thank you, Amelia")).to_be_visible()

    log = ActivityLog.objects.get()
    assert (log.activity.name, log.done, log.logged_for) == (
        "Coffee with my sister",
        "done",
        timezone.localdate(),
    )

    sign_in("physio", PASSWORD)
    page.goto(plan.get_absolute_url())
    section = page.get_by_role("region", name="Enjoyable and valued activities")
    expect(section).to_contain_text("Coffee with my sister")
    expect(section).to_contain_text("Ticked done on 1 of the last 14 days (planned on 14)")
    assert_no_serious_violations(page, context="plan page: activities and barrier log")
    _shot(page, "plan-page")


def test_the_team_records_at_the_conference_that_a_barriers_plan_worked(
    page, sign_in, clinician, lead, patient
):
    plan = _active_plan(patient, clinician)
    barrier = part_create(
        instance=Barrier(
            plan=plan,
            barrier="Too tired after work",
            plan_agreed="Exercises before breakfast",
            noted_on=timezone.localdate() - timedelta(days=20),
        ),
        user=clinician,
    )
    conference = conference_services.conference_plan(
        team=patient.team, starts_at=timezone.now(), chair=lead, attendees=[clinician], user=lead
    )
    conference = conference_services.conference_start(conference=conference, user=lead)
    item = conference.items.get(patient=patient)

    sign_in("physio", PASSWORD)
    page.goto(item.get_absolute_url())
    log = page.get_by_role("region", name="Barrier log")
    expect(log).to_contain_text("Plan agreed: Exercises before breakfast")
    form = log.get_by_role("form", name="Too tired after work")
    assert_no_serious_violations(page, context="conference: barrier log with a review form")
    form.get_by_label("Worked", exact=True).check()
    form.get_by_label("What happened").fill("Did them most mornings")
    _shot(page, "conference-review")
    form.get_by_role("button", name="Record review").click()
    expect(page.get_by_text("Barrier “Too tired after work” reviewed: Worked.")).to_be_visible()
    expect(log).to_contain_text("Did them most mornings")
    expect(log.get_by_role("form")).to_have_count(0)
    barrier.refresh_from_db()
    assert barrier.outcome == "worked" and barrier.reviewed_on == timezone.localdate(conference.starts_at)
