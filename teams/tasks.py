"""Background work for teams: expired sessions, conference summaries, the next conference. Thin tasks."""

from celery import shared_task
from celery.utils.log import get_task_logger
from django.contrib.sessions.models import Session
from django.utils import timezone

from . import services
from .models import ConferenceSeries

logger = get_task_logger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def sessions_clear_expired() -> int:
    """Delete sessions past their expiry, so signed-out staff leave no live session rows behind."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    logger.info("Cleared %d expired sessions", deleted)
    return deleted


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def conference_summary_email(conference_id: int) -> int:
    """Email a closed conference's summary to its attendees; idempotent, so a re-delivery sends once."""
    sent = services.conference_summary_send(conference_id=conference_id)
    logger.info("Conference %s summary sent to %d attendees", conference_id, sent)
    return sent


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def emergency_access_notify(access_id: int) -> int:
    """Tell the patient's team leads and the clinic admins that someone broke the glass."""
    sent = services.emergency_access_notify_send(access_id=access_id)
    logger.info("Emergency access %s reported to %d people", access_id, sent)
    return sent


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def patient_moved_notify(patient_id: int, from_team_id: int, moved_by_id: int) -> int:
    """Tell the leads of the team a patient was moved out of."""
    sent = services.patient_moved_notify_send(
        patient_id=patient_id, from_team_id=from_team_id, moved_by_id=moved_by_id
    )
    logger.info("Patient %s moved out of team %s: %d leads told", patient_id, from_team_id, sent)
    return sent


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def conferences_plan_next() -> int:
    """Plan the next conference of every active series that has none ahead."""
    planned = sum(
        services.conference_plan_next(series=series) is not None
        for series in ConferenceSeries.objects.filter(active=True)
    )
    logger.info("Planned %d case conferences", planned)
    return planned
