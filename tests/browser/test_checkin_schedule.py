"""A clinician sets up check-ins for a patient who has not consented yet: consent is recorded right on the
schedule, is the same record the patient's details show, and the form shows only the chosen cadence's
fields (with scripts off it still works: the other cadences' fields are ignored)."""

import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins import services
from checkins.models import Schedule

from ..checkins.factories import make_schedule
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/tasks/shots")


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"consent-{name}.png"), full_page=True)


def test_consent_is_recorded_on_the_schedule_and_shown_on_the_patients_details(page, sign_in, patient):
    assert not patient.consent_to_reminders
    sign_in("physio", PASSWORD)
    page.goto(patient.get_absolute_url())
    expect(page.get_by_text("no consent")).to_be_visible()
    page.get_by_role("link", name="Set up check-ins").click()
    expect(page.get_by_role("heading", name="Check-in schedule")).to_be_visible()
    expect(page.get_by_text("Amelia has not agreed to reminders yet")).to_be_visible()

    # Only the chosen cadence's fields show.
    weekdays = page.get_by_role("checkbox", name="Mon")
    every = page.get_by_label("Every how many days")
    expect(weekdays).to_be_hidden()
    expect(every).to_be_hidden()
    page.get_by_role("radio", name="Every few days").check()
    expect(every).to_be_visible()
    expect(page.get_by_label("Counting from")).to_be_visible()
    expect(weekdays).to_be_hidden()
    page.get_by_role("radio", name="On chosen weekdays").check()
    expect(weekdays).to_be_visible()
    expect(every).to_be_hidden()
    weekdays.check()
    page.get_by_role("checkbox", name="Thu").check()
    assert_no_serious_violations(page, context="clinician: check-in schedule, no consent yet")
    _shot(page, "schedule-no-consent")

    # Saving without consent says where it is missing, by the field.
    page.get_by_role("button", name="Save schedule").click()
    expect(
        page.get_by_text("Reminders need the patient's consent: enter the day they agreed.")
    ).to_be_visible()
    expect(page.get_by_label("Agreed to reminders on")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("checkbox", name="Thu")).to_be_checked()  # what was entered is kept
    assert_no_serious_violations(page, context="clinician: check-in schedule, consent missing")
    _shot(page, "schedule-consent-missing")

    page.get_by_label("Agreed to reminders on").fill("2026-01-05")
    page.get_by_label("How they agreed").fill("Verbally, at intake")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_text("Check-in schedule saved.")).to_be_visible()
    expect(page.get_by_text("consented on 5 Jan 2026 (Verbally, at intake)")).to_be_visible()
    schedule = Schedule.objects.get(patient=patient)
    assert (schedule.cadence, schedule.weekdays, schedule.every_n_days) == ("weekdays", [0, 3], None)

    # The patient's details show the same record...
    page.goto(f"/patients/{patient.pk}/edit/")
    expect(page.get_by_label("Agrees to reminders")).to_be_checked()
    expect(page.get_by_label("Agreed to reminders on")).to_have_value("2026-01-05")
    expect(page.get_by_label("How they agreed")).to_have_value("Verbally, at intake")
    assert_no_serious_violations(page, context="clinician: patient details with consent")
    _shot(page, "patient-details")
    # ...and a change there is what the schedule shows.
    page.get_by_label("How they agreed").fill("Verbally, confirmed by letter")
    page.get_by_role("button", name="Save patient").click()
    expect(page.get_by_text("consented on 5 Jan 2026 (Verbally, confirmed by letter)")).to_be_visible()
    page.get_by_role("link", name="Edit schedule").click()
    expect(page.get_by_label("Agreed to reminders on")).to_have_value("2026-01-05")
    expect(page.get_by_label("How they agreed")).to_have_value("Verbally, confirmed by letter")
    expect(page.get_by_text("has not agreed to reminders yet")).to_have_count(0)
    _shot(page, "schedule-with-consent")


def test_with_scripts_off_every_field_shows_and_only_the_chosen_cadences_are_kept(
    browser, live_server, patient
):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/login/")
        page.get_by_label("Username").fill("physio")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/patients/{patient.pk}/checkins/schedule/")
        # Nothing hides the other cadences' fields: they show, and are ignored.
        page.get_by_role("radio", name="Every day").check()
        page.get_by_role("checkbox", name="Tue").check()
        page.get_by_label("Every how many days").fill("5")
        page.get_by_label("Agreed to reminders on").fill("2026-01-05")
        _shot(page, "schedule-no-script")
        page.get_by_role("button", name="Save schedule").click()
        expect(page.get_by_text("Check-in schedule saved.")).to_be_visible()
    finally:
        context.close()
    schedule = Schedule.objects.get(patient=patient)
    assert (schedule.cadence, schedule.weekdays) == ("daily", [])
    assert schedule.every_n_days is None and schedule.anchor_date is None


def test_a_patient_who_stopped_reminders_is_resumed_by_recording_their_consent_again(page, sign_in, patient):
    schedule = make_schedule(patient)
    services.schedule_opt_out(schedule=schedule)
    stopped = timezone.localdate(Schedule.objects.get(pk=schedule.pk).opted_out_at)
    sign_in("physio", PASSWORD)
    page.goto(patient.get_absolute_url())
    expect(page.get_by_text("no consent")).to_be_visible()
    expect(page.locator("#check-ins")).to_contain_text("opted out")
    page.get_by_role("link", name="Edit schedule").click()
    expect(page.get_by_text(f"Amelia stopped reminders by their link on {stopped:%-d %b %Y}")).to_be_visible()
    expect(page.get_by_label("Agreed to reminders on")).to_have_value("")
    assert_no_serious_violations(page, context="clinician: check-in schedule, opted out")
    _shot(page, "schedule-opted-out")
    page.get_by_label("Agreed to reminders on").fill(stopped.isoformat())
    page.get_by_label("How they agreed").fill("Asked to restart, by phone")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_text("Check-in schedule saved.")).to_be_visible()
    expect(page.get_by_text(f"consented on {stopped:%-d %b %Y} (Asked to restart, by phone)")).to_be_visible()
    expect(page.locator("#check-ins")).not_to_contain_text("opted out")
    assert Schedule.objects.get(pk=schedule.pk).opted_out_at is None
