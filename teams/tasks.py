"""Background work for the spine. Tasks take ids, call a service and log."""

from celery import shared_task
from celery.utils.log import get_task_logger
from django.contrib.sessions.models import Session
from django.utils import timezone

logger = get_task_logger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def sessions_clear_expired() -> int:
    """Delete sessions past their expiry, so signed-out staff leave no live session rows behind."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    logger.info("Cleared %d expired sessions", deleted)
    return deleted
