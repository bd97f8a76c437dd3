"""Reminders through real Celery processes: beat dispatching, workers sending, a worker killed mid-send.

These start their own worker and beat processes against the real Redis and the test
database, on a queue of their own, and wait for them by polling the database.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from checkins.models import OutboxMessage, Reminder

from .factories import make_schedule

pytestmark = pytest.mark.django_db(transaction=True)
QUEUE = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-reminders"


def _env(**extra: str) -> dict[str, str]:
    database = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": "postgresql://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**database),
        "DJANGO_SETTINGS_MODULE": "rehabcare.settings.test",
        "CELERY_QUEUE": QUEUE,
        "EMAIL_BACKEND": "checkins.backends.OutboxEmailBackend",
        **extra,
    }


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rehabcare", *args],
        env=env,
        start_new_session=True,  # its own process group, so a kill takes all of it
    )


def _worker(**extra: str) -> subprocess.Popen:
    return _start(
        [
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            QUEUE,
        ],
        _env(**extra),
    )


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)  # polling other processes; no clock is faked here
    raise AssertionError("timed out waiting for the Celery processes")


def _due_now(patient, **kwargs):
    local = timezone.localtime(timezone.now() - timedelta(minutes=1))
    return make_schedule(patient, local_time=local.time().replace(second=0, microsecond=0), **kwargs)


def test_beat_and_worker_send_a_due_patient_exactly_one_reminder(patient, tmp_path):
    _due_now(patient)
    worker = _worker()
    beat = _start(
        [
            "beat",
            "--loglevel",
            "WARNING",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--pidfile",
            str(tmp_path / "beat.pid"),
        ],
        _env(REMINDER_DISPATCH_SECONDS="1"),
    )
    try:
        _wait_for(lambda: Reminder.objects.filter(status=Reminder.Status.SENT).exists())
        time.sleep(4)  # several more beats: none may add or send anything
        assert Reminder.objects.count() == 1
        assert OutboxMessage.objects.count() == 1
        message = OutboxMessage.objects.get()
        assert message.to == patient.email and "/r/" in message.body
    finally:
        _stop(beat)
        _stop(worker)


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
        _wait_for(marker.exists)
    finally:
        _stop(doomed, signal.SIGKILL)
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.PENDING and reminder.attempts == 0  # the send rolled back
    assert reminder.claimed_at is not None

    rescuer = _worker(REMINDER_RECLAIM_SECONDS="10")

    def reconciled_and_sent() -> bool:
        reminders_reconcile.apply_async(queue=QUEUE)
        return Reminder.objects.get(pk=reminder.pk).status == Reminder.Status.SENT

    try:
        _wait_for(reconciled_and_sent)
        # The lost worker's own message may still come back from Redis one day: it must change nothing.
        assert reminder_send.apply_async(args=[reminder.pk], queue=QUEUE).get(timeout=30) is False
    finally:
        _stop(rescuer)
    assert OutboxMessage.objects.filter(channel="sms").count() == 1
    assert Reminder.objects.get(pk=reminder.pk).attempts == 1
