"""A real Celery worker, in its own process, against the real Redis and the test database."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from teams.tasks import sessions_clear_expired

from ..celery_processes import wait_for

pytestmark = pytest.mark.process


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_task_end_to_end(celery_worker_process):
    expired = SessionStore()
    expired["note"] = "stale"
    expired.set_expiry(1)
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(hours=1)
    )
    live = SessionStore()
    live.create()

    result = sessions_clear_expired.apply_async(ignore_result=False)
    assert result.get(timeout=60) == 1

    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=live.session_key).exists()
    assert celery_worker_process.poll() is None


@pytest.mark.django_db(transaction=True)
def test_urgent_alert_email_is_sent_by_the_worker_after_commit(
    celery_worker_process, worker_mail_dir, patient, clinician, colleague
):
    from screening.models import Alert
    from screening.services import screening_record

    colleague.email = "psych@clinic.example"
    colleague.save(update_fields=["email"])
    answers = {str(n): 0 for n in range(1, 9)} | {"9": 2}
    screening_record(
        patient=patient, instrument_code="PHQ-9", timepoint="adhoc", answers=answers, entered_by=clinician
    )
    alert = Alert.objects.get(kind=Alert.Kind.URGENT)
    wait_for(lambda: Alert.objects.get(pk=alert.pk).notified_at is not None)
    sent = "".join(path.read_text() for path in worker_mail_dir.iterdir())
    assert "urgent safety alert in North MSK" in sent
    assert "psych@clinic.example" in sent


@pytest.mark.django_db(transaction=True)
def test_closing_a_conference_has_the_worker_email_the_summary_to_attendees(
    celery_worker_process, worker_mail_dir, north, patient, lead, colleague
):
    from conferences import services
    from conferences.models import CaseConference

    colleague.email = "psych@clinic.example"
    colleague.save(update_fields=["email"])
    conference = services.conference_plan(
        team=north,
        starts_at=timezone.now() + timedelta(hours=1),
        chair=lead,
        attendees=[colleague],
        user=lead,
    )
    conference = services.conference_start(conference=conference, user=lead)
    item = services.agenda_item_add(conference=conference, patient=patient, user=lead)
    services.note_save(item=item, data={"decisions": "Refer for graded exposure"}, user=lead)
    services.conference_close(conference=conference, user=lead)

    wait_for(lambda: CaseConference.objects.get(pk=conference.pk).summary_sent_at is not None)
    sent = "".join(path.read_text() for path in worker_mail_dir.iterdir())
    assert "summary of the North MSK case conference" in sent
    assert "Decisions: Refer for graded exposure" in sent
    assert "psych@clinic.example" in sent
