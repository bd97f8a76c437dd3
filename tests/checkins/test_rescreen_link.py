"""A follow-up screening sent by link: the patient's next reminder on or after its day carries it (with
their consent only), after any battery due and never twice, and the answers sent by the link complete
it through routing's receiver."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from checkins import selectors, services
from checkins.models import Reminder
from routing.models import Rescreen
from screening.batteries import batteries_ensure
from screening.instruments import INSTRUMENTS
from screening.models import Battery, Screening
from teams.models import AuditEvent

from ..screening.factories import lowest_answers, record
from .factories import make_schedule

# 18:00 in London on 2 and 3 March 2026 (winter time): the schedule's daily slot.
MONDAY = datetime(2026, 3, 2, 18, 0, 30, tzinfo=UTC)
TUESDAY = MONDAY + timedelta(days=1)
CHECKIN = {"mood": 6, "pain": 3, "sleep_quality": 7, "sleep_hours": 7}


@pytest.fixture
def consenting(patient, clinician):
    """A patient who agreed to reminders, intake done (no battery due), with a PHQ-9 re-screen due on
    Tuesday 3 March."""
    batteries_ensure(Battery)
    record(patient, clinician, code="PHQ-4", answers=lowest_answers("PHQ-4"))
    make_schedule(patient)
    with time_machine.travel(MONDAY - timedelta(days=28), tick=False):  # when the finding asked for it
        return Rescreen.objects.create(patient=patient, instrument="PHQ-9", due_on=date(2026, 3, 3))


def _sent(now: datetime) -> Reminder:
    [reminder_id] = services.reminders_dispatch(now=now)
    services.reminder_send_now(reminder_id=reminder_id, now=now)
    return Reminder.objects.get(pk=reminder_id)


def _token() -> str:
    return re.search(r"/r/([\w-]+)/", mail.outbox[-1].body).group(1)


def test_the_first_reminder_on_or_after_the_due_day_carries_the_rescreen(consenting):
    monday = _sent(MONDAY)
    assert monday.rescreen_instruments == [] and not monday.has_questionnaire
    assert "some questions" not in mail.outbox[-1].body

    tuesday = _sent(TUESDAY)
    assert tuesday.battery is None
    assert tuesday.rescreen_instruments == ["PHQ-9"]
    assert "time for your check-in and some questions about how you are" in mail.outbox[-1].body
    assert "you can pause and carry on later" in mail.outbox[-1].body
    # Missed on Tuesday (not answered): Wednesday's reminder asks again.
    assert _sent(TUESDAY + timedelta(days=1)).rescreen_instruments == ["PHQ-9"]


def test_without_consent_the_reminder_does_not_carry_it(consenting, patient):
    [reminder_id] = services.reminders_dispatch(now=TUESDAY)
    # Consent withdrawn after the reminder was made, before it went out.
    patient.consent_to_reminders, patient.reminder_consent_given_on = False, None
    patient.save(update_fields=["consent_to_reminders", "reminder_consent_given_on"])
    services.reminder_send_now(reminder_id=reminder_id, now=TUESDAY)
    assert Reminder.objects.get(pk=reminder_id).rescreen_instruments == []
    # And no reminder is made at all while they do not consent.
    assert services.reminders_dispatch(now=TUESDAY + timedelta(days=1)) == []


def test_a_battery_due_and_rescreens_share_one_link_without_asking_twice(patient, clinician):
    batteries_ensure(Battery)
    Battery.objects.filter(name="Intake").update(instruments=["PHQ-9", "GAD-7"])  # intake due: none yet
    make_schedule(patient)
    for code in ("PCS", "PHQ-9"):
        Rescreen.objects.create(patient=patient, instrument=code, due_on=date(2026, 3, 1))

    reminder = _sent(MONDAY)

    assert reminder.battery.name == "Intake"
    assert reminder.rescreen_instruments == ["PCS", "PHQ-9"]
    assert [i.code for i in selectors.reminder_instruments(reminder=reminder)] == ["PHQ-9", "GAD-7", "PCS"]
    assert selectors.questionnaire_timepoint(reminder=reminder, code="PHQ-9") == "intake"
    assert selectors.questionnaire_timepoint(reminder=reminder, code="PCS") == "adhoc"
    # The time promised counts each question once: 5 check-in, 9 + 7 + 13 items = 34, 340 s.
    assert "It takes about 6 minutes" in mail.outbox[-1].body


def test_answers_by_the_link_complete_the_rescreen(consenting):
    _sent(TUESDAY)
    token = _token()
    phone = Client(REMOTE_ADDR="192.0.2.80")
    questionnaire = reverse("checkin_questionnaire", args=[token])
    later = TUESDAY + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        to_questions = phone.post(reverse("checkin_form", args=[token]), CHECKIN)
        page = phone.get(questionnaire).text
        answers = {f"PHQ-9:{item.number}": "1" for item in INSTRUMENTS["PHQ-9"].items} | {"PHQ-9:9": "0"}
        done = phone.post(questionnaire, {"part": "1"} | answers)

    assert to_questions.url == reverse("checkin_questionnaire", args=[token])
    assert "Part 1 of 1" in page and "How you have been feeling" in page
    assert "Thank you" in done.text
    rescreen = Rescreen.objects.get(pk=consenting.pk)
    result = Screening.objects.get(source=Screening.Source.PATIENT)
    assert (result.instrument, result.total, result.timepoint) == ("PHQ-9", 8, "adhoc")
    assert rescreen.state == Rescreen.State.DONE
    assert (rescreen.screening, rescreen.done_at) == (result, later)
    event = AuditEvent.objects.filter(object_type="rescreen", object_id=str(rescreen.pk)).latest("id")
    assert (event.actor, event.username) == (None, "patient link")
    # Done: the next reminder carries nothing.
    assert _sent(TUESDAY + timedelta(days=1)).rescreen_instruments == []


def test_the_reminder_log_names_the_rescreens_a_reminder_carried(consenting, patient, clinician, client):
    _sent(TUESDAY)
    client.force_login(clinician)
    page = client.get(reverse("checkin_reminders", args=[patient.pk])).text
    assert "re-screen: PHQ-9" in page
