"""Each real provider's backend, through its official client, against a local fake of its HTTP API: a
reminder sent through the send task (with its retries) reaches the fake exactly once, or not at all when
the provider refuses it for good, whatever the provider answers or fails to answer."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from checkins import services
from checkins.models import Delivery, DeliveryStatus, Reminder
from checkins.tasks import reminder_send
from core.messaging import Outgoing, PermanentFailure, TemporaryFailure
from core.providers import delivery_backend
from tests.fakes import NotifyFake, PostmarkFake, TwilioFake
from tests.fakes.configure import provider_settings

from .factories import make_schedule

NOW = datetime(2026, 3, 2, 18, 0, 30, tzinfo=UTC)  # a Monday, 18:00 in London
MOBILE = "+447400123456"
STALL = 4  # seconds a stalled answer waits: past the clients' timeout (1 second here)

PROVIDERS = {
    "notify": (NotifyFake, "sms"),
    "twilio": (TwilioFake, "sms"),
    "postmark": (PostmarkFake, "email"),
    "notify-email": (NotifyFake, "email"),
}


@pytest.fixture(params=list(PROVIDERS))
def provider(request, settings):
    fake_class, channel = PROVIDERS[request.param]
    with fake_class() as fake:
        provider_settings(settings, fake)
        if request.param == "notify-email":
            settings.EMAIL_DELIVERY_BACKEND = "core.providers.notify.NotifyEmailBackend"
        fake.channel = channel
        yield fake


@pytest.fixture
def reminder_id(patient, provider):
    patient.mobile = MOBILE
    patient.save(update_fields=["mobile"])
    make_schedule(patient, channel=provider.channel)
    [reminder_id] = services.reminders_dispatch(now=NOW)
    return reminder_id


def _send(reminder_id: int):
    """The send task as a worker runs it, its retries included (run at once here, without the backoff)."""
    return reminder_send.apply(args=[reminder_id])


def _sends(fake) -> int:
    return sum(1 for method, path in fake.requests if method == "POST")


def test_a_reminder_goes_once_and_records_the_providers_id(provider, reminder_id, patient):
    assert _send(reminder_id).get() is True
    assert len(provider.messages) == 1
    message = provider.messages[0]
    assert message["to"] == (MOBILE if provider.channel == "sms" else patient.email)
    assert "/r/" in message["body"] and "/stop/" in message["body"]
    reminder = Reminder.objects.get(pk=reminder_id)
    assert reminder.status == Reminder.Status.SENT and reminder.delivery_status == DeliveryStatus.SENT
    delivery = Delivery.objects.get(reminder=reminder)
    assert (delivery.status, delivery.provider_id) == (DeliveryStatus.SENT, message["id"])
    if message["reference"] is not None:  # Notify and Postmark carry our reference; Twilio takes none
        assert message["reference"] == str(delivery.reference)
    # A second delivery of the task changes nothing and sends nothing.
    assert _send(reminder_id).get() is False
    assert len(provider.messages) == 1


def test_a_refusal_for_good_sends_nothing_flags_the_contact_and_fails_without_a_fallback(
    provider, reminder_id, patient
):
    provider.fail(provider.PERMANENT)
    assert _send(reminder_id).get() is False
    assert provider.messages == [] and _sends(provider) == 1  # not retried
    reminder = Reminder.objects.get(pk=reminder_id)
    assert (
        reminder.status == Reminder.Status.FAILED
        and reminder.delivery_status == DeliveryStatus.FAILED_PERMANENT
    )
    assert Delivery.objects.get(reminder=reminder).status == DeliveryStatus.FAILED_PERMANENT
    patient.refresh_from_db()
    failed_at = patient.mobile_failed_at if provider.channel == "sms" else patient.email_failed_at
    assert failed_at is not None


@pytest.mark.parametrize(
    "fault",
    ["server error", "rate limit", "timeout before accepting", "timeout after accepting"],
)
def test_after_a_failure_the_retry_sends_exactly_one_message(provider, reminder_id, fault):
    if fault == "server error":
        provider.fail(500)
    elif fault == "rate limit":
        provider.fail(429)
    else:
        provider.stall(STALL, after_accepting=fault == "timeout after accepting")
    assert _send(reminder_id).get() is True
    assert len(provider.messages) == 1
    reminder = Reminder.objects.get(pk=reminder_id)
    assert reminder.status == Reminder.Status.SENT and reminder.delivery_status == DeliveryStatus.SENT
    deliveries = list(Delivery.objects.filter(reminder=reminder).order_by("created_at", "id"))
    assert deliveries[-1].status == DeliveryStatus.SENT
    assert deliveries[-1].provider_id == provider.messages[0]["id"]
    # The link in the one message is the reminder's link.
    token = provider.messages[0]["body"].split("/r/")[1].split("/")[0]
    assert reminder.token_hash == services.token_hash(token)
    if fault == "timeout after accepting":
        # The retry found the message with the provider instead of sending it again.
        assert _sends(provider) == 1 and len(deliveries) == 1
    else:
        assert _sends(provider) == 2
        assert [d.status for d in deliveries] == [DeliveryStatus.FAILED_TEMPORARY, DeliveryStatus.SENT]


def test_a_provider_down_through_every_retry_fails_the_reminder_and_sends_nothing(provider, reminder_id):
    provider.fail(503, times=20)
    result = _send(reminder_id)
    assert result.failed()
    assert provider.messages == []
    reminder = Reminder.objects.get(pk=reminder_id)
    assert reminder.status == Reminder.Status.FAILED and reminder.last_error


def test_lookup_finds_only_the_message_it_was_given_and_status_reads_receipts(provider, patient):
    backend = delivery_backend(provider.channel)
    to = MOBILE if provider.channel == "sms" else patient.email
    outgoing = Outgoing(
        channel=provider.channel, to=to, body="Hello /r/abc/", subject="Hi", reference="ref-1"
    )
    from core.messaging import body_sha256

    provider_id = backend.send(outgoing)
    assert (
        backend.lookup(reference="ref-1", to=to, body_sha256=body_sha256(outgoing.body), since=NOW)
        == provider_id
    )
    assert backend.lookup(reference="ref-2", to=to, body_sha256=body_sha256("another"), since=NOW) is None
    assert backend.status(provider_id).status == DeliveryStatus.SENT
    delivered = {"notify": "delivered", "twilio": "delivered", "postmark": "Delivered"}
    failed = {"notify": "permanent-failure", "twilio": "undelivered", "postmark": "Bounced"}
    kind = {NotifyFake: "notify", TwilioFake: "twilio", PostmarkFake: "postmark"}[type(provider)]
    provider.set_status(provider_id, delivered[kind])
    assert backend.status(provider_id).status == DeliveryStatus.DELIVERED
    provider.set_status(provider_id, failed[kind], error_code=30005, error_message="Unknown destination")
    receipt = backend.status(provider_id)
    assert receipt.status == DeliveryStatus.FAILED_PERMANENT and receipt.error


def test_each_answer_maps_to_the_contract(provider, patient):
    backend = delivery_backend(provider.channel)
    to = MOBILE if provider.channel == "sms" else patient.email
    outgoing = Outgoing(channel=provider.channel, to=to, body="Hello", subject="Hi", reference="ref-1")
    provider.fail(provider.PERMANENT)
    with pytest.raises(PermanentFailure):
        backend.send(outgoing)
    provider.fail(429)
    with pytest.raises(TemporaryFailure):
        backend.send(outgoing)
    provider.fail(500)
    with pytest.raises(Exception) as unknown:
        backend.send(outgoing)
    assert not isinstance(unknown.value, PermanentFailure | TemporaryFailure)
    assert provider.messages == []


@pytest.mark.parametrize("fake_class", [NotifyFake, TwilioFake])
def test_escalation_and_caregiver_texts_go_through_the_same_provider(settings, fake_class):
    from core.sms import sms_send

    with fake_class() as fake:
        provider_settings(settings, fake)
        sms_send(to=MOBILE, body="Urgent alert for a North MSK patient: please check RehabCare.")
        assert [(m["to"], m["body"]) for m in fake.messages] == [
            (MOBILE, "Urgent alert for a North MSK patient: please check RehabCare.")
        ]


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_reminder_at_once_send_one_message(settings, patient):
    with TwilioFake() as fake:  # no reference of ours: the harder lookup
        provider_settings(settings, fake, timeout=5)
        fake.stall(1, after_accepting=True)  # the first send holds its lock a while
        patient.mobile = MOBILE
        patient.save(update_fields=["mobile"])
        make_schedule(patient, channel="sms")
        [reminder_id] = services.reminders_dispatch(now=NOW)
        barrier = threading.Barrier(2)
        answers: list[bool] = []

        def send() -> None:
            try:
                barrier.wait()
                answers.append(services.reminder_send_now(reminder_id=reminder_id, now=NOW))
            finally:
                connection.close()

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers) == [False, True]
        assert len(fake.messages) == 1
    assert Reminder.objects.get(pk=reminder_id).status == Reminder.Status.SENT
