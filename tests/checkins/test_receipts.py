"""Delivery receipts applied to a reminder (checkins.receipts.delivery_update): order and duplicates, a
message that fails for now sent again at the patient's next contact moment, one that fails for good
flagging the contact and falling back to the channel the patient agreed to."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.test import override_settings

from careplans.services import preferences_save
from checkins import receipts, services
from checkins.models import Delivery, DeliveryStatus, Reminder
from teams.models import AuditEvent

from .factories import make_schedule

MOBILE = "+447400123456"
# Monday 2 March 2026, 18:00 GMT: the reminder's slot; it went at once.
DUE = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def sms_patient(patient):
    patient.mobile = MOBILE
    patient.save(update_fields=["mobile"])
    return patient


def sent_reminder(schedule, *, channel="sms", due=DUE, to=None) -> tuple[Reminder, Delivery]:
    """A reminder sent at its slot, with the delivery the provider took."""
    patient = schedule.patient
    reminder = Reminder.objects.create(
        schedule=schedule,
        patient=patient,
        due_at=due,
        channel=channel,
        status=Reminder.Status.SENT,
        sent_at=due,
        expires_at=due + timedelta(hours=72),
        token_hash=uuid.uuid4().hex,
        attempts=1,
        claimed_at=due,
        delivery_status=DeliveryStatus.SENT,
    )
    return reminder, another_delivery(reminder, channel=channel, to=to, at=due)


def another_delivery(reminder, *, channel=None, to=None, at=DUE) -> Delivery:
    channel = channel or reminder.channel
    patient = reminder.patient
    return Delivery.objects.create(
        reminder=reminder,
        channel=channel,
        backend="tests",
        to=to or (str(patient.mobile) if channel == "sms" else patient.email),
        reference=uuid.uuid4(),
        provider_id=f"provider-{uuid.uuid4().hex[:8]}",
        status=DeliveryStatus.SENT,
        status_at=at,
    )


def report(delivery, status, now, error=""):
    return receipts.delivery_update(delivery_id=delivery.pk, status=status, error=error, now=now)


def test_delivered_is_recorded_on_the_delivery_and_the_reminder_once(sms_patient):
    reminder, delivery = sent_reminder(make_schedule(sms_patient, channel="sms"))
    at = DUE + timedelta(seconds=40)
    assert report(delivery, "delivered", at)
    # The same receipt again (providers retry callbacks) changes nothing.
    assert not report(delivery, "delivered", at + timedelta(1))
    delivery.refresh_from_db()
    reminder.refresh_from_db()
    assert (delivery.status, delivery.status_at) == (DeliveryStatus.DELIVERED, at)
    assert (reminder.status, reminder.delivery_status) == (Reminder.Status.SENT, DeliveryStatus.DELIVERED)


def test_a_late_sent_never_undoes_delivered(sms_patient):
    reminder, delivery = sent_reminder(make_schedule(sms_patient, channel="sms"))
    delivery.status = DeliveryStatus.SENDING
    delivery.save(update_fields=["status"])
    report(delivery, "delivered", DUE)
    assert not report(delivery, "sent", DUE + timedelta(1))
    assert not report(delivery, "failed_temporary", DUE)
    reminder.refresh_from_db()
    assert Delivery.objects.get().status == reminder.delivery_status == DeliveryStatus.DELIVERED


def test_an_unknown_delivery_changes_nothing(db):
    assert not receipts.delivery_update(delivery_id=987654, status="delivered")


def test_failed_for_now_goes_again_at_once_inside_the_window(sms_patient, django_capture_on_commit_callbacks):
    reminder, delivery = sent_reminder(make_schedule(sms_patient, channel="sms"))
    at = DUE + timedelta(minutes=30)  # 18:30, no quiet hours yet
    with django_capture_on_commit_callbacks() as queued:
        report(delivery, "failed_temporary", at, error="Phone off")
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.delivery_status == DeliveryStatus.FAILED_TEMPORARY
    assert reminder.claimed_at == at and reminder.channel == "sms"
    assert "Phone off" in reminder.last_error
    assert len(queued) == 1
    assert Delivery.objects.get().error == "Phone off"


def test_failed_for_now_in_quiet_hours_waits_for_their_end(sms_patient, django_capture_on_commit_callbacks):
    schedule = make_schedule(sms_patient, channel="sms", quiet_start=time(21, 0), quiet_end=time(8, 0))
    reminder, delivery = sent_reminder(schedule)
    with django_capture_on_commit_callbacks() as queued:
        report(delivery, "failed_temporary", utc(2026, 3, 2, 22, 30))
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.claimed_at == utc(2026, 3, 3, 8, 0)  # Tuesday 08:00 GMT
    # Nearly ten hours ahead: not published with an ETA; neither dispatcher nor reconciler hands it out
    # before its moment, the reconciler does after it.
    assert queued == []
    assert services.reminders_dispatch(now=utc(2026, 3, 3, 7, 59)) == []
    assert services.reminders_reconcile(now=utc(2026, 3, 3, 7, 59)) == []
    assert services.reminders_reconcile(now=utc(2026, 3, 3, 8, 11)) == [reminder.pk]


def test_failed_for_now_soon_before_the_quiet_hours_end_is_published_for_then(
    sms_patient, django_capture_on_commit_callbacks, monkeypatch
):
    schedule = make_schedule(sms_patient, channel="sms", quiet_start=time(21, 0), quiet_end=time(8, 0))
    reminder, delivery = sent_reminder(schedule)
    published = []
    monkeypatch.setattr(receipts, "_publish_at", lambda reminder_id, at: published.append((reminder_id, at)))
    with django_capture_on_commit_callbacks(execute=True):
        report(delivery, "failed_temporary", utc(2026, 3, 3, 7, 30))
    assert published == [(reminder.pk, utc(2026, 3, 3, 8, 0))]


def test_failed_for_now_across_the_spring_change_keeps_the_local_window(
    sms_patient, clinician, django_capture_on_commit_callbacks
):
    schedule = make_schedule(sms_patient, channel="sms", quiet_start=time(21, 0), quiet_end=time(8, 0))
    preferences_save(
        patient=sms_patient,
        user=clinician,
        data={"contact_from": time(9, 0), "contact_until": time(12, 0)},
        expected_version=0,
    )
    # Saturday 28 March 2026, 18:00 GMT; it fails for now at 23:30 GMT, the night the clocks go forward.
    reminder, delivery = sent_reminder(schedule, due=utc(2026, 3, 28, 18, 0))
    report(delivery, "failed_temporary", utc(2026, 3, 28, 23, 30))
    reminder.refresh_from_db()
    # Sunday 09:00 BST, the window's start, is 08:00 UTC (not 09:00 as it would be in winter).
    assert reminder.claimed_at == utc(2026, 3, 29, 8, 0)


def test_failed_for_now_across_the_autumn_change_keeps_the_local_window(sms_patient, clinician):
    schedule = make_schedule(sms_patient, channel="sms")
    preferences_save(
        patient=sms_patient,
        user=clinician,
        data={"contact_from": time(9, 30), "contact_until": time(11, 0)},
        expected_version=0,
    )
    # Saturday 24 October 2026 09:30 BST; fails at 11:30 BST, after the window: Sunday 09:30 GMT.
    reminder, delivery = sent_reminder(schedule, due=utc(2026, 10, 24, 8, 30))
    report(delivery, "failed_temporary", utc(2026, 10, 24, 10, 30))
    reminder.refresh_from_db()
    assert reminder.claimed_at == utc(2026, 10, 25, 9, 30)


@override_settings(REMINDER_DELIVERY_RETRIES=2)
def test_failed_for_now_is_retried_at_most_the_setting_then_fails(sms_patient):
    reminder, delivery = sent_reminder(make_schedule(sms_patient, channel="sms"))
    at = DUE
    for _ in range(2):
        at += timedelta(minutes=10)
        report(delivery, "failed_temporary", at)
        reminder.refresh_from_db()
        assert reminder.status == Reminder.Status.PENDING
        # The send flow sends it again: a new delivery the provider takes.
        Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.SENT)
        delivery = another_delivery(reminder, at=at)
    report(delivery, "failed_temporary", at, error="Busy")
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    assert "after 2 retries" in reminder.last_error


def test_failed_for_now_too_late_for_the_link_fails(sms_patient):
    schedule = make_schedule(sms_patient, channel="sms", quiet_start=time(21, 0), quiet_end=time(8, 0))
    reminder, delivery = sent_reminder(schedule)
    # Two days and a half later, 22:00: the next morning would be past the link's 72 hours.
    report(delivery, "failed_temporary", utc(2026, 3, 5, 22, 0))
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    assert "before the link would expire" in reminder.last_error


def test_failed_for_now_before_the_provider_took_it_is_left_to_the_send_task(sms_patient):
    reminder, delivery = sent_reminder(make_schedule(sms_patient, channel="sms"))
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.PENDING)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, provider_id="")
    report(delivery, "failed_temporary", DUE)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.claimed_at) == (Reminder.Status.PENDING, DUE)


def test_failed_for_good_flags_the_number_and_fails_without_a_fallback(sms_patient):
    reminder, delivery = sent_reminder(make_schedule(sms_patient, channel="sms"))
    at = DUE + timedelta(minutes=2)
    report(delivery, "failed_permanent", at, error="Not a mobile number")
    sms_patient.refresh_from_db()
    reminder.refresh_from_db()
    assert (sms_patient.mobile_failed_at, sms_patient.mobile_failed_reason) == (at, "Not a mobile number")
    assert sms_patient.email_failed_at is None
    assert reminder.status == Reminder.Status.FAILED
    assert reminder.last_error == f"The number {MOBILE} cannot be reached: Not a mobile number"
    event = AuditEvent.objects.filter(patient=sms_patient, object_type="patient").latest("id")
    assert event.username == "delivery receipt"
    assert event.changed_fields == ["mobile_failed_at", "mobile_failed_reason"]


def test_failed_for_good_goes_by_the_fallback_the_patient_agreed_to(
    sms_patient, django_capture_on_commit_callbacks
):
    schedule = make_schedule(
        sms_patient, channel="sms", fallback_channel="email", fallback_consent_given_on=date(2026, 2, 1)
    )
    reminder, delivery = sent_reminder(schedule)
    with django_capture_on_commit_callbacks() as queued:
        report(delivery, "failed_permanent", DUE, error="Dead")
    reminder.refresh_from_db()
    assert (reminder.status, reminder.channel, reminder.claimed_at) == (Reminder.Status.PENDING, "email", DUE)
    assert "going by Email instead" in reminder.last_error
    assert len(queued) == 1
    # The fallback's own message failing for good too ends it: no way back to the first channel.
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.SENT)
    by_email = another_delivery(reminder, channel="email")
    report(by_email, "failed_permanent", DUE, error="Bounced")
    reminder.refresh_from_db()
    sms_patient.refresh_from_db()
    assert (reminder.status, reminder.channel) == (Reminder.Status.FAILED, "email")
    assert sms_patient.mobile_failed_at is not None and sms_patient.email_failed_reason == "Bounced"


def test_no_fallback_without_consent_or_with_its_contact_flagged(sms_patient):
    schedule = make_schedule(sms_patient, channel="sms", fallback_channel="email")
    reminder, delivery = sent_reminder(schedule)
    report(delivery, "failed_permanent", DUE)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED

    schedule.fallback_consent_given_on = date(2026, 2, 1)
    schedule.save(update_fields=["fallback_consent_given_on"])
    sms_patient.refresh_from_db()
    sms_patient.mobile_failed_at = None
    sms_patient.email_failed_at = DUE
    sms_patient.save(update_fields=["mobile_failed_at", "email_failed_at"])
    second, delivery = sent_reminder(schedule, due=DUE + timedelta(days=1))
    report(delivery, "failed_permanent", DUE + timedelta(days=1))
    second.refresh_from_db()
    assert second.status == Reminder.Status.FAILED


def test_a_send_refused_for_good_falls_back_while_the_reminder_is_still_pending(sms_patient):
    schedule = make_schedule(
        sms_patient, channel="sms", fallback_channel="email", fallback_consent_given_on=date(2026, 2, 1)
    )
    reminder, delivery = sent_reminder(schedule)
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.PENDING, delivery_status="sending")
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, provider_id="")
    report(delivery, "failed_permanent", DUE, error="Invalid")
    reminder.refresh_from_db()
    assert (reminder.status, reminder.channel) == (Reminder.Status.PENDING, "email")


def test_a_completed_reminder_stays_completed_but_the_number_is_flagged(sms_patient):
    reminder, delivery = sent_reminder(make_schedule(sms_patient, channel="sms"))
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.COMPLETED, completed_at=DUE)
    report(delivery, "failed_permanent", DUE)
    reminder.refresh_from_db()
    sms_patient.refresh_from_db()
    assert reminder.status == Reminder.Status.COMPLETED
    assert reminder.delivery_status == DeliveryStatus.FAILED_PERMANENT
    assert sms_patient.mobile_failed_at == DUE


def test_a_number_changed_since_the_message_is_not_flagged(sms_patient):
    reminder, delivery = sent_reminder(make_schedule(sms_patient, channel="sms"), to="+447700900999")
    report(delivery, "failed_permanent", DUE)
    sms_patient.refresh_from_db()
    assert sms_patient.mobile_failed_at is None


def test_an_older_messages_late_receipt_leaves_the_reminder_to_the_newer(sms_patient):
    schedule = make_schedule(
        sms_patient, channel="sms", fallback_channel="email", fallback_consent_given_on=date(2026, 2, 1)
    )
    reminder, first = sent_reminder(schedule)
    report(first, "failed_temporary", DUE)
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.SENT)
    second = another_delivery(reminder, at=DUE + timedelta(minutes=5))
    report(second, "delivered", DUE + timedelta(minutes=6))
    # The first one's report comes last, out of order, and changes only its own row.
    assert not report(first, "failed_permanent", DUE)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.delivery_status) == (Reminder.Status.SENT, DeliveryStatus.DELIVERED)


def test_no_second_go_once_the_patient_stopped_reminders(sms_patient):
    schedule = make_schedule(sms_patient, channel="sms")
    reminder, delivery = sent_reminder(schedule)
    services.schedule_opt_out(schedule=schedule)
    report(delivery, "failed_temporary", DUE)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    assert "no longer takes reminders" in reminder.last_error
