"""The whole way, through the send task, Twilio's and Postmark's official clients and local fakes of their
APIs, and the providers' receipts as they send them: a number refused for good falls back to email with
the patient's consent, and a text that fails for now goes again when the quiet hours end."""

import base64
import json
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from twilio.request_validator import RequestValidator

from checkins import services
from checkins.models import Delivery, DeliveryStatus, Reminder
from checkins.tasks import reminder_send
from tests.fakes import PostmarkFake, TwilioFake
from tests.fakes.configure import provider_settings

from .factories import make_schedule
from .test_receipts import MOBILE
from .test_receipts_hooks import ANYMAIL_SECRET, postmark_delivery

NOW = datetime(2026, 3, 2, 18, 0, 30, tzinfo=UTC)  # a Monday, 18:00 in London


@pytest.fixture
def fakes(settings):
    with TwilioFake() as twilio, PostmarkFake() as postmark:
        provider_settings(settings, twilio)
        provider_settings(settings, postmark)
        settings.ANYMAIL_WEBHOOK_SECRET = ANYMAIL_SECRET
        yield twilio, postmark


def dispatched(patient, **schedule) -> int:
    patient.mobile = MOBILE
    patient.save(update_fields=["mobile"])
    make_schedule(patient, channel="sms", **schedule)
    with time_machine.travel(NOW, tick=False):
        [reminder_id] = services.reminders_dispatch()
    return reminder_id


def send(reminder_id, django_capture_on_commit_callbacks):
    """The send task as a worker runs it; what it queues after commit is returned, not run."""
    with django_capture_on_commit_callbacks() as queued:
        result = reminder_send.apply(args=[reminder_id]).get()
    return result, queued


def twilio_callback(client, delivery, status, error_code):
    url = reverse("delivery_receipt_twilio")
    params = {"MessageSid": delivery.provider_id, "MessageStatus": status, "ErrorCode": str(error_code)}
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    signature = validator.compute_signature(settings.SITE_URL + url, params)
    return client.post(url, data=params, headers={"X-Twilio-Signature": signature})


def test_a_number_refused_for_good_falls_back_to_email_which_is_delivered(
    fakes, patient, client, login, clinician, django_capture_on_commit_callbacks
):
    twilio, postmark = fakes
    reminder_id = dispatched(patient, fallback_channel="email", fallback_consent_given_on=date(2026, 2, 1))
    twilio.fail(twilio.PERMANENT)
    with time_machine.travel(NOW, tick=False):
        result, queued = send(reminder_id, django_capture_on_commit_callbacks)
    assert result is False and twilio.messages == []
    reminder = Reminder.objects.get(pk=reminder_id)
    assert (reminder.status, reminder.channel) == (Reminder.Status.PENDING, "email")
    assert len(queued) == 1  # handed to a worker again at once: 18:00 is inside the window

    with time_machine.travel(NOW, tick=False):
        result, _queued = send(reminder_id, django_capture_on_commit_callbacks)
    assert result is True
    [email] = postmark.messages
    assert email["to"] == patient.email and "/r/" in email["body"]
    by_email = Delivery.objects.get(reminder_id=reminder_id, channel="email")

    auth = base64.b64encode(ANYMAIL_SECRET.encode()).decode()
    response = client.post(
        reverse("postmark_tracking_webhook"),
        data=json.dumps(postmark_delivery(by_email)),
        content_type="application/json",
        headers={"Authorization": f"Basic {auth}"},
    )
    assert response.status_code == 200
    reminder.refresh_from_db()
    patient.refresh_from_db()
    assert (reminder.status, reminder.delivery_status) == (Reminder.Status.SENT, DeliveryStatus.DELIVERED)
    assert patient.mobile_failed_at is not None and patient.email_failed_at is None
    log = login(clinician).get(reverse("checkin_reminders", kwargs={"patient_id": patient.pk})).text
    assert "Failed permanently" in log and "Delivered" in log


def test_a_number_refused_for_good_without_consent_to_a_fallback_fails(
    fakes, patient, django_capture_on_commit_callbacks
):
    twilio, postmark = fakes
    reminder_id = dispatched(patient, fallback_channel="email")  # no day they agreed: no consent
    twilio.fail(twilio.PERMANENT)
    with time_machine.travel(NOW, tick=False):
        _result, queued = send(reminder_id, django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(pk=reminder_id)
    assert reminder.status == Reminder.Status.FAILED and queued == []
    assert twilio.messages == postmark.messages == []


def test_a_text_that_fails_for_now_goes_again_when_the_quiet_hours_end(
    fakes, patient, client, django_capture_on_commit_callbacks
):
    twilio, _postmark = fakes
    reminder_id = dispatched(patient, quiet_start=time(21, 0), quiet_end=time(8, 0))
    with time_machine.travel(NOW, tick=False):
        send(reminder_id, django_capture_on_commit_callbacks)
    first = Delivery.objects.get(reminder_id=reminder_id)
    # 22:30: Twilio reports the handset unreachable.
    with time_machine.travel(datetime(2026, 3, 2, 22, 30, tzinfo=UTC), tick=False):
        assert twilio_callback(client, first, "undelivered", 30003).status_code == 204
    reminder = Reminder.objects.get(pk=reminder_id)
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.claimed_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    # Nobody hands it out in the night; the reconciler does once its moment has passed.
    with time_machine.travel(datetime(2026, 3, 3, 3, 0, tzinfo=UTC), tick=False):
        assert services.reminders_dispatch() == [] and services.reminders_reconcile() == []
    with time_machine.travel(datetime(2026, 3, 3, 8, 10, 5, tzinfo=UTC), tick=False):
        assert services.reminders_reconcile() == [reminder_id]
        result, _queued = send(reminder_id, django_capture_on_commit_callbacks)
    assert result is True
    assert len(twilio.messages) == 2
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT and reminder.sent_at.hour == 8
