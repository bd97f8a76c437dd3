"""Reminders through real Celery processes: beat dispatching, workers sending, a worker killed mid-send.

These start their own worker and beat processes against the real Redis and the test
database, on a queue of their own, and wait for them by polling the database.
"""

import signal
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from checkins.models import OutboxMessage, Reminder

from ..celery_processes import celery_env, celery_start, celery_stop, celery_worker, wait_for
from .factories import make_schedule

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]
QUEUE = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-reminders"


def _worker(**extra: str):
    return celery_worker(QUEUE, EMAIL_BACKEND="checkins.backends.OutboxEmailBackend", **extra)


def _due_now(patient, **kwargs):
    local = timezone.localtime(timezone.now() - timedelta(minutes=1))
    return make_schedule(patient, local_time=local.time().replace(second=0, microsecond=0), **kwargs)


def test_beat_and_worker_send_a_due_patient_exactly_one_reminder(patient, tmp_path):
    _due_now(patient)
    worker = _worker()
    beat = celery_start(
        [
            "beat",
            "--loglevel",
            "WARNING",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--pidfile",
            str(tmp_path / "beat.pid"),
        ],
        celery_env(
            QUEUE, EMAIL_BACKEND="checkins.backends.OutboxEmailBackend", REMINDER_DISPATCH_SECONDS="1"
        ),
    )
    try:
        wait_for(lambda: Reminder.objects.filter(status=Reminder.Status.SENT).exists())
        time.sleep(4)  # several more beats: none may add or send anything
        assert Reminder.objects.count() == 1
        assert OutboxMessage.objects.count() == 1
        message = OutboxMessage.objects.get()
        assert message.to == patient.email and "/r/" in message.body
    finally:
        celery_stop(beat)
        celery_stop(worker)


def test_a_worker_killed_mid_send_leaves_the_reminder_to_the_next_one_still_sent_once(patient, tmp_path):
    from checkins.tasks import reminder_send, reminders_dispatch, reminders_reconcile

    patient.mobile = "+447400123456"
    patient.save(update_fields=["mobile"])
    _due_now(patient, channel="sms")
    marker = tmp_path / "sending"
    doomed = _worker(
        SMS_BACKEND="tests.checkins.blocking.BlockingSMSBackend", BLOCKING_SMS_MARKER=str(marker)
    )
    try:
        reminders_dispatch.apply_async(queue=QUEUE)
        wait_for(marker.exists)
    finally:
        celery_stop(doomed, signal.SIGKILL)
    reminder = Reminder.objects.get()
    # The attempt was committed before the provider was asked (checkins.services.reminder_send_now).
    assert reminder.status == Reminder.Status.PENDING and reminder.attempts == 1
    assert reminder.deliveries.get().status == "sending"
    assert reminder.claimed_at is not None

    rescuer = _worker(REMINDER_RECLAIM_SECONDS="10")

    def reconciled_and_sent() -> bool:
        reminders_reconcile.apply_async(queue=QUEUE)
        return Reminder.objects.get(pk=reminder.pk).status == Reminder.Status.SENT

    try:
        wait_for(reconciled_and_sent)
        # The lost worker's own message may still come back from Redis one day: it must change nothing.
        assert (
            reminder_send.apply_async(args=[reminder.pk], queue=QUEUE, ignore_result=False).get(timeout=30)
            is False
        )
    finally:
        celery_stop(rescuer)
    assert OutboxMessage.objects.filter(channel="sms").count() == 1
    # A send_messages backend cannot be searched: the next worker closed the unknown attempt and sent anew.
    assert Reminder.objects.get(pk=reminder.pk).attempts == 2
    statuses = [d.status for d in reminder.deliveries.order_by("created_at", "id")]
    assert statuses == ["failed_temporary", "sent"]
