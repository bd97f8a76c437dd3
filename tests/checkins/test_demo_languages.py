"""The demo has Polish-speaking North MSK patients, each sent a reminder in Polish (`make run` shows it in
/dev/outbox/), whose link opens a Polish check-in."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from checkins.models import OutboxMessage, Reminder
from teams.models import Language, Patient

pytestmark = pytest.mark.slow


def _messages_to(patient: Patient) -> list[str]:
    outbox = OutboxMessage.objects.filter(to__in=[patient.email, str(patient.mobile)]).values_list(
        "body", flat=True
    )
    sent = [m.body for m in mail.outbox if patient.email in m.to]
    return [*outbox, *sent]


def test_the_demo_sends_polish_patients_a_polish_reminder_once(client, db, settings):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "checkins.backends.OutboxEmailBackend"
    call_command("seed_demo")
    polish = list(
        Patient.objects.filter(
            language=Language.POLISH, team__name="North MSK", checkin_schedule__isnull=False
        )
    )
    assert len(polish) >= 2
    for patient in polish:
        bodies = [body for body in _messages_to(patient) if "/r/" in body]
        assert bodies, f"no reminder sent to {patient}"
        assert "ankiet" in bodies[-1] and "check-in" not in bodies[-1]
    token = re.search(r"/r/([\w-]+)/", bodies[-1]).group(1)
    page = client.get(f"/r/{token}/")
    assert page.status_code == 200 and '<html lang="pl">' in page.text
    reminders = Reminder.objects.count()
    call_command("seed_demo")
    assert Reminder.objects.count() == reminders  # again: nothing sent twice
