"""Background work for screening: thin tasks that take ids and call a service.

``escalation_send`` acknowledges late and is rejected back to the queue if its worker dies, and its
retries back off to ten minutes at most, well inside Redis's visibility timeout; a step whose worker
vanished altogether is handed out again by ``escalations_reconcile``.
"""

from celery import shared_task
from celery.utils.log import get_task_logger

from . import escalation, services

logger = get_task_logger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def alert_notify(alert_id: int) -> bool:
    """Email the team about an urgent alert; idempotent, so a retry or a re-delivery sends once."""
    sent = services.alert_notify_send(alert_id=alert_id)
    logger.info("Alert %s notification %s", alert_id, "sent" if sent else "not sent")
    return sent


@shared_task
def escalations_dispatch() -> int:
    claimed = escalation.escalations_dispatch()
    if claimed:
        logger.info("Dispatched %d urgent-alert escalations", len(claimed))
    return len(claimed)


@shared_task
def escalations_reconcile() -> int:
    requeued = escalation.escalations_reconcile()
    if requeued:
        logger.warning("Re-queued %d urgent-alert escalations left unsent by a lost worker", len(requeued))
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
def escalation_send(self, escalation_id: int) -> bool:
    try:
        return escalation.escalation_send_now(escalation_id=escalation_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            escalation.escalation_note_error(escalation_id=escalation_id, error=str(error))
            logger.error("Escalation %s failed after %d attempts: %s", escalation_id, self.max_retries, error)
        raise
