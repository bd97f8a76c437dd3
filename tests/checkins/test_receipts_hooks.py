"""The providers' delivery receipts as they send them: GOV.UK Notify's callback (bearer token), Twilio's
status callback (signed with the auth token, checked with Twilio's own RequestValidator), Postmark's
webhook JSON through anymail (basic auth). A request that does not prove it is the provider's changes
nothing; a message that is not ours is answered with success and ignored."""

import base64
import json
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from twilio.request_validator import RequestValidator

from checkins.models import Delivery, Reminder

from .factories import make_schedule
from .test_receipts import DUE, MOBILE, sent_reminder

NOTIFY_TOKEN = "notify-callback-token-for-tests"  # noqa: S105
TWILIO_TOKEN = "twilio-auth-token-for-tests"  # noqa: S105
ANYMAIL_SECRET = "postmark:webhook-password"  # noqa: S105

pytestmark = pytest.mark.usefixtures("hook_secrets")


@pytest.fixture
def hook_secrets():
    """The providers' secrets, and the clock minutes after the reminders below were sent."""
    with (
        override_settings(
            NOTIFY_CALLBACK_TOKEN=NOTIFY_TOKEN,
            TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
            ANYMAIL_WEBHOOK_SECRET=ANYMAIL_SECRET,
        ),
        time_machine.travel(DUE + timedelta(minutes=5), tick=False),
    ):
        yield


@pytest.fixture
def sms(patient):
    patient.mobile = MOBILE
    patient.save(update_fields=["mobile"])
    return sent_reminder(make_schedule(patient, channel="sms"))


@pytest.fixture
def email(patient):
    return sent_reminder(make_schedule(patient, channel="email"), channel="email")


def state(reminder: Reminder, delivery: Delivery):
    reminder.refresh_from_db()
    delivery.refresh_from_db()
    reminder.patient.refresh_from_db()
    return reminder.status, reminder.delivery_status, delivery.status


# --- GOV.UK Notify ---


def notify_post(client, payload, token=NOTIFY_TOKEN):
    return client.post(
        reverse("delivery_receipt_notify"),
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def notify_callback(delivery, status):
    """Notify's callback body, as its documentation gives it."""
    return {
        "id": str(uuid.uuid4()),
        "reference": str(delivery.reference),
        "to": delivery.to,
        "status": status,
        "created_at": "2026-03-02T18:00:01.000000Z",
        "completed_at": "2026-03-02T18:00:09.000000Z",
        "sent_at": "2026-03-02T18:00:02.000000Z",
        "notification_type": "sms",
        "template_id": str(uuid.uuid4()),
        "template_version": 1,
    }


def test_notify_delivered(client, sms):
    reminder, delivery = sms
    assert notify_post(client, notify_callback(delivery, "delivered")).status_code == 204
    assert state(reminder, delivery) == ("sent", "delivered", "delivered")


def test_notify_permanent_failure_flags_the_number(client, sms):
    reminder, delivery = sms
    assert notify_post(client, notify_callback(delivery, "permanent-failure")).status_code == 204
    assert state(reminder, delivery) == ("failed", "failed_permanent", "failed_permanent")
    assert reminder.patient.mobile_failed_reason.startswith("GOV.UK Notify: the number or address")


def test_notify_temporary_failure_is_retried(client, sms):
    reminder, delivery = sms
    notify_post(client, notify_callback(delivery, "temporary-failure"))
    assert state(reminder, delivery) == ("pending", "failed_temporary", "failed_temporary")


def test_notify_with_a_wrong_token_is_refused_and_changes_nothing(client, sms):
    reminder, delivery = sms
    assert notify_post(client, notify_callback(delivery, "delivered"), token="guess").status_code == 403
    no_header = client.post(
        reverse("delivery_receipt_notify"),
        data=json.dumps(notify_callback(delivery, "delivered")),
        content_type="application/json",
    )
    assert no_header.status_code == 403
    assert state(reminder, delivery) == ("sent", "sent", "sent")


def test_notify_without_a_configured_token_refuses_everything(client, sms):
    reminder, delivery = sms
    with override_settings(NOTIFY_CALLBACK_TOKEN=""):
        assert notify_post(client, notify_callback(delivery, "delivered"), token="").status_code == 403
    assert state(reminder, delivery) == ("sent", "sent", "sent")


def test_notify_about_a_message_not_ours_is_answered_and_ignored(client, sms):
    reminder, delivery = sms
    stranger = notify_callback(delivery, "permanent-failure") | {"reference": str(uuid.uuid4())}
    assert notify_post(client, stranger).status_code == 204
    assert notify_post(client, stranger | {"reference": "not-a-uuid"}).status_code == 204
    assert state(reminder, delivery) == ("sent", "sent", "sent")


# --- Twilio ---


def twilio_post(client, params, *, token=TWILIO_TOKEN):
    url = reverse("delivery_receipt_twilio")
    signature = RequestValidator(token).compute_signature(settings.SITE_URL + url, params)
    return client.post(url, data=params, headers={"X-Twilio-Signature": signature})


def twilio_callback(delivery, status, error_code=None):
    """Twilio's status callback parameters (form-encoded)."""
    params = {
        "AccountSid": "AC" + "0" * 32,
        "From": "+447700900001",
        "To": delivery.to,
        "MessageSid": delivery.provider_id,
        "SmsSid": delivery.provider_id,
        "SmsStatus": status,
        "MessageStatus": status,
        "ApiVersion": "2010-04-01",
    }
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    return params


def test_twilio_sent_then_delivered_and_a_late_sent_changes_nothing(client, sms):
    reminder, delivery = sms
    assert twilio_post(client, twilio_callback(delivery, "delivered")).status_code == 204
    assert twilio_post(client, twilio_callback(delivery, "sent")).status_code == 204
    assert state(reminder, delivery) == ("sent", "delivered", "delivered")


@pytest.mark.parametrize("code", [21211, 21614, 30005, 30006])
def test_twilio_undelivered_for_good_flags_the_number(client, sms, code):
    reminder, delivery = sms
    twilio_post(client, twilio_callback(delivery, "undelivered", code))
    assert state(reminder, delivery) == ("failed", "failed_permanent", "failed_permanent")
    assert reminder.patient.mobile_failed_reason.startswith(f"Twilio error {code}: ")


@pytest.mark.parametrize("code", [30003, 30008, None])
def test_twilio_undelivered_for_now_is_sent_again(client, sms, code):
    reminder, delivery = sms
    twilio_post(client, twilio_callback(delivery, "undelivered", code))
    assert state(reminder, delivery) == ("pending", "failed_temporary", "failed_temporary")
    assert reminder.patient.mobile_failed_at is None


def test_twilio_with_a_wrong_signature_is_refused_and_changes_nothing(client, sms):
    reminder, delivery = sms
    assert twilio_post(client, twilio_callback(delivery, "failed", 21211), token="other").status_code == 403
    # Signed, but then changed on the way.
    params = twilio_callback(delivery, "delivered")
    url = reverse("delivery_receipt_twilio")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(settings.SITE_URL + url, params)
    tampered = params | {"MessageStatus": "failed", "ErrorCode": "21211"}
    response = client.post(url, data=tampered, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert state(reminder, delivery) == ("sent", "sent", "sent")


def test_twilio_about_a_message_not_ours_is_answered_and_ignored(client, sms):
    reminder, delivery = sms
    params = twilio_callback(delivery, "failed", 21211) | {"MessageSid": "SM" + "f" * 32}
    assert twilio_post(client, params).status_code == 204
    assert state(reminder, delivery) == ("sent", "sent", "sent")


def test_the_hooks_take_only_posts(client):
    assert client.get(reverse("delivery_receipt_twilio")).status_code == 405
    assert client.get(reverse("delivery_receipt_notify")).status_code == 405
    assert client.get(reverse("postmark_tracking_webhook")).status_code == 405


# --- email through anymail (Postmark's webhooks) ---


def postmark_post(client, payload, secret=ANYMAIL_SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        reverse("postmark_tracking_webhook"),
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Basic {auth}"},
    )


def postmark_delivery(delivery):
    """Postmark's Delivery webhook, as its documentation gives it; our reference rides in Metadata."""
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": delivery.provider_id,
        "Recipient": delivery.to,
        "Tag": "",
        "DeliveredAt": "2026-03-02T18:00:09Z",
        "Details": "Test delivery webhook details",
        "Metadata": {"reference": str(delivery.reference)},
    }


def postmark_bounce(delivery, kind="HardBounce"):
    return {
        "RecordType": "Bounce",
        "ID": 42,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": delivery.provider_id,
        "Metadata": {},
        "ServerID": 23,
        "MessageStream": "outbound",
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": delivery.to,
        "From": "rehabcare@example.org",
        "BouncedAt": "2026-03-02T18:00:09Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Your check-in",
    }


def test_postmark_delivered_by_our_reference(client, email):
    reminder, delivery = email
    assert postmark_post(client, postmark_delivery(delivery)).status_code == 200
    assert state(reminder, delivery) == ("sent", "delivered", "delivered")


def test_postmark_hard_bounce_flags_the_address_and_falls_back_to_sms_with_consent(client, patient):
    patient.mobile = MOBILE
    patient.save(update_fields=["mobile"])
    schedule = make_schedule(
        patient, channel="email", fallback_channel="sms", fallback_consent_given_on=date(2026, 2, 1)
    )
    reminder, delivery = sent_reminder(schedule, channel="email")
    assert postmark_post(client, postmark_bounce(delivery)).status_code == 200
    assert state(reminder, delivery) == ("pending", "failed_permanent", "failed_permanent")
    assert reminder.channel == "sms"
    assert reminder.patient.email_failed_reason.startswith("Postmark: The server was unable to deliver")


def test_postmark_soft_bounce_is_sent_again_not_flagged(client, email):
    reminder, delivery = email
    postmark_post(client, postmark_bounce(delivery, kind="SoftBounce"))
    assert state(reminder, delivery) == ("pending", "failed_temporary", "failed_temporary")
    assert reminder.patient.email_failed_at is None


def test_postmark_with_wrong_basic_auth_changes_nothing(client, email):
    reminder, delivery = email
    response = postmark_post(client, postmark_bounce(delivery), secret="postmark:guess")
    assert response.status_code in (400, 403)
    assert state(reminder, delivery) == ("sent", "sent", "sent")
    assert reminder.patient.email_failed_at is None


def test_postmark_without_a_configured_secret_refuses_everything(client, email):
    reminder, delivery = email
    with override_settings(ANYMAIL_WEBHOOK_SECRET=""):
        assert postmark_post(client, postmark_bounce(delivery), secret="").status_code == 403
    assert state(reminder, delivery) == ("sent", "sent", "sent")
    assert reminder.patient.email_failed_at is None
