"""Escalation of urgent alerts nobody acknowledges (screening/escalation.py): when each step falls due, who
it reaches, what stops it, and that each step is sent once."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings

from checkins.models import OutboxMessage
from screening import escalation
from screening.models import Alert, AlertEscalation
from screening.services import alert_acknowledge, alert_notify_send
from teams.models import AuditEvent, Membership

from ..factories import MembershipFactory, UserFactory
from .factories import phq9, record

LONDON = ZoneInfo("Europe/London")
Step = AlertEscalation.Step
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def reachable(lead, clinic_admin):
    """The team lead and a clinic admin, each with an email and a mobile."""
    for user, number in ((lead, "+447400200001"), (clinic_admin, "+447400200002")):
        user.first_name, user.last_name = {"lead": ("Helen", "Marsh"), "admin": ("Alex", "Reid")}[
            user.username
        ]
        user.email, user.mobile = f"{user.username}@clinic.example", number
        user.save()
    return lead, clinic_admin


def urgent_alert(patient, moment: datetime) -> Alert:
    with at(moment):
        return Alert.objects.create(patient=patient, kind=Alert.Kind.URGENT, reason="PHQ-9: self-harm item")


def dispatch_and_send(moment: datetime, capture) -> list[int]:
    """What beat and a worker do at ``moment``: dispatch, and send each step it queued (here by hand, as
    the worker would); again while that makes another step due (a step with nobody to reach queues a
    dispatch). The ids of the steps handed out."""
    claimed: list[int] = []
    with at(moment):
        while True:
            with capture() as queued:
                ids = escalation.escalations_dispatch()
            assert len(queued) == len(ids)  # one send queued per step claimed
            for escalation_id in ids:
                escalation.escalation_send_now(escalation_id=escalation_id)
            if not ids:
                return claimed
            claimed += ids


def steps(alert: Alert) -> dict[int, AlertEscalation]:
    return {row.step: row for row in AlertEscalation.objects.filter(alert=alert)}


def test_the_deadline_counts_opening_minutes_and_a_team_may_set_its_own(patient):
    friday_evening = datetime(2026, 11, 27, 17, 30, tzinfo=LONDON)
    assert escalation.ack_minutes(patient.team) == 60
    assert escalation.deadline_after(friday_evening, minutes=60) == datetime(
        2026, 11, 30, 8, 30, tzinfo=LONDON
    )
    patient.team.alert_ack_minutes = 15
    patient.team.save(update_fields=["alert_ack_minutes"])
    assert escalation.ack_minutes(patient.team) == 15
    with override_settings(ALERT_ACK_MINUTES=30, CLINIC_OPENING_HOURS="Mon-Sun 07:00-19:00"):
        assert escalation.deadline_after(friday_evening, minutes=30) == datetime(
            2026, 11, 27, 18, 0, tzinfo=LONDON
        )
        patient.team.alert_ack_minutes = None
        assert escalation.ack_minutes(patient.team) == 30


def test_the_lead_step_fires_at_its_deadline_and_not_before(
    patient, reachable, django_capture_on_commit_callbacks
):
    alert = urgent_alert(patient, TUESDAY_10)
    assert (
        dispatch_and_send(TUESDAY_10 + timedelta(minutes=59, seconds=59), django_capture_on_commit_callbacks)
        == []
    )
    assert not AlertEscalation.objects.exists()

    [claimed] = dispatch_and_send(TUESDAY_10 + timedelta(minutes=60), django_capture_on_commit_callbacks)
    lead = AlertEscalation.objects.get(pk=claimed)
    assert (lead.step, lead.due_at) == (Step.LEAD, TUESDAY_10 + timedelta(minutes=60))
    assert lead.sent_at == TUESDAY_10 + timedelta(minutes=60) and lead.recipients == ["Helen Marsh"]
    [email] = mail.outbox
    assert email.to == ["lead@clinic.example"] and "not acknowledged" in email.subject
    assert f"/patients/{patient.pk}/" in email.body
    assert "raised for a patient of North MSK on 24 Nov 2026, 10:00 is still not acknowledged" in email.body
    [sms] = OutboxMessage.objects.filter(channel="sms")
    assert sms.to == "+447400200001" and f"/patients/{patient.pk}/" in sms.body
    for text in (email.subject, email.body, sms.body):  # nothing about the patient but the link
        assert patient.family_name not in text and patient.given_name not in text and patient.mrn not in text
    assert AuditEvent.objects.filter(
        patient=patient,
        object_type="alertescalation",
        object_id=str(lead.pk),
        action=AuditEvent.Action.UPDATE,
    ).exists()
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.OPEN  # escalating acknowledges nothing


def test_still_open_a_period_later_it_goes_to_every_active_clinic_admin(
    patient, reachable, django_capture_on_commit_callbacks
):
    UserFactory(username="retired", is_clinic_admin=True, is_active=False, email="retired@clinic.example")
    alert = urgent_alert(patient, TUESDAY_10)
    dispatch_and_send(TUESDAY_10 + timedelta(minutes=60), django_capture_on_commit_callbacks)
    assert dispatch_and_send(TUESDAY_10 + timedelta(minutes=119), django_capture_on_commit_callbacks) == []
    dispatch_and_send(TUESDAY_10 + timedelta(minutes=120), django_capture_on_commit_callbacks)
    admins = steps(alert)[Step.ADMINS]
    assert admins.due_at == TUESDAY_10 + timedelta(minutes=120) and admins.recipients == ["Alex Reid"]
    assert [m.to for m in mail.outbox] == [["lead@clinic.example"], ["admin@clinic.example"]]
    assert "clinic admin" in mail.outbox[1].body
    assert sorted(OutboxMessage.objects.filter(channel="sms").values_list("to", flat=True)) == [
        "+447400200001",
        "+447400200002",
    ]
    # Nothing more, however long it stays open.
    assert dispatch_and_send(TUESDAY_10 + timedelta(days=3), django_capture_on_commit_callbacks) == []
    assert len(mail.outbox) == 2


def test_an_alert_raised_friday_evening_escalates_on_monday_morning(
    patient, reachable, django_capture_on_commit_callbacks
):
    alert = urgent_alert(patient, datetime(2026, 11, 27, 17, 30, tzinfo=LONDON))
    assert (
        dispatch_and_send(datetime(2026, 11, 30, 8, 29, tzinfo=LONDON), django_capture_on_commit_callbacks)
        == []
    )
    dispatch_and_send(datetime(2026, 11, 30, 8, 30, tzinfo=LONDON), django_capture_on_commit_callbacks)
    assert steps(alert)[Step.LEAD].due_at == datetime(2026, 11, 30, 8, 30, tzinfo=LONDON)
    # The admins' period runs from the lead's deadline, in opening hours too.
    dispatch_and_send(datetime(2026, 11, 30, 9, 30, tzinfo=LONDON), django_capture_on_commit_callbacks)
    assert steps(alert)[Step.ADMINS].due_at == datetime(2026, 11, 30, 9, 30, tzinfo=LONDON)


def test_a_team_with_its_own_minutes_escalates_sooner(patient, reachable, django_capture_on_commit_callbacks):
    patient.team.alert_ack_minutes = 20
    patient.team.save(update_fields=["alert_ack_minutes"])
    alert = urgent_alert(patient, TUESDAY_10)
    assert dispatch_and_send(TUESDAY_10 + timedelta(minutes=19), django_capture_on_commit_callbacks) == []
    dispatch_and_send(TUESDAY_10 + timedelta(minutes=20), django_capture_on_commit_callbacks)
    dispatch_and_send(TUESDAY_10 + timedelta(minutes=40), django_capture_on_commit_callbacks)
    assert sorted(steps(alert)) == [Step.LEAD, Step.ADMINS]


def test_acknowledging_stops_the_steps_not_yet_taken(patient, reachable, django_capture_on_commit_callbacks):
    lead, _ = reachable
    alert = urgent_alert(patient, TUESDAY_10)
    dispatch_and_send(TUESDAY_10 + timedelta(minutes=60), django_capture_on_commit_callbacks)
    with at(TUESDAY_10 + timedelta(minutes=70)):
        alert_acknowledge(alert=alert, user=lead)
    assert dispatch_and_send(TUESDAY_10 + timedelta(minutes=120), django_capture_on_commit_callbacks) == []
    assert sorted(steps(alert)) == [Step.LEAD] and len(mail.outbox) == 1


def test_a_step_claimed_before_the_acknowledgement_is_not_sent_after_it(
    patient, reachable, django_capture_on_commit_callbacks
):
    lead, _ = reachable
    alert = urgent_alert(patient, TUESDAY_10)
    with at(TUESDAY_10 + timedelta(minutes=60)), django_capture_on_commit_callbacks() as queued:
        [claimed] = escalation.escalations_dispatch()
    assert len(queued) == 1
    alert_acknowledge(alert=alert, user=lead)
    assert escalation.escalation_send_now(escalation_id=claimed) is False
    assert mail.outbox == [] and not OutboxMessage.objects.exists()
    assert AlertEscalation.objects.get(pk=claimed).sent_at is None
    # Nor is it handed out again.
    with at(TUESDAY_10 + timedelta(days=1)):
        assert escalation.escalations_reconcile() == []


def test_with_nobody_to_email_an_alert_is_not_notified_and_escalates_at_once(
    patient, clinician, lead, django_capture_on_commit_callbacks
):
    # The team has no psychologist and its lead has no email, only a mobile.
    lead.email, lead.mobile = "", "+447400200001"
    lead.save(update_fields=["email", "mobile"])
    with at(TUESDAY_10):
        with django_capture_on_commit_callbacks() as queued:
            record(patient, clinician, answers=phq9(item9=2))
        assert len(queued) == 1  # the notice, which a worker runs:
        alert = Alert.objects.get(kind=Alert.Kind.URGENT)
        with django_capture_on_commit_callbacks() as queued:
            assert alert_notify_send(alert_id=alert.pk) is False
        assert len(queued) == 1  # a dispatch, at once
    alert.refresh_from_db()
    assert alert.notified_at is None
    assert mail.outbox == []
    assert steps(alert)[Step.LEAD].due_at == TUESDAY_10
    dispatch_and_send(TUESDAY_10 + timedelta(seconds=5), django_capture_on_commit_callbacks)
    first = steps(alert)[Step.LEAD]
    assert first.sent_at == TUESDAY_10 + timedelta(seconds=5)
    assert first.recipients == [lead.get_full_name()]
    assert OutboxMessage.objects.get(channel="sms").to == "+447400200001"
    # Asking again sends nothing more and still does not call it notified.
    assert alert_notify_send(alert_id=alert.pk) is False
    assert Alert.objects.get(pk=alert.pk).notified_at is None
    assert AlertEscalation.objects.filter(alert=alert).count() == 1


def test_a_step_with_nobody_to_reach_passes_at_once_to_the_next(
    patient, clinic_admin, django_capture_on_commit_callbacks
):
    # No lead in the team at all; one clinic admin.
    clinic_admin.email = "admin@clinic.example"
    clinic_admin.save(update_fields=["email"])
    alert = urgent_alert(patient, TUESDAY_10)
    dispatch_and_send(TUESDAY_10 + timedelta(minutes=60), django_capture_on_commit_callbacks)
    found = steps(alert)
    assert found[Step.LEAD].reached_nobody
    assert found[Step.ADMINS].due_at == TUESDAY_10 + timedelta(minutes=60)
    assert found[Step.ADMINS].recipients == [clinic_admin.get_full_name()]
    assert [m.to for m in mail.outbox] == [["admin@clinic.example"]]


def test_a_lead_without_email_or_mobile_cannot_be_reached(patient, lead, django_capture_on_commit_callbacks):
    lead.email = ""
    lead.save(update_fields=["email"])
    other_lead = UserFactory(username="lead2", email="lead2@clinic.example")
    MembershipFactory(team=patient.team, user=other_lead, role=Membership.Role.LEAD)
    alert = urgent_alert(patient, TUESDAY_10)
    dispatch_and_send(TUESDAY_10 + timedelta(minutes=60), django_capture_on_commit_callbacks)
    assert steps(alert)[Step.LEAD].recipients == [other_lead.get_full_name()]
    assert [m.to for m in mail.outbox] == [["lead2@clinic.example"]]


def test_the_last_step_with_nobody_says_so_on_the_alert(
    login, patient, clinician, django_capture_on_commit_callbacks
):
    with at(TUESDAY_10):
        screening = record(patient, clinician, answers=phq9(item9=1))
    alert = Alert.objects.get(kind=Alert.Kind.URGENT)
    dispatch_and_send(TUESDAY_10 + timedelta(minutes=60), django_capture_on_commit_callbacks)
    found = steps(alert)
    assert found[Step.LEAD].reached_nobody and found[Step.ADMINS].reached_nobody
    assert mail.outbox == [] and not OutboxMessage.objects.exists()
    client = login(clinician)
    for url in (screening.get_absolute_url(), patient.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "Nobody to escalate to: no clinic admin with an email or a mobile" in page
        assert "No team lead to escalate to" in page
        assert "Escalated to" not in page


def test_the_alert_story_shows_who_each_step_reached_and_when(
    login, patient, clinician, reachable, django_capture_on_commit_callbacks
):
    with at(TUESDAY_10):
        screening = record(patient, clinician, answers=phq9(item9=1))
    dispatch_and_send(TUESDAY_10 + timedelta(minutes=60), django_capture_on_commit_callbacks)
    dispatch_and_send(TUESDAY_10 + timedelta(minutes=120), django_capture_on_commit_callbacks)
    client = login(clinician)
    for url in (screening.get_absolute_url(), patient.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "Escalated to the team lead (Helen Marsh) on 24 Nov 2026, 11:00" in page
        assert "Escalated to clinic admins (Alex Reid) on 24 Nov 2026, 12:00" in page
        assert "Nobody to escalate to" not in page


def test_the_overview_does_not_grow_queries_with_escalated_alerts(
    login, patient, clinician, reachable, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from ..factories import PatientFactory

    other = PatientFactory(team=patient.team, primary_clinician=clinician)
    for who, alerts in ((patient, 1), (other, 6)):
        for n in range(alerts):
            urgent_alert(who, TUESDAY_10 + timedelta(minutes=n))
    dispatch_and_send(TUESDAY_10 + timedelta(hours=3), django_capture_on_commit_callbacks)
    dispatch_and_send(TUESDAY_10 + timedelta(hours=4), django_capture_on_commit_callbacks)
    assert AlertEscalation.objects.filter(sent_at__isnull=False).count() == 14
    client = login(clinician)
    client.get(patient.get_absolute_url())  # warm the session and caches
    counts = []
    for who in (patient, other):
        with django_assert_max_num_queries(40) as captured:
            assert client.get(who.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_second_delivery_of_a_send_sends_nothing(patient, reachable, django_capture_on_commit_callbacks):
    alert = urgent_alert(patient, TUESDAY_10)
    with at(TUESDAY_10 + timedelta(minutes=60)), django_capture_on_commit_callbacks() as queued:
        [claimed] = escalation.escalations_dispatch()
    assert len(queued) == 1
    assert escalation.escalation_send_now(escalation_id=claimed) is True
    assert escalation.escalation_send_now(escalation_id=claimed) is False  # Redis delivered it again
    assert len(mail.outbox) == 1 and OutboxMessage.objects.filter(channel="sms").count() == 1
    assert steps(alert)[Step.LEAD].attempts == 1


def test_a_step_claimed_long_ago_and_never_sent_is_handed_out_again_once(
    patient, reachable, django_capture_on_commit_callbacks
):
    urgent_alert(patient, TUESDAY_10)
    with at(TUESDAY_10 + timedelta(minutes=60)), django_capture_on_commit_callbacks():
        [claimed] = escalation.escalations_dispatch()  # its worker is lost: nothing runs
    with at(TUESDAY_10 + timedelta(minutes=65)):
        assert escalation.escalations_reconcile() == []  # not long enough to be given up on
    with at(TUESDAY_10 + timedelta(minutes=71)):
        with django_capture_on_commit_callbacks() as queued:
            assert escalation.escalations_reconcile() == [claimed]
        assert len(queued) == 1
        assert escalation.escalation_send_now(escalation_id=claimed) is True
    assert len(mail.outbox) == 1
    with at(TUESDAY_10 + timedelta(minutes=90)):
        assert escalation.escalations_reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_make_and_claim_each_step_once(patient, lead):
    urgent_alert(patient, TUESDAY_10)
    barrier = threading.Barrier(2)
    claimed: list[list[int]] = []

    def dispatch():
        try:
            barrier.wait()
            claimed.append(escalation.escalations_dispatch(now=TUESDAY_10 + timedelta(minutes=60)))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AlertEscalation.objects.count() == 1
    assert sorted(len(ids) for ids in claimed) == [0, 1]


def test_only_urgent_alerts_escalate(patient, reachable, django_capture_on_commit_callbacks):
    with at(TUESDAY_10):
        Alert.objects.create(patient=patient, kind=Alert.Kind.CHECKIN, reason="Low mood")
    assert dispatch_and_send(TUESDAY_10 + timedelta(days=2), django_capture_on_commit_callbacks) == []
    assert not AlertEscalation.objects.exists()


def test_a_send_that_keeps_failing_says_why_and_stays_for_the_reconciler(
    patient, reachable, django_capture_on_commit_callbacks, monkeypatch
):
    urgent_alert(patient, TUESDAY_10)
    with at(TUESDAY_10 + timedelta(minutes=60)), django_capture_on_commit_callbacks():
        [claimed] = escalation.escalations_dispatch()

    def provider_down(messages):
        raise ConnectionError("SMS provider unreachable")

    monkeypatch.setattr(escalation, "sms_send_many", provider_down)
    with pytest.raises(ConnectionError):
        escalation.escalation_send_now(escalation_id=claimed)
    escalation.escalation_note_error(escalation_id=claimed, error="SMS provider unreachable")
    step = AlertEscalation.objects.get(pk=claimed)
    assert step.sent_at is None and step.last_error == "SMS provider unreachable"
    monkeypatch.undo()
    with at(TUESDAY_10 + timedelta(minutes=71)), django_capture_on_commit_callbacks():
        assert escalation.escalations_reconcile() == [claimed]
    assert escalation.escalation_send_now(escalation_id=claimed) is True
    step.refresh_from_db()
    assert step.last_error == "" and step.recipients == ["Helen Marsh"]
