import re
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse

from checkins import services
from checkins.models import CheckIn, ExerciseLog, OutboxMessage, Reminder
from screening.models import Alert, Screening

from ..careplans.factories import make_exercise, make_plan
from .factories import make_schedule

NOW = datetime(2026, 3, 2, 18, 0, 30, tzinfo=UTC)  # a Monday, 18:00 in London


def _link_token(message_body: str) -> str:
    return re.search(r"/r/([\w-]+)/", message_body).group(1)


def test_a_patient_due_now_gets_exactly_one_reminder(patient, django_capture_on_commit_callbacks):
    make_schedule(patient)
    with django_capture_on_commit_callbacks() as queued:
        first = services.reminders_dispatch(now=NOW)
    second = services.reminders_dispatch(now=NOW + timedelta(seconds=30))
    assert len(first) == 1 and second == []
    assert len(queued) == 1
    reminder = Reminder.objects.get()
    assert reminder.due_at == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    assert reminder.claimed_at is not None


def test_no_reminder_without_consent_when_opted_out_or_discharged(patient, south_patient):
    schedule = make_schedule(patient)
    patient.consent_to_reminders = False
    patient.save(update_fields=["consent_to_reminders"])
    assert services.reminders_dispatch(now=NOW) == []
    patient.consent_to_reminders = True
    patient.save(update_fields=["consent_to_reminders"])
    services.schedule_opt_out(schedule=schedule)
    assert services.reminders_dispatch(now=NOW) == []
    assert not Reminder.objects.exists()


def test_one_dispatch_hands_out_everything_due_batch_after_batch(
    north, clinician, django_capture_on_commit_callbacks
):
    from ..factories import PatientFactory

    for patient in PatientFactory.create_batch(5, team=north, primary_clinician=clinician):
        make_schedule(patient)
    with django_capture_on_commit_callbacks() as queued:
        claimed = services.reminders_dispatch(now=NOW, batch=2)
    assert len(claimed) == len(set(claimed)) == Reminder.objects.count() == 5
    assert len(queued) == 5
    assert services.reminders_dispatch(now=NOW, batch=2) == []


@pytest.mark.django_db(transaction=True)
def test_dispatching_twice_at_the_same_moment_still_makes_one(patient, clinician):
    make_schedule(patient)
    barrier = threading.Barrier(2)
    claimed: list[list[int]] = []

    def dispatch():
        try:
            barrier.wait()
            claimed.append(services.reminders_dispatch(now=NOW))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Reminder.objects.count() == 1
    assert sorted(len(ids) for ids in claimed) == [0, 1]


def test_sending_stores_only_the_hash_of_a_single_use_link(patient):
    make_schedule(patient)
    [reminder_id] = services.reminders_dispatch(now=NOW)
    assert services.reminder_send_now(reminder_id=reminder_id, now=NOW) is True
    assert services.reminder_send_now(reminder_id=reminder_id, now=NOW) is False  # a second delivery: nothing
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    token = _link_token(message.body)
    reminder = Reminder.objects.get()
    assert len(token) >= 22  # at least 128 bits, URL-safe
    assert reminder.token_hash == services.token_hash(token) and token not in reminder.token_hash
    assert reminder.status == Reminder.Status.SENT
    assert reminder.expires_at == NOW + timedelta(hours=72)
    assert "/stop/" in message.body
    assert patient.family_name not in message.body and patient.mrn not in message.body


def test_sms_reminders_go_through_the_configured_backend(patient):
    patient.mobile = "+447400123456"
    patient.save(update_fields=["mobile"])
    make_schedule(patient, channel="sms")
    [reminder_id] = services.reminders_dispatch(now=NOW)
    services.reminder_send_now(reminder_id=reminder_id, now=NOW)
    sms = OutboxMessage.objects.get()
    assert (sms.channel, sms.to) == ("sms", "+447400123456")
    assert "/r/" in sms.body


def _sent_link(patient, now=NOW, intake_done=True) -> str:
    if intake_done:
        from ..screening.factories import lowest_answers, record

        record(patient, patient.primary_clinician, code="PHQ-4", answers=lowest_answers("PHQ-4"))
    make_schedule(patient)
    [reminder_id] = services.reminders_dispatch(now=now)
    services.reminder_send_now(reminder_id=reminder_id, now=now)
    return _link_token(mail.outbox[-1].body)


def test_wrong_expired_and_used_links_get_the_same_kind_page(client, patient, clinician):
    token = _sent_link(patient)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert client.get(reverse("checkin_form", args=[token])).status_code == 200
        unknown = client.get(reverse("checkin_form", args=["x" * 43]))
        client.post(
            reverse("checkin_form", args=[token]),
            {"mood": 6, "pain": 3, "sleep_quality": 7, "sleep_hours": 7},
        )
        used = client.get(reverse("checkin_form", args=[token]))
    with time_machine.travel(NOW + timedelta(hours=73), tick=False):
        expired_token = _sent_link(
            patient.__class__.objects.create(
                mrn="EXP1",
                given_name="Ewa",
                family_name="Zielinska",
                date_of_birth="1960-01-01",
                email="ewa@example.org",
                team=patient.team,
                primary_clinician=clinician,
                consent_to_reminders=True,
                reminder_consent_given_on="2026-01-01",
            ),
            now=NOW,
        )
        expired = client.get(reverse("checkin_form", args=[expired_token]))
    for response in (unknown, used, expired):
        assert response.status_code == 404
        assert "This link is not available" in response.text
        assert patient.given_name not in response.text and "Ewa" not in response.text
    assert _body(unknown) == _body(used) == _body(expired)


def _body(response) -> str:
    return re.sub(r'value="[^"]+"|"X-CSRFToken": "[^"]+"', "", response.text)


def test_links_are_rate_limited_per_address(client, patient, settings):
    settings.PATIENT_LINK_RATE = 3
    from django.core.cache import cache

    cache.delete("patient-link-rate:127.0.0.1")
    statuses = [client.get(reverse("checkin_form", args=[f"guess{n}"])).status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    cache.delete("patient-link-rate:127.0.0.1")


def test_one_link_is_rate_limited_from_any_number_of_addresses(client, patient, settings):
    import uuid

    settings.PATIENT_LINK_TOKEN_RATE = 3
    url = reverse("checkin_form", args=[f"guess-{uuid.uuid4().hex}"])
    statuses = [client.get(url, REMOTE_ADDR=f"10.0.{n}.1").status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    other = reverse("checkin_form", args=[f"guess-{uuid.uuid4().hex}"])
    assert client.get(other, REMOTE_ADDR="10.0.9.1").status_code == 404


def test_check_in_with_exercises_lands_on_the_overview_and_low_mood_alerts(client, login, patient, clinician):
    plan = make_plan(patient, clinician)
    squat = make_exercise(
        plan, clinician, name="Sit to stand", lighter_alternative="2 sets from a higher chair"
    )
    bridge = make_exercise(plan, clinician, name="Bridging")
    from careplans.services import part_update

    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    token = _sent_link(patient)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        page = client.get(reverse("checkin_form", args=[token]))
        assert "Hello Amelia" in page.text and "2 sets from a higher chair" in page.text
        assert patient.family_name not in page.text
        response = client.post(
            reverse("checkin_form", args=[token]),
            {
                "mood": 2,
                "pain": 6,
                "sleep_quality": 4,
                "sleep_hours": "5.5",
                "stressors": "Work is hard",
                f"exercise_{squat.pk}": "done",
                f"exercise_{bridge.pk}": "partly",
            },
        )
    assert "Thank you, Amelia" in response.text
    checkin = CheckIn.objects.get()
    assert (checkin.mood, checkin.pain, str(checkin.sleep_hours)) == (2, 6, "5.5")
    assert {(log.exercise.name, log.done) for log in ExerciseLog.objects.all()} == {
        ("Sit to stand", "done"),
        ("Bridging", "partly"),
    }
    assert Reminder.objects.get().status == Reminder.Status.COMPLETED
    alert = Alert.objects.get(kind=Alert.Kind.CHECKIN)
    assert alert.reason == "Check-in: mood 2/10"
    overview = login(clinician).get(patient.get_absolute_url()).text
    assert "mood 2 · pain 6" in overview and "Sit to stand: done" in overview and "Work is hard" in overview


def test_check_in_form_errors_store_nothing(client, patient):
    token = _sent_link(patient)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        response = client.post(
            reverse("checkin_form", args=[token]), {"mood": 14, "pain": 3, "sleep_quality": 7}
        )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"mood", "sleep_hours"}
    assert not CheckIn.objects.exists()
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_a_pain_jump_alerts_the_team(client, patient):
    CheckIn.objects.create(patient=patient, mood=6, pain=3, sleep_quality=6, sleep_hours=7)
    token = _sent_link(patient)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        client.post(
            reverse("checkin_form", args=[token]),
            {"mood": 6, "pain": 7, "sleep_quality": 6, "sleep_hours": 7},
        )
    assert Alert.objects.get().reason == "Check-in: pain up from 3 to 7"


def test_a_due_questionnaire_opens_after_the_check_in_with_the_crisis_message_on_item_9(
    client, patient, clinician, settings
):
    from screening.batteries import batteries_ensure
    from screening.models import Battery

    batteries_ensure(Battery)
    token = _sent_link(patient, intake_done=False)  # no intake yet: the intake battery is due
    assert Reminder.objects.get().battery.name == "Intake"
    Battery.objects.filter(name="Intake").update(instruments=["PHQ-9"])
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        response = client.post(
            reverse("checkin_form", args=[token]),
            {"mood": 5, "pain": 5, "sleep_quality": 5, "sleep_hours": 7},
        )
        assert response.url == reverse("checkin_questionnaire", args=[token])
        page = client.get(response.url)
        assert "Thoughts that you would be better off dead" in page.text
        answers = {f"PHQ-9:{n}": "1" for n in range(1, 9)} | {"PHQ-9:9": "2"}
        done = client.post(response.url, answers)
        again = client.get(response.url)
    assert settings.CRISIS_MESSAGE in re.sub(r"<[^>]*>", "", done.text)  # its numbers are tel: links
    screening = Screening.objects.get()
    assert (screening.source, screening.entered_by, screening.total) == ("patient", None, 10)
    assert Alert.objects.filter(kind=Alert.Kind.URGENT, screening=screening).exists()
    assert again.status_code == 404


def test_opt_out_link_stops_reminders_and_is_recorded(client, patient):
    make_schedule(patient)
    [reminder_id] = services.reminders_dispatch(now=NOW)
    services.reminder_send_now(reminder_id=reminder_id, now=NOW)
    stop = re.search(r"/stop/([^/\s]+)/", mail.outbox[0].body).group(0)
    assert "Stop check-in reminders?" in client.get(stop).text
    assert "Reminders stopped" in client.post(stop).text
    patient.refresh_from_db()
    assert patient.consent_to_reminders is False
    assert services.reminders_dispatch(now=NOW + timedelta(days=1)) == []
    from teams.models import AuditEvent

    assert AuditEvent.objects.filter(patient=patient, changed_fields__contains=["opted_out_at"]).exists()
    assert client.get("/stop/forged-value/").status_code == 404


def test_reconciler_hands_out_reminders_a_lost_worker_held(
    patient, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_RECLAIM_SECONDS = 600
    make_schedule(patient)
    services.reminders_dispatch(now=NOW)
    with django_capture_on_commit_callbacks() as queued:
        assert services.reminders_reconcile(now=NOW + timedelta(minutes=5)) == []
        requeued = services.reminders_reconcile(now=NOW + timedelta(minutes=11))
    assert len(requeued) == 1 and len(queued) == 1
    services.reminder_send_now(reminder_id=requeued[0], now=NOW + timedelta(minutes=11))
    assert services.reminders_reconcile(now=NOW + timedelta(minutes=30)) == []


def test_unsent_and_unanswered_reminders_expire(patient):
    make_schedule(patient)
    [reminder_id] = services.reminders_dispatch(now=NOW)
    services.reminder_send_now(reminder_id=reminder_id, now=NOW)
    services.reminders_reconcile(now=NOW + timedelta(hours=73))
    assert Reminder.objects.get().status == Reminder.Status.EXPIRED


def test_failed_reminders_can_be_resent_from_the_log(
    login, clinician, patient, django_capture_on_commit_callbacks
):
    make_schedule(patient)
    [reminder_id] = services.reminders_dispatch(now=NOW)
    services.reminder_mark_failed(reminder_id=reminder_id, error="SMTP refused")
    client = login(clinician)
    log = client.get(reverse("checkin_reminders", kwargs={"patient_id": patient.pk}))
    assert ">Failed</span>" in log.text and "SMTP refused" in log.text
    url = reverse("checkin_reminder_resend", kwargs={"patient_id": patient.pk, "reminder_id": reminder_id})
    with django_capture_on_commit_callbacks() as queued:
        client.post(url)
    assert Reminder.objects.get().status == Reminder.Status.PENDING and len(queued) == 1


def test_changing_a_schedule_saves_and_audits_the_editors_fields(login, clinician, patient):
    from teams.models import AuditEvent

    schedule = make_schedule(patient)
    url = reverse("checkin_schedule", kwargs={"patient_id": patient.pk})
    form = login(clinician).get(url).context["form"]
    posted = {name: value for name, value in form.initial.items() if value is not None}
    response = login(clinician).post(url, posted | {"local_time": "07:30", "weekdays": []})
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.local_time == time(7, 30)
    event = AuditEvent.objects.get(object_type="schedule", object_id=str(schedule.pk))
    assert event.action == AuditEvent.Action.UPDATE and event.actor == clinician
    assert "local_time" in event.changed_fields and "opted_out_at" not in event.changed_fields


def test_schedule_editor_proposes_a_default_and_validates(login, clinician, patient):
    client = login(clinician)
    url = reverse("checkin_schedule", kwargs={"patient_id": patient.pk})
    page = client.get(url)
    assert page.context["proposed"] is True
    form = page.context["form"]
    assert form.initial["local_time"] == time(18, 0)
    bad = client.post(
        url,
        {
            "cadence": "weekdays",
            "anchor_date": "2026-01-01",
            "local_time": "18:00",
            "time_zone": "Mars/Olympus",
            "channel": "email",
            "every_n_days": 2,
        },
    )
    errors = bad.context["form"].errors
    assert "weekdays" in errors and "time_zone" in errors
    assert "reminder_consent_given_on" in errors  # no consent yet, and none given
    ok = client.post(
        url,
        {
            "cadence": "weekdays",
            "weekdays": ["0", "3"],
            "anchor_date": "2026-01-01",
            "local_time": "07:30",
            "time_zone": "Europe/London",
            "channel": "email",
            "every_n_days": 2,
            "reminder_consent_given_on": "2026-01-01",
            "reminder_consent_note": "verbal, at intake",
        },
    )
    assert ok.status_code == 302
    assert patient.checkin_schedule.weekdays == [0, 3]
    patient.refresh_from_db()
    assert patient.consent_to_reminders and patient.reminder_consent_note == "verbal, at intake"


def test_outbox_page_in_development_only(login, clinic_admin, settings):
    OutboxMessage.objects.create(channel="email", to="a@example.org", subject="Hello", body="Body")
    settings.DEBUG = True
    assert "Hello" in login(clinic_admin).get(reverse("outbox")).text
    settings.DEBUG = False
    assert login(clinic_admin).get(reverse("outbox")).status_code == 404


def test_daily_digest_lists_alerts_responsibilities_and_silent_patients(patient, clinician):
    from ..screening.factories import phq9, record

    clinician.email = "physio@clinic.example"
    clinician.save(update_fields=["email"])
    record(patient, clinician, answers=phq9(item9=1))
    assert services.digests_send() == 1
    body = mail.outbox[-1].body
    assert "Open alerts for your teams' patients: 1" in body


def test_dispatch_on_the_day_the_clocks_go_forward_uses_local_time(patient):
    make_schedule(patient, local_time=time(18, 0), quiet_start=time(21, 0), quiet_end=time(8, 0))
    with time_machine.travel(datetime(2026, 3, 29, 16, 59, tzinfo=UTC), tick=False):
        assert services.reminders_dispatch() == []  # 17:59 BST
    with time_machine.travel(datetime(2026, 3, 29, 17, 0, 5, tzinfo=UTC), tick=False):
        assert (
            len(services.reminders_dispatch()) == 1
        )  # 18:00 BST, an hour earlier in UTC than the day before
    assert Reminder.objects.get().due_at == datetime(2026, 3, 29, 17, 0, tzinfo=UTC)


def test_the_review_questionnaire_is_due_by_the_day_the_reminder_is_sent_not_the_day_it_runs(
    patient, clinician
):
    from careplans.services import part_update
    from screening.batteries import batteries_ensure
    from screening.models import Battery

    batteries_ensure(Battery)
    plan = make_plan(patient, clinician, start_date=date(2026, 1, 5), review_date=date(2026, 3, 3))
    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    # The send for 2 March runs after the review date (a worker catching up): the day before the review.
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        _sent_link(patient)
    assert Reminder.objects.get().battery is None
    assert services.due_battery(patient=patient, today=date(2026, 3, 3)).name == "Milestone"
