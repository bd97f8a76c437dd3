"""Background work for case conferences: the summary to attendees, the next conference. Thin tasks."""

from celery import shared_task
from celery.utils.log import get_task_logger

from . import services

logger = get_task_logger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def conference_summary_email(conference_id: int) -> int:
    """Email a closed conference's summary to its attendees; idempotent, so a re-delivery sends once."""
    sent = services.conference_summary_send(conference_id=conference_id)
    logger.info("Conference %s summary sent to %d attendees", conference_id, sent)
    return sent


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def conferences_plan_next() -> int:
    """Plan the next conference of every active series that has none ahead."""
    planned = services.conferences_plan_next()
    logger.info("Planned %d case conferences", planned)
    return planned
