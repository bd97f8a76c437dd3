"""The reminder log shows each reminder's delivery state and every message handed to a provider for it
(channel, to, status, when, error), with the same queries whatever the number of reminders and messages."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from checkins import receipts
from checkins.models import Reminder

from .factories import make_schedule
from .test_receipts import DUE, MOBILE, another_delivery, sent_reminder


def log_url(patient):
    return reverse("checkin_reminders", kwargs={"patient_id": patient.pk})


def page_text(response) -> str:
    return " ".join(strip_tags(response.text).split())


def sms_schedule(patient, **kwargs):
    patient.mobile = MOBILE
    patient.save(update_fields=["mobile"])
    return make_schedule(patient, channel="sms", **kwargs)


def test_the_log_shows_a_retry_and_a_fallback_message_by_message(login, clinician, patient):
    schedule = sms_schedule(patient, fallback_channel="email", fallback_consent_given_on=date(2026, 2, 1))
    retried, first = sent_reminder(schedule)
    receipts.delivery_update(delivery_id=first.pk, status="failed_temporary", error="Phone off", now=DUE)
    Reminder.objects.filter(pk=retried.pk).update(status=Reminder.Status.SENT)
    second = another_delivery(retried, at=DUE + timedelta(hours=1))
    receipts.delivery_update(delivery_id=second.pk, status="delivered", now=DUE + timedelta(hours=1))

    fell_back, by_sms = sent_reminder(schedule, due=DUE + timedelta(days=1))
    receipts.delivery_update(
        delivery_id=by_sms.pk, status="failed_permanent", error="Unknown number", now=DUE + timedelta(days=1)
    )
    Reminder.objects.filter(pk=fell_back.pk).update(status=Reminder.Status.SENT)
    another_delivery(fell_back, channel="email", at=DUE + timedelta(days=1))

    text = page_text(login(clinician).get(log_url(patient)))
    assert f"SMS to {MOBILE}: Failed for now, retrying, 2 Mar 2026, 18:00 (Phone off)" in text
    assert f"SMS to {MOBILE}: Delivered, 2 Mar 2026, 19:00" in text
    assert f"SMS to {MOBILE}: Failed permanently, 3 Mar 2026, 18:00 (Unknown number)" in text
    assert f"Email to {patient.email}: Sent" in text
    # The number is flagged above the log.
    assert f"Texts to {MOBILE} cannot be delivered: Unknown number" in text


def test_the_log_shows_a_reminder_failed_for_good(login, clinician, patient):
    reminder, delivery = sent_reminder(sms_schedule(patient))
    receipts.delivery_update(delivery_id=delivery.pk, status="failed_permanent", error="Not mobile", now=DUE)
    text = login(clinician).get(log_url(patient)).text
    assert ">Failed</span>" in text and "Failed permanently" in text
    assert f"The number {MOBILE} cannot be reached: Not mobile" in text


def test_the_log_of_another_teams_patient_is_not_found(login, outsider, patient):
    sent_reminder(sms_schedule(patient))
    assert login(outsider).get(log_url(patient)).status_code == 404


def test_the_log_runs_the_same_queries_for_2_or_20_reminders_with_their_messages(
    login, clinician, patient, django_assert_max_num_queries
):
    schedule = sms_schedule(patient)
    client = login(clinician)

    def add(days):
        for day in days:
            reminder, _delivery = sent_reminder(schedule, due=DUE + timedelta(days=day))
            another_delivery(reminder, channel="email")

    add(range(2))
    with CaptureQueriesContext(connection) as two:
        assert client.get(log_url(patient)).status_code == 200
    add(range(2, 20))
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(log_url(patient))
    assert page_text(response).count("Email to ") == 20
    assert len(two) == len(twenty)
    with django_assert_max_num_queries(len(twenty)):
        client.get(log_url(patient))
