"""Background work for teams: expired sessions, emergency-access and patient-moved notices. Thin tasks."""

from celery import shared_task
from celery.utils.log import get_task_logger

from . import services, sessions

logger = get_task_logger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def sessions_clear_expired() -> int:
    """Delete sessions and API tokens past their expiry."""
    deleted = sessions.sessions_clear_expired()
    logger.info("Cleared %d expired sessions and tokens", deleted)
    return deleted


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
