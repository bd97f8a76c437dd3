"""Reminder work for Celery: thin tasks that take ids and call a service.

``reminder_send`` acknowledges late and is rejected back to the queue if its worker
dies, and its retries back off to ten minutes at most, well inside Redis's
visibility timeout; a reminder whose worker vanished altogether is handed out again
by ``reminders_reconcile``.
"""

from celery import shared_task
from celery.utils.log import get_task_logger

from . import caregivers, receipts, services

logger = get_task_logger(__name__)


@shared_task
def reminders_dispatch() -> int:
    claimed = services.reminders_dispatch()
    logger.info("Dispatched %d reminders", len(claimed))
    return len(claimed)


@shared_task
def reminders_reconcile() -> int:
    requeued = services.reminders_reconcile()
    if requeued:
        logger.warning("Re-queued %d reminders left pending by a lost worker", len(requeued))
    return len(requeued)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def reminder_send(self, reminder_id: int) -> bool:
    """Exactly once (``services.reminder_send_now``): a provider's "not now" (``TemporaryFailure``) and an
    unknown outcome (a timeout, a 5xx) are retried with backoff, the latter looked up with the provider
    before anything goes again."""
    try:
        return services.reminder_send_now(reminder_id=reminder_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            services.reminder_mark_failed(reminder_id=reminder_id, error=str(error))
            logger.error("Reminder %s failed after %d attempts: %s", reminder_id, self.max_retries, error)
        raise


@shared_task
def digests_send() -> int:
    return services.digests_send()


# --- caregivers ---


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def caregiver_message_send(self, message_id: int) -> bool:
    """Send a queued message to a caregiver, or refuse it, as the consent stands now; once only. After
    the last retry the message is marked failed."""
    try:
        return caregivers.caregiver_message_send_now(message_id=message_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            caregivers.caregiver_message_mark_failed(message_id=message_id, error=str(error))
        raise


# --- delivery receipts ---


@shared_task
def deliveries_poll() -> int:
    """Providers' delivery states of messages no receipt has reached (checkins.receipts)."""
    changed = receipts.deliveries_poll()
    if changed:
        logger.info("Polling found %d deliveries changed", changed)
    return changed
