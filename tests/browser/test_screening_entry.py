"""Keyboard-only PHQ-9 entry with the self-harm item answered; the psychologist closes the alert loop."""

import pytest
from playwright.sync_api import expect

from screening.models import Alert, Screening

from ..factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_physio_keys_in_a_phq9_and_psych_closes_the_safety_alert(
    page, sign_in, clinician, colleague, patient
):
    sign_in("physio", PASSWORD)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="One instrument…").click()
    page.get_by_role("link", name="PHQ-9").click()

    # Focus starts on item 1: every digit answers the focused item and moves to the next.
    expect(page.get_by_role("radiogroup").first).to_be_visible()
    expect(page.get_by_role("radiogroup").first.get_by_role("radio").first).to_be_focused()
    for digit in "12100210":
        page.keyboard.press(digit)
    expect(page.locator("output.running-total")).to_have_text("7")
    page.keyboard.press("1")  # item 9: "Several days"
    expect(page.locator("output.running-total")).to_have_text("8")
    expect(page.get_by_role("button", name="Save screening")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Urgent safety alert")).to_be_visible()
    screening = Screening.objects.get()
    assert screening.answers == {"1": 1, "2": 2, "3": 1, "4": 0, "5": 0, "6": 2, "7": 1, "8": 0, "9": 1}
    assert (screening.total, screening.band) == (8, "mild")
    assert "safety" in screening.flags

    page.get_by_role("button", name="Priya Shah").click()
    page.get_by_role("button", name="Log out").click()
    sign_in("psych", PASSWORD)
    page.goto(patient.get_absolute_url())
    banner = page.get_by_role("alert")
    expect(banner.get_by_role("heading", name="Urgent safety alert")).to_be_visible()
    banner.get_by_role("button", name="Acknowledge").click()
    # In the banner: the overview's alert history below has an "Acknowledged by" column too.
    expect(
        page.get_by_role("alert").filter(has_text="Urgent safety alert").get_by_text("acknowledged by")
    ).to_be_visible()
    page.get_by_role("alert").get_by_label("Action taken").fill("Risk assessment done; safety plan agreed")
    page.get_by_role("alert").get_by_role("button", name="Close alert").click()
    expect(page.get_by_text("Alert closed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Urgent safety alert")).to_have_count(0)
    alert = Alert.objects.get(kind=Alert.Kind.URGENT)
    assert alert.status == Alert.Status.CLOSED
    assert alert.acknowledged_by == colleague and alert.closed_by == colleague
