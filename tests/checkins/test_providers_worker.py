"""Exactly once under a killed worker, for each real provider's backend: real Celery worker processes
(as tests/checkins/test_worker_e2e.py runs them) send through the official client to a local fake of the
provider, which takes the message and never answers; the worker is killed while it waits, and the next
worker finds the message with the provider instead of sending it again."""

import signal
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from checkins.models import Delivery, DeliveryStatus, Reminder
from tests.fakes import NotifyFake, PostmarkFake, TwilioFake
from tests.fakes.configure import provider_env

from ..celery_processes import celery_stop, celery_worker, wait_for
from .factories import make_schedule

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]
QUEUE = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-providers"


@pytest.mark.parametrize(
    ("fake_class", "channel"),
    [(NotifyFake, "sms"), (NotifyFake, "email"), (TwilioFake, "sms"), (PostmarkFake, "email")],
)
def test_a_worker_killed_after_the_provider_took_the_message_leaves_it_sent_once(
    patient, fake_class, channel
):
    from checkins.tasks import reminder_send, reminders_dispatch, reminders_reconcile

    patient.mobile = "+447400123456"
    patient.save(update_fields=["mobile"])
    local = timezone.localtime(timezone.now() - timedelta(minutes=1))
    make_schedule(patient, local_time=local.time().replace(second=0, microsecond=0), channel=channel)
    with fake_class() as fake:
        fake.stall(600, after_accepting=True)  # taken, and the answer never comes
        env = provider_env(fake, timeout=300)
        if isinstance(fake, NotifyFake) and channel == "email":
            env["EMAIL_DELIVERY_BACKEND"] = "core.providers.notify.NotifyEmailBackend"
        doomed = celery_worker(QUEUE, **env)
        try:
            reminders_dispatch.apply_async(queue=QUEUE)
            wait_for(lambda: len(fake.messages) == 1)
        finally:
            celery_stop(doomed, signal.SIGKILL)
        reminder = Reminder.objects.get()
        assert reminder.status == Reminder.Status.PENDING
        assert Delivery.objects.get(reminder=reminder).status == DeliveryStatus.SENDING

        env.update(PROVIDER_TIMEOUT_SECONDS="5", REMINDER_RECLAIM_SECONDS="10")
        rescuer = celery_worker(QUEUE, **env)

        def reconciled_and_sent() -> bool:
            reminders_reconcile.apply_async(queue=QUEUE)
            return Reminder.objects.get(pk=reminder.pk).status == Reminder.Status.SENT

        try:
            wait_for(reconciled_and_sent)
            # The lost worker's own task may still come back from Redis one day: it must change nothing.
            again = reminder_send.apply_async(args=[reminder.pk], queue=QUEUE, ignore_result=False)
            assert again.get(timeout=30) is False
        finally:
            celery_stop(rescuer)
        assert len(fake.messages) == 1
        assert sum(1 for method, _ in fake.requests if method == "POST") == 1
    reminder.refresh_from_db()
    assert reminder.attempts == 1 and reminder.delivery_status == DeliveryStatus.SENT
    delivery = Delivery.objects.get(reminder=reminder)
    assert (delivery.status, delivery.provider_id) == (DeliveryStatus.SENT, fake.messages[0]["id"])
