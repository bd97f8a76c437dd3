"""Polling for delivery receipts (``deliveries_poll``), for providers whose callbacks cannot reach the
clinic: each backend asks its provider (a local fake of its HTTP API, through the official client) about
messages still only "sent" after a few minutes, inside their link's lifetime, and applies what changed."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checkins import receipts
from checkins.models import Delivery, DeliveryStatus, Reminder
from core.messaging import Outgoing
from core.providers import delivery_backend
from tests.fakes import NotifyFake, PostmarkFake, TwilioFake
from tests.fakes.base import Answer
from tests.fakes.configure import provider_settings

from .factories import make_schedule
from .test_receipts import DUE, MOBILE, sent_reminder

LATER = DUE + timedelta(minutes=20)
PROVIDERS = {
    "notify": (NotifyFake, "sms", "delivered", ("permanent-failure", {})),
    "twilio": (TwilioFake, "sms", "delivered", ("undelivered", {"error_code": 30005})),
    "postmark": (PostmarkFake, "email", "Delivered", ("Bounced", {})),
}


@pytest.fixture(params=list(PROVIDERS))
def provider(request, settings):
    fake_class, channel, delivered, failed = PROVIDERS[request.param]
    with fake_class() as fake:
        provider_settings(settings, fake)
        fake.channel, fake.delivered, fake.failed = channel, delivered, failed
        yield fake


@pytest.fixture
def schedule(patient, provider):
    patient.mobile = MOBILE
    patient.save(update_fields=["mobile"])
    return make_schedule(patient, channel=provider.channel)


def taken(provider, schedule, *, day=0):
    """A reminder whose message the provider took (it holds it), sent at 18:00 ``day`` days after DUE."""
    reminder, delivery = sent_reminder(schedule, channel=provider.channel, due=DUE + timedelta(days=day))
    outgoing = Outgoing(
        channel=provider.channel,
        to=delivery.to,
        body=f"Your check-in {delivery.reference}",
        subject="Your check-in",
        reference=str(delivery.reference),
    )
    delivery.provider_id = delivery_backend(provider.channel).send(outgoing)
    delivery.backend = (
        django_settings.SMS_BACKEND if provider.channel == "sms" else django_settings.EMAIL_DELIVERY_BACKEND
    )
    delivery.save(update_fields=["provider_id", "backend"])
    return reminder, delivery


def test_a_delivered_message_is_found_by_polling_once(provider, schedule):
    reminder, delivery = taken(provider, schedule)
    assert receipts.deliveries_poll(now=LATER) == 0  # the provider has nothing new yet
    provider.set_status(delivery.provider_id, provider.delivered)
    assert receipts.deliveries_poll(now=LATER) == 1
    reminder.refresh_from_db()
    assert reminder.delivery_status == DeliveryStatus.DELIVERED
    asked = len(provider.requests)
    assert receipts.deliveries_poll(now=LATER + timedelta(minutes=5)) == 0
    assert len(provider.requests) == asked  # delivered: not asked again


def test_a_message_failed_for_good_found_by_polling_flags_the_contact(provider, schedule):
    reminder, delivery = taken(provider, schedule)
    status, fields = provider.failed
    provider.set_status(delivery.provider_id, status, **fields)
    assert receipts.deliveries_poll(now=LATER) == 1
    reminder.refresh_from_db()
    patient = reminder.patient
    patient.refresh_from_db()
    assert (reminder.status, reminder.delivery_status) == (Reminder.Status.FAILED, "failed_permanent")
    failed_at = patient.mobile_failed_at if provider.channel == "sms" else patient.email_failed_at
    assert failed_at == LATER


def test_only_quiet_messages_inside_their_link_are_asked_about(provider, schedule):
    fresh, fresh_delivery = taken(provider, schedule)
    Delivery.objects.filter(pk=fresh_delivery.pk).update(status_at=LATER - timedelta(minutes=2))
    expired, expired_delivery = taken(provider, schedule, day=1)
    Reminder.objects.filter(pk=expired.pk).update(expires_at=LATER - timedelta(seconds=1))
    for delivery in (fresh_delivery, expired_delivery):
        provider.set_status(delivery.provider_id, provider.delivered)
    asked = len(provider.requests)
    assert receipts.deliveries_poll(now=LATER) == 0
    assert len(provider.requests) == asked


# Texts only: email goes through one adapter, which follows EMAIL_BACKEND as set now.
@pytest.mark.parametrize("provider", ["notify", "twilio"], indirect=True)
def test_a_text_is_asked_about_where_it_went_after_the_settings_changed(provider, schedule, settings):
    reminder, delivery = taken(provider, schedule)
    provider.set_status(delivery.provider_id, provider.delivered)
    settings.SMS_BACKEND = "checkins.backends.OutboxSMSBackend"
    assert receipts.deliveries_poll(now=LATER) == 1
    reminder.refresh_from_db()
    assert reminder.delivery_status == DeliveryStatus.DELIVERED


def test_a_provider_that_does_not_answer_is_asked_again_next_time(provider, schedule, monkeypatch):
    reminder, delivery = taken(provider, schedule)
    provider.set_status(delivery.provider_id, provider.delivered)
    # The provider's API is down for the first question: a 500 in its own words.
    answered = provider.handle
    down = [True]

    def outage(method, path, *args):
        if method == "GET" and down:
            down.pop()
            return Answer(500, provider.error_body(500))
        return answered(method, path, *args)

    monkeypatch.setattr(provider, "handle", outage)
    assert receipts.deliveries_poll(now=LATER) == 0
    assert receipts.deliveries_poll(now=LATER) == 1


def test_polling_reads_one_query_however_many_messages_are_quiet(provider, schedule):
    for day in range(2):
        taken(provider, schedule, day=day)
    with CaptureQueriesContext(connection) as two:
        receipts.deliveries_poll(now=LATER)
    for day in range(2, 8):
        taken(provider, schedule, day=day)
    with CaptureQueriesContext(connection) as eight:
        assert receipts.deliveries_poll(now=LATER) == 0
    assert len(two) == len(eight) == 1
