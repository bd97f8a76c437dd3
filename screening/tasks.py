"""Background work for screening: thin tasks that take ids and call a service."""

from celery import shared_task
from celery.utils.log import get_task_logger

from . import services

logger = get_task_logger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def alert_notify(alert_id: int) -> bool:
    """Email the team about an urgent alert; idempotent, so a retry or a re-delivery sends once."""
    sent = services.alert_notify_send(alert_id=alert_id)
    logger.info("Alert %s notification %s", alert_id, "sent" if sent else "already sent")
    return sent
