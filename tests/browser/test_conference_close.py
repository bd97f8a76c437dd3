"""Conference close asks first (issue 18), in real Chromium: with patients not discussed the lead is asked
with the count, "Keep the conference open" keeps it open, "Close anyway" closes it; a patient added by
hand joins after the urgent one; a patient's repeated reasons read as one counted line that opens onto
each finding, on the agenda and the summary."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conferences import services
from conferences.models import CaseConference

from ..factories import PASSWORD, PatientFactory
from ..screening.factories import phq9, record
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"conferences-{name}.png"), full_page=True)


def test_closing_with_patients_not_discussed_asks_first_and_cancel_keeps_it_open(
    page, sign_in, north, lead, clinician, patient
):
    worried = PatientFactory(
        team=north, primary_clinician=clinician, given_name="George", family_name="Hughes"
    )
    now = timezone.now()
    for hours_ago in (3, 2, 1):  # three self-harm answers since the last conference: three urgent alerts
        record(worried, clinician, answers=phq9(1, item9=1), administered_at=now - timedelta(hours=hours_ago))
    calm = PatientFactory(team=north, primary_clinician=clinician, given_name="Rosa", family_name="Lind")
    starts_at = (timezone.localtime() + timedelta(days=1)).replace(hour=13, minute=0, second=0, microsecond=0)
    conference = services.conference_plan(
        team=north, starts_at=starts_at, chair=lead, attendees=[lead, clinician], user=lead
    )
    services.conference_start(conference=conference, user=lead)

    sign_in("lead", PASSWORD)
    page.goto(conference.get_absolute_url())
    agenda = page.get_by_role("table")
    george = agenda.get_by_role("row", name="George Hughes")
    # Three alerts for one patient: one counted line, each alert behind it.
    alerts = george.get_by_text("3 urgent alerts")
    expect(alerts).to_be_visible()
    expect(george.get_by_text("self-harm item answered").first).to_be_hidden()
    alerts.click()
    expect(george.get_by_text("self-harm item answered")).to_have_count(3)

    # Rosa, added by hand, joins after the urgent patient, not at the top.
    page.get_by_label("Add a patient by MRN").fill(calm.mrn)
    page.get_by_role("button", name="Add to agenda").click()
    expect(page.get_by_text("Rosa Lind is on the agenda.")).to_be_visible()
    names = agenda.locator("tbody tr td:nth-child(2) > a")
    expect(names).to_have_text(["George Hughes", "Rosa Lind"])
    expect(page.get_by_text("2 of 2 not discussed yet")).to_be_visible()
    george.get_by_text("3 urgent alerts").click()
    assert_no_serious_violations(page, context="lead: conference in progress")
    _shot(page, "agenda-grouped")

    agenda.get_by_role("button", name="Mark discussed (George Hughes)").click()
    expect(page.get_by_text("1 of 2 not discussed yet")).to_be_visible()

    # Close: asked first, with the count and who; keeping it open changes nothing.
    page.get_by_role("button", name="Close conference").click()
    expect(page.get_by_role("heading", name="1 of 2 patients not discussed: close anyway?")).to_be_visible()
    expect(page.get_by_role("link", name="Rosa Lind")).to_be_visible()
    assert_no_serious_violations(page, context="lead: close the conference?")
    _shot(page, "close-confirm")
    page.get_by_role("link", name="Keep the conference open").click()
    expect(page.get_by_role("heading", name="North MSK case conference")).to_be_visible()
    expect(page.get_by_text("In progress")).to_be_visible()
    assert CaseConference.objects.get(pk=conference.pk).status == CaseConference.Status.IN_PROGRESS

    # Asked again, and this time closed anyway.
    page.get_by_role("button", name="Close conference").click()
    page.get_by_role("button", name="Close anyway").click()
    expect(page.get_by_role("heading", name="North MSK case conference — summary")).to_be_visible()
    expect(page.get_by_text("The conference is closed")).to_be_visible()
    assert CaseConference.objects.get(pk=conference.pk).status == CaseConference.Status.CLOSED

    # The summary groups the alerts the same way; on paper every alert is printed, closed or not.
    george_section = page.locator("section", has_text="George Hughes")
    findings = george_section.get_by_text("self-harm item answered")
    expect(findings.first).to_be_hidden()
    page.emulate_media(media="print")
    for index in range(3):
        expect(findings.nth(index)).to_be_visible()
    page.emulate_media(media="screen")
    george_section.get_by_text("3 urgent alerts").click()
    expect(findings).to_have_count(3)
    expect(findings.last).to_be_visible()
    expect(page.locator("section", has_text="Rosa Lind").get_by_text("not discussed")).to_be_visible()
    assert_no_serious_violations(page, context="lead: conference summary")
    _shot(page, "summary-grouped")
