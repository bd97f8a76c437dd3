"""Messages to caregivers: queued, then sent or refused by the patient's consent as it stands at the moment
of sending (issue 20's acceptance point: a scope checked at send time)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from careplans.models import Caregiver, CaregiverScope
from careplans.services import caregiver_consent_withdraw, part_create, part_update
from checkins import caregivers
from checkins.models import CaregiverMessage, OutboxMessage
from checkins.tasks import caregiver_message_send
from teams.models import AuditEvent
from tests.careplans.factories import make_plan

# A Monday in November, 10:00 in London (GMT): the day the consent is checked on.
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def email_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "checkins.backends.OutboxSMSBackend"


@pytest.fixture
def plan(patient, clinician):
    return make_plan(patient, clinician)


def _caregiver(plan, user, **kwargs) -> Caregiver:
    fields = {
        "name": "Maria",
        "relationship": "daughter",
        "contact": "maria@example.org",
        "consent_scopes": [CaregiverScope.PROGRESS_REPORTS, CaregiverScope.APPOINTMENT_REMINDERS],
        "consent_given_by": "the patient",
        "consent_given_on": date(2026, 11, 2),
        "consent_recorded_how": "written",
    }
    return part_create(instance=Caregiver(plan=plan, **(fields | kwargs)), user=user)


def _queue(caregiver, user, scope=CaregiverScope.APPOINTMENT_REMINDERS) -> CaregiverMessage:
    return caregivers.caregiver_message_queue(
        caregiver=caregiver, scope=scope, subject="Next appointments", body="Tuesday at 10:00", user=user
    )


def test_queueing_records_the_message_and_hands_it_to_the_worker_after_commit(
    plan, clinician, django_capture_on_commit_callbacks, monkeypatch
):
    caregiver = _caregiver(plan, clinician)
    handed: list[tuple] = []
    monkeypatch.setattr("core.queue.enqueue", lambda task, *args: handed.append((task, *args)))
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(caregiver, clinician)
    assert message.status == CaregiverMessage.Status.QUEUED
    assert message.patient == plan.patient and message.queued_by == clinician
    assert handed == [("checkins.tasks.caregiver_message_send", message.pk)]
    assert AuditEvent.objects.filter(
        object_type="caregivermessage", object_id=str(message.pk), action=AuditEvent.Action.CREATE
    ).exists()
    assert not mail.outbox  # nothing leaves before the worker's check


def test_a_consented_message_is_sent_by_email_and_audited(plan, clinician):
    caregiver = _caregiver(plan, clinician)
    message = _queue(caregiver, clinician)
    with time_machine.travel(NOW, tick=False):
        assert caregivers.caregiver_message_send_now(message_id=message.pk) is True
    message.refresh_from_db()
    assert message.status == CaregiverMessage.Status.SENT and message.sent_at == NOW
    assert [m.to for m in mail.outbox] == [["maria@example.org"]]
    assert mail.outbox[0].subject == "Next appointments" and mail.outbox[0].body == "Tuesday at 10:00"
    assert AuditEvent.objects.filter(
        object_type="caregivermessage", object_id=str(message.pk), changed_fields=["sent_at", "status"]
    ).exists()


def test_a_mobile_number_gets_an_sms(plan, clinician):
    caregiver = _caregiver(plan, clinician, contact="07911 123456")
    message = _queue(caregiver, clinician)
    with time_machine.travel(NOW, tick=False):
        assert caregivers.caregiver_message_send_now(message_id=message.pk) is True
    sms = OutboxMessage.objects.get()
    assert sms.channel == "sms" and sms.to == "+447911123456" and "Tuesday at 10:00" in sms.body
    assert not mail.outbox


def test_a_message_queued_before_a_withdrawal_and_sent_after_it_is_refused(plan, clinician, colleague):
    caregiver = _caregiver(plan, clinician)
    message = _queue(caregiver, clinician)
    # The withdrawal refuses what is queued at once; a worker already holding the id finds it so.
    with time_machine.travel(NOW, tick=False):
        withdrawal = caregiver_consent_withdraw(caregiver=caregiver, user=colleague, note="asked today")
        message.refresh_from_db()
        assert withdrawal.refused == 1
        assert message.status == CaregiverMessage.Status.REFUSED
        assert message.refused_reason == "consent withdrawn on 30 Nov 2026"
        assert caregivers.caregiver_message_send_now(message_id=message.pk) is False
    assert not mail.outbox


def test_a_message_whose_refusal_the_withdrawal_missed_is_refused_when_sent(plan, clinician, colleague):
    """Say the message was committed just after the withdrawal's bulk refusal: the check at sending
    decides."""
    caregiver = _caregiver(plan, clinician)
    with time_machine.travel(NOW, tick=False):
        caregiver_consent_withdraw(caregiver=caregiver, user=colleague)
    caregiver.refresh_from_db()
    late = _queue(caregiver, clinician)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert caregivers.caregiver_message_send_now(message_id=late.pk) is False
    late.refresh_from_db()
    assert late.status == CaregiverMessage.Status.REFUSED
    assert late.refused_reason == "consent withdrawn on 30 Nov 2026"
    assert not mail.outbox
    assert AuditEvent.objects.filter(
        object_type="caregivermessage", object_id=str(late.pk), changed_fields=["refused_reason", "status"]
    ).exists()


def test_a_consent_past_its_end_refuses_the_message(plan, clinician):
    caregiver = _caregiver(plan, clinician, consent_until=date(2026, 11, 29))
    message = _queue(caregiver, clinician)
    with time_machine.travel(NOW, tick=False):
        assert caregivers.caregiver_message_send_now(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == CaregiverMessage.Status.REFUSED
    assert message.refused_reason == "consent ended on 29 Nov 2026"
    assert not mail.outbox


def test_the_last_day_of_a_consent_still_sends(plan, clinician):
    caregiver = _caregiver(plan, clinician, consent_until=date(2026, 11, 30))
    message = _queue(caregiver, clinician)
    # 23:30 in London on the last day (GMT: the same as UTC in November).
    with time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), tick=False):
        assert caregivers.caregiver_message_send_now(message_id=message.pk) is True


def test_a_scope_not_given_is_refused_while_another_scope_goes(plan, clinician):
    caregiver = _caregiver(plan, clinician, consent_scopes=[CaregiverScope.APPOINTMENT_REMINDERS])
    education = _queue(caregiver, clinician, scope=CaregiverScope.EDUCATION)
    reminder = _queue(caregiver, clinician, scope=CaregiverScope.APPOINTMENT_REMINDERS)
    with time_machine.travel(NOW, tick=False):
        assert caregivers.caregiver_message_send_now(message_id=education.pk) is False
        assert caregivers.caregiver_message_send_now(message_id=reminder.pk) is True
    education.refresh_from_db()
    reminder.refresh_from_db()
    assert (education.status, education.refused_reason) == ("refused", "no consent to education")
    assert reminder.status == "sent"
    assert len(mail.outbox) == 1


def test_the_scope_is_read_when_sending_not_when_queueing(plan, clinician):
    """Queued with the scope consented, the scope then taken away: refused."""
    caregiver = _caregiver(plan, clinician)
    message = _queue(caregiver, clinician, scope=CaregiverScope.PROGRESS_REPORTS)
    part_update(
        instance=caregiver,
        data={"consent_scopes": [CaregiverScope.APPOINTMENT_REMINDERS]},
        expected_version=caregiver.version,
        user=clinician,
    )
    with time_machine.travel(NOW, tick=False):
        assert caregivers.caregiver_message_send_now(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.refused_reason == "no consent to progress reports"


def test_a_contact_that_is_neither_email_nor_mobile_is_refused(plan, clinician):
    caregiver = _caregiver(plan, clinician, contact="via the patient")
    message = _queue(caregiver, clinician)
    with time_machine.travel(NOW, tick=False):
        assert caregivers.caregiver_message_send_now(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.refused_reason == "no email address or mobile number to send to"


def test_a_redelivered_task_sends_once(plan, clinician):
    caregiver = _caregiver(plan, clinician)
    message = _queue(caregiver, clinician)
    with time_machine.travel(NOW, tick=False):
        first = caregiver_message_send.apply(args=[message.pk])
        again = caregiver_message_send.apply(args=[message.pk])
    assert (first.get(), again.get()) == (True, False)
    assert len(mail.outbox) == 1
    assert (
        AuditEvent.objects.filter(object_type="caregivermessage", object_id=str(message.pk)).count() == 2
    )  # queued, sent


def test_a_message_whose_sending_keeps_failing_is_marked_failed_after_the_last_retry(
    plan, clinician, monkeypatch
):
    attempts = []

    def refused(**kwargs):
        attempts.append(CaregiverMessage.objects.get().status)  # as each attempt found it
        raise ConnectionRefusedError("SMTP server refused the connection")

    monkeypatch.setattr(caregivers, "send_mail", refused)
    message = _queue(_caregiver(plan, clinician), clinician)
    with time_machine.travel(NOW, tick=False):
        caregiver_message_send.apply(args=[message.pk])  # eager: the retries run at once
    message.refresh_from_db()
    # Every retry still found it queued; only after the last is it failed, with the error.
    assert attempts == [CaregiverMessage.Status.QUEUED] * (caregiver_message_send.max_retries + 1)
    assert message.status == CaregiverMessage.Status.FAILED
    assert "refused the connection" in message.refused_reason
    assert mail.outbox == []


def test_appointment_reminders_list_the_upcoming_sessions_only(plan, patient, clinician):
    from adherence.models import Session

    caregiver = _caregiver(plan, clinician)
    Session.objects.create(
        patient=patient, clinician=clinician, discipline="physiotherapist", starts_at=NOW + timedelta(days=2)
    )
    Session.objects.create(
        patient=patient, clinician=clinician, discipline="physiotherapist", starts_at=NOW - timedelta(days=2)
    )
    composed = caregivers.reminders_compose(caregiver=caregiver, now=NOW)
    assert "2 Dec 2026, 10:00: physiotherapist, in person" in composed.body
    assert "28 Nov" not in composed.body
    assert composed.body.startswith("Hello Maria,")


# --- the send page (adherence, above checkins) ---


@pytest.fixture
def on_the_day():
    with time_machine.travel(NOW, tick=False):
        yield


def _send_url(patient, caregiver):
    return reverse("caregiver_send", kwargs={"patient_id": patient.pk, "caregiver_id": caregiver.pk})


def test_the_send_page_offers_only_the_scopes_consented_to(on_the_day, login, plan, patient, clinician):
    caregiver = _caregiver(plan, clinician, consent_scopes=[CaregiverScope.APPOINTMENT_REMINDERS])
    page = login(clinician).get(_send_url(patient, caregiver))
    assert page.status_code == 200
    text = page.text
    assert "A reminder of the next appointments" in text
    assert 'value="progress_reports"' not in text and 'value="education"' not in text
    assert "Progress reports: no consent to progress reports" in text


def test_sending_from_the_page_queues_a_message_the_worker_checks(
    on_the_day, login, plan, patient, clinician, django_capture_on_commit_callbacks, monkeypatch
):
    handed: list[tuple] = []
    monkeypatch.setattr("core.queue.enqueue", lambda task, *args: handed.append((task, *args)))
    caregiver = _caregiver(plan, clinician)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(clinician).post(_send_url(patient, caregiver), {"scope": "appointment_reminders"})
    assert response.status_code == 302
    message = CaregiverMessage.objects.get()
    assert message.scope == "appointment_reminders" and message.status == "queued"
    assert handed == [("checkins.tasks.caregiver_message_send", message.pk)]


def test_a_scope_withdrawn_while_the_page_was_open_is_refused_on_the_form(
    on_the_day, login, plan, patient, clinician
):
    caregiver = _caregiver(plan, clinician)
    client = login(clinician)
    client.get(_send_url(patient, caregiver))
    caregiver_consent_withdraw(caregiver=caregiver, user=clinician)
    response = client.post(_send_url(patient, caregiver), {"scope": "appointment_reminders"})
    assert response.status_code == 200
    assert not CaregiverMessage.objects.exists()


def test_the_progress_report_is_sent_as_text_for_a_consenting_caregiver(
    on_the_day, login, plan, patient, clinician
):
    caregiver = _caregiver(plan, clinician)
    login(clinician).post(_send_url(patient, caregiver), {"scope": "progress_reports"})
    message = CaregiverMessage.objects.get()
    assert message.subject.endswith(f"{patient.given_name}'s progress")
    assert message.body.startswith("Hello Maria,") and "Home exercise:" in message.body


def test_education_needs_an_item_and_sends_its_text(on_the_day, login, plan, patient, clinician):
    from careplans.education_seed import education_ensure
    from careplans.models import EducationItem

    education_ensure(EducationItem)
    item = EducationItem.objects.get(slug="distress-signals-how-to-help")
    caregiver = _caregiver(
        plan, clinician, consent_scopes=[CaregiverScope.EDUCATION, CaregiverScope.DISTRESS_SIGNALS]
    )
    client = login(clinician)
    refused = client.post(_send_url(patient, caregiver), {"scope": "education"})
    assert "Choose the education item to send." in refused.text
    client.post(_send_url(patient, caregiver), {"scope": "education", "item": item.pk})
    client.post(_send_url(patient, caregiver), {"scope": "distress_signals"})
    sent = list(CaregiverMessage.objects.order_by("id"))
    assert [m.scope for m in sent] == ["education", "distress_signals"]
    assert all(m.body == item.body for m in sent)


def test_an_outsider_cannot_open_the_send_page(on_the_day, login, plan, patient, clinician, outsider):
    caregiver = _caregiver(plan, clinician)
    client = login(outsider)
    assert client.get(_send_url(patient, caregiver)).status_code == 404
    assert client.post(_send_url(patient, caregiver), {"scope": "appointment_reminders"}).status_code == 404
    assert not CaregiverMessage.objects.exists()


# --- the demo ---


def test_the_demo_shows_caregivers_with_different_scopes_and_messages_sent_and_refused(
    north, south, clinician, outsider
):
    from careplans.models import CarePlan
    from checkins.demo import demo_caregiver_messages_seed
    from teams.demo import DemoCalendar

    from ..factories import PatientFactory

    patients = [PatientFactory(team=north, primary_clinician=clinician) for _ in range(4)]
    elsewhere = PatientFactory(team=south, primary_clinician=outsider)
    for patient in [*patients, elsewhere]:
        plan = make_plan(patient, patient.primary_clinician)
        CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.ACTIVE)
    calendar = DemoCalendar.at(NOW)

    count = demo_caregiver_messages_seed(calendar)

    caregivers = {c.name: c for c in Caregiver.objects.select_related("plan__patient")}
    assert set(caregivers) == {"Aisha Rahman", "Tom Price", "Grace Hall"}
    assert {c.plan.patient.team_id for c in caregivers.values()} == {north.pk}
    aisha, tom, grace = caregivers["Aisha Rahman"], caregivers["Tom Price"], caregivers["Grace Hall"]
    today = calendar.today
    assert (aisha.consent_scopes, aisha.consent_recorded_how) == (
        ["education", "distress_signals"],
        "written",
    )
    assert aisha.consents_to("distress_signals", today) and aisha.consent_until is not None
    assert (tom.consent_scopes, tom.consent_recorded_how) == (["progress_reports"], "verbal")
    assert grace.consent_withdrawn_at is not None and not grace.consents_to("progress_reports", today)
    assert all(c.consent_recorded_by == clinician for c in caregivers.values())

    messages = {m.caregiver.name: m for m in CaregiverMessage.objects.select_related("caregiver")}
    assert count == 3
    assert messages["Aisha Rahman"].status == "sent"
    assert messages["Aisha Rahman"].scope == "distress_signals"
    assert messages["Aisha Rahman"].subject.endswith("Signs of distress and how to help")
    assert (messages["Tom Price"].status, messages["Tom Price"].refused_reason) == (
        "refused",
        "no consent to appointment reminders",
    )
    assert (messages["Grace Hall"].status, messages["Grace Hall"].refused_reason) == (
        "refused",
        "consent withdrawn on 30 Nov 2026",
    )
    assert [m.to for m in mail.outbox] == [["aisha.rahman@example.org"]]

    assert demo_caregiver_messages_seed(calendar) == 3
    assert Caregiver.objects.count() == 3


# --- a send racing a withdrawal ---


@pytest.mark.django_db(transaction=True)
def test_a_send_that_starts_while_the_consent_is_being_withdrawn_waits_and_is_refused(
    patient, clinician, colleague
):
    import threading

    from django.db import connection, transaction

    plan = make_plan(patient, clinician)
    caregiver = _caregiver(plan, clinician)
    message = _queue(caregiver, clinician)
    withdrawing, release = threading.Event(), threading.Event()
    outcome: dict[str, bool] = {}

    def withdraw():
        try:
            with transaction.atomic():
                caregiver_consent_withdraw(caregiver=caregiver, user=colleague)
                withdrawing.set()
                release.wait(10)  # the withdrawal is not committed until the sender has started
        finally:
            connection.close()

    def send():
        try:
            outcome["sent"] = caregivers.caregiver_message_send_now(message_id=message.pk)
        finally:
            connection.close()

    withdrawal = threading.Thread(target=withdraw)
    withdrawal.start()
    assert withdrawing.wait(10)
    sender = threading.Thread(target=send)
    sender.start()
    sender.join(0.5)
    blocked = sender.is_alive()  # waiting for the caregiver's lock
    release.set()
    withdrawal.join()
    sender.join()
    assert blocked
    assert outcome == {"sent": False}
    message.refresh_from_db()
    assert message.status == "refused" and message.refused_reason.startswith("consent withdrawn on ")
    assert not mail.outbox
