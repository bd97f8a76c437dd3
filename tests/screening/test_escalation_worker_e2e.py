"""Escalation through real Celery processes: a worker killed mid-send, the step sent once by the next one;
two dispatching at once; each step of an urgent alert reaches its people exactly once.

These start their own workers against the real Redis and the test database, on a queue of their own, and
wait for them by polling the database (as tests/checkins/test_worker_e2e.py does for reminders).
"""

import signal
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from checkins.models import OutboxMessage
from screening.models import Alert, AlertEscalation

from ..celery_processes import celery_stop, celery_worker, wait_for

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]
QUEUE = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-escalations"
Step = AlertEscalation.Step


def _worker(**extra: str):
    # Open around the clock and a minute to acknowledge: an alert raised ten minutes ago is due at both
    # steps, whatever the day and hour the test runs.
    return celery_worker(
        QUEUE,
        EMAIL_BACKEND="checkins.backends.OutboxEmailBackend",
        CLINIC_OPENING_HOURS="Mon-Sun 00:00-24:00",
        ALERT_ACK_MINUTES="1",
        **extra,
    )


def _step(alert: Alert, step: int) -> AlertEscalation | None:
    return AlertEscalation.objects.filter(alert=alert, step=step).first()


def test_a_worker_killed_mid_send_leaves_each_step_to_the_next_one_still_sent_once(
    patient, lead, clinic_admin, tmp_path
):
    from screening.tasks import escalation_send, escalations_dispatch, escalations_reconcile

    for user, number in ((lead, "+447400200001"), (clinic_admin, "+447400200002")):
        user.email, user.mobile = f"{user.username}@clinic.example", number
        user.save(update_fields=["email", "mobile"])
    alert = Alert.objects.create(patient=patient, kind=Alert.Kind.URGENT, reason="PHQ-9: self-harm item")
    Alert.objects.filter(pk=alert.pk).update(opened_at=timezone.now() - timedelta(minutes=10))

    marker = tmp_path / "sending"
    doomed = _worker(
        SMS_BACKEND="tests.checkins.blocking.BlockingSMSBackend", BLOCKING_SMS_MARKER=str(marker)
    )
    try:
        escalations_dispatch.apply_async(queue=QUEUE)
        wait_for(marker.exists)  # the lead's email is written, its SMS hangs: now the worker dies
    finally:
        celery_stop(doomed, signal.SIGKILL)
    lead_step = _step(alert, Step.LEAD)
    assert lead_step is not None and lead_step.claimed_at is not None
    assert lead_step.sent_at is None and lead_step.attempts == 0  # the send rolled back, email and all
    assert not OutboxMessage.objects.exists()

    rescuers = [_worker(ESCALATION_RECLAIM_SECONDS="10") for _ in range(2)]

    def reconciled_and_sent() -> bool:
        escalations_reconcile.apply_async(queue=QUEUE)
        return AlertEscalation.objects.get(pk=lead_step.pk).sent_at is not None

    try:
        wait_for(reconciled_and_sent)
        # The lost worker's own message may still come back from Redis one day: it must change nothing.
        redelivered = escalation_send.apply_async(args=[lead_step.pk], queue=QUEUE, ignore_result=False)
        assert redelivered.get(timeout=30) is False

        # The admins' step: two workers dispatching at once make it and send it once.
        def admins_sent() -> bool:
            escalations_dispatch.apply_async(queue=QUEUE)
            escalations_dispatch.apply_async(queue=QUEUE)
            admins = _step(alert, Step.ADMINS)
            return admins is not None and admins.sent_at is not None

        wait_for(admins_sent)
        for _ in range(4):  # more beats: none may add or send anything
            escalations_dispatch.apply_async(queue=QUEUE)
            escalations_reconcile.apply_async(queue=QUEUE)
        time.sleep(3)  # let those run in the workers (polling other processes; no clock is faked here)
    finally:
        for rescuer in rescuers:
            celery_stop(rescuer)

    rows = {row.step: row for row in AlertEscalation.objects.filter(alert=alert)}
    assert sorted(rows) == [Step.LEAD, Step.ADMINS]
    assert [rows[step].attempts for step in (Step.LEAD, Step.ADMINS)] == [1, 1]
    assert rows[Step.LEAD].recipients == [lead.get_full_name()]
    assert rows[Step.ADMINS].recipients == [clinic_admin.get_full_name()]
    emails = sorted(OutboxMessage.objects.filter(channel="email").values_list("to", flat=True))
    texts = sorted(OutboxMessage.objects.filter(channel="sms").values_list("to", flat=True))
    assert emails == ["admin@clinic.example", "lead@clinic.example"]
    assert texts == ["+447400200001", "+447400200002"]
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.OPEN
