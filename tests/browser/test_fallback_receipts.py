"""A clinician sets a fallback channel on the schedule (refused by its field for a day in the future), then
reads what the providers reported in the reminder log, and sees a number that can never receive texts
flagged on the patient's overview; axe on each page."""

import os
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import Delivery, DeliveryStatus, Reminder, Schedule
from checkins.receipts import delivery_update

from ..checkins.factories import make_schedule
from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/tasks/shots")
MOBILE = "+447400123456"


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i21-receipts-{name}.png"), full_page=True)


def _failed_text(schedule) -> None:
    """A text the provider took an hour ago, then reported it can never reach the number."""
    sent = timezone.now() - timedelta(hours=1)
    reminder = Reminder.objects.create(
        schedule=schedule,
        patient=schedule.patient,
        due_at=sent,
        channel="sms",
        status=Reminder.Status.SENT,
        sent_at=sent,
        expires_at=sent + timedelta(hours=72),
        claimed_at=sent,
        attempts=1,
        delivery_status=DeliveryStatus.SENT,
    )
    delivery = Delivery.objects.create(
        reminder=reminder,
        channel="sms",
        backend="core.providers.twilio.TwilioSMSBackend",
        to=MOBILE,
        reference=uuid.uuid4(),
        provider_id="SM" + "a" * 32,
        status=DeliveryStatus.SENT,
        status_at=sent,
    )
    delivery_update(
        delivery_id=delivery.pk,
        status=DeliveryStatus.FAILED_PERMANENT,
        error="Twilio error 30005: unknown number",
    )


def test_fallback_on_the_schedule_then_the_receipts_in_the_log_and_the_flag(page, sign_in, patient):
    patient.mobile = MOBILE
    patient.save(update_fields=["mobile"])
    make_schedule(patient, channel="email")
    sign_in("physio", PASSWORD)

    page.goto(f"/patients/{patient.pk}/checkins/schedule/")
    expect(page.get_by_role("heading", name="Check-in schedule")).to_be_visible()
    page.get_by_label("If it fails for good, by").select_option("sms")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Agreed to the fallback on").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_text("The day they agreed cannot be in the future.")).to_be_visible()
    expect(page.get_by_label("Agreed to the fallback on")).to_have_attribute("aria-invalid", "true")
    assert_no_serious_violations(page, context="clinician: schedule, fallback day refused")
    _shot(page, "schedule-fallback-refused")
    page.get_by_label("Agreed to the fallback on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_text("Check-in schedule saved.")).to_be_visible()
    schedule = Schedule.objects.get(patient=patient)
    assert (schedule.fallback_channel, schedule.fallback_consent_given_on) == ("sms", timezone.localdate())

    # Texts now, with no fallback: one the provider could never deliver fails and flags the number.
    Schedule.objects.filter(pk=schedule.pk).update(channel="sms", fallback_channel="")
    schedule.refresh_from_db()
    _failed_text(schedule)

    page.goto(f"/patients/{patient.pk}/checkins/reminders/")
    expect(page.get_by_role("heading", name="Reminders")).to_be_visible()
    expect(page.locator(".delivery-list li")).to_have_text(
        re.compile(re.escape(f"SMS to {MOBILE}: Failed permanently, ") + r".+\(Twilio error 30005: .+\)")
    )
    expect(page.get_by_text(f"Texts to {MOBILE} cannot be delivered")).to_be_visible()
    assert_no_serious_violations(page, context="clinician: reminder log with a failed text")
    _shot(page, "reminder-log")

    page.goto(patient.get_absolute_url())
    alert = page.locator("#mobile-failed")
    expect(alert).to_contain_text(f"Texts to {MOBILE} cannot be delivered: Twilio error 30005: unknown")
    assert_no_serious_violations(page, context="clinician: overview with a failed number")
    _shot(page, "overview-flag")

    # A new number clears it.
    page.goto(f"/patients/{patient.pk}/edit/")
    expect(page.locator("#mobile-failed")).to_be_visible()
    page.get_by_label("Mobile").fill("+447400123457")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#mobile-failed")).to_have_count(0)
    patient.refresh_from_db()
    assert patient.mobile_failed_at is None
