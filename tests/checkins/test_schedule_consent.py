"""Consent in one place: the schedule editor shows and records the patient's own consent (the record the
patient's details, the API and the reminders read), and keeps only the fields of the cadence chosen."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from checkins import services
from checkins.models import Reminder, Schedule
from checkins.slots import slot_on
from teams.models import AuditEvent, Patient

from .factories import make_schedule

NOW = datetime(2026, 3, 2, 18, 0, 30, tzinfo=UTC)  # a Monday, 18:00 in London

SCHEDULE = {
    "cadence": "daily",
    "local_time": "18:00",
    "time_zone": "Europe/London",
    "channel": "email",
    "quiet_start": "21:00",
    "quiet_end": "08:00",
}


def _url(patient) -> str:
    return reverse("checkin_schedule", kwargs={"patient_id": patient.pk})


@pytest.fixture
def editor(login, clinician):
    return login(clinician)


@time_machine.travel(NOW, tick=False)
def test_consent_given_on_the_schedule_is_the_patients_own_record(editor, clinician, patient):
    assert not patient.consent_to_reminders
    response = editor.post(
        _url(patient),
        SCHEDULE | {"reminder_consent_given_on": "2026-02-27", "reminder_consent_note": "Signed form"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.consent_to_reminders is True
    assert patient.reminder_consent_given_on == date(2026, 2, 27)
    assert patient.reminder_consent_note == "Signed form"
    # Audited as a change of the patient, by whom and when, like any other.
    change = AuditEvent.objects.get(object_type="patient", action=AuditEvent.Action.UPDATE)
    assert change.actor == clinician and change.patient == patient and change.at == NOW
    assert change.changed_fields == [
        "consent_to_reminders",
        "reminder_consent_given_on",
        "reminder_consent_note",
    ]
    # The patient's details show the same record, and so does the schedule when opened again.
    details = editor.get(reverse("patient_edit", kwargs={"patient_id": patient.pk})).context["form"]
    assert details.initial["reminder_consent_given_on"] == date(2026, 2, 27)
    assert details.initial["reminder_consent_note"] == "Signed form"
    overview = editor.get(patient.get_absolute_url()).text
    assert "consented on 27 Feb 2026 (Signed form)" in overview
    again = editor.get(_url(patient)).context["form"]
    assert again.initial["reminder_consent_given_on"] == date(2026, 2, 27)
    assert again.initial["reminder_consent_note"] == "Signed form"


@time_machine.travel(NOW, tick=False)
def test_a_schedule_without_consent_is_refused_on_the_consent_field_and_saves_nothing(editor, patient):
    page = editor.get(_url(patient))
    assert "has not agreed to reminders yet" in page.text
    assert page.context["form"].initial.get("reminder_consent_given_on") is None  # never a made-up day
    response = editor.post(_url(patient), SCHEDULE)
    errors = response.context["form"].errors
    assert errors == {
        "reminder_consent_given_on": ["Reminders need the patient's consent: enter the day they agreed."]
    }
    assert not Schedule.objects.exists()
    patient.refresh_from_db()
    assert not patient.consent_to_reminders


@time_machine.travel(NOW, tick=False)
def test_consent_dated_in_the_future_is_refused_on_its_field(editor, patient):
    response = editor.post(_url(patient), SCHEDULE | {"reminder_consent_given_on": "2026-03-03"})
    assert response.context["form"].errors == {
        "reminder_consent_given_on": ["The day they agreed cannot be in the future."]
    }
    assert not Schedule.objects.exists()
    patient.refresh_from_db()
    assert not patient.consent_to_reminders and patient.reminder_consent_given_on is None


@time_machine.travel(NOW, tick=False)
def test_consent_changed_on_the_patients_details_is_what_the_schedule_shows(editor, patient):
    make_schedule(patient, consent_given_on=date(2026, 1, 1))
    details = editor.get(reverse("patient_edit", kwargs={"patient_id": patient.pk})).context["form"]
    data = {k: v for k, v in details.initial.items() if v is not None and k in details.fields}
    data |= {"consent_to_reminders": "on", "reminder_consent_given_on": "2026-02-01"}
    data |= {"reminder_consent_note": "By phone", "mobile": ""}
    assert editor.post(reverse("patient_edit", kwargs={"patient_id": patient.pk}), data).status_code == 302
    shown = editor.get(_url(patient)).context["form"]
    assert shown.initial["reminder_consent_given_on"] == date(2026, 2, 1)
    assert shown.initial["reminder_consent_note"] == "By phone"


@time_machine.travel(NOW, tick=False)
def test_unticking_consent_on_the_details_withdraws_it_and_reminders_stop(editor, patient):
    make_schedule(patient)
    url = reverse("patient_edit", kwargs={"patient_id": patient.pk})
    details = editor.get(url).context["form"]
    data = {k: v for k, v in details.initial.items() if v is not None and k in details.fields}
    data |= {"consent_to_reminders": "", "mobile": ""}
    assert editor.post(url, data).status_code == 302
    patient.refresh_from_db()
    assert patient.consent_to_reminders is False
    assert patient.reminder_consent_given_on is None and patient.reminder_consent_note == ""
    assert services.reminders_dispatch(now=NOW) == []
    assert "has not agreed to reminders yet" in editor.get(_url(patient)).text


@time_machine.travel(NOW, tick=False)
def test_ticking_consent_on_the_details_without_its_day_is_refused_on_the_day(editor, patient):
    url = reverse("patient_edit", kwargs={"patient_id": patient.pk})
    details = editor.get(url).context["form"]
    data = {k: v for k, v in details.initial.items() if v is not None and k in details.fields}
    data |= {"consent_to_reminders": "on", "mobile": ""}
    response = editor.post(url, data)
    assert response.context["form"].errors == {
        "reminder_consent_given_on": ["Enter the day the patient agreed to reminders."]
    }


def test_reminders_start_on_the_day_the_patient_agreed_and_stop_when_they_withdraw():
    patient = Patient(consent_to_reminders=True, reminder_consent_given_on=date(2026, 2, 1))
    daily = Schedule(patient=patient, cadence="daily", local_time=time(18, 0), time_zone="Europe/London")
    assert slot_on(daily, date(2026, 1, 31)) is None
    assert slot_on(daily, date(2026, 2, 1)) == datetime(2026, 2, 1, 18, 0, tzinfo=UTC)
    patient.consent_to_reminders, patient.reminder_consent_given_on = False, None
    assert slot_on(daily, date(2026, 2, 1)) is None


@time_machine.travel(NOW, tick=False)
def test_fields_of_another_cadence_are_ignored_and_cleared(editor, patient):
    schedule = make_schedule(patient, cadence="every_n_days", every_n_days=3, anchor_date=date(2026, 2, 1))
    response = editor.post(
        _url(patient),
        SCHEDULE
        | {
            "cadence": "daily",
            "weekdays": ["9"],  # not a weekday at all: ignored, not an error, since daily was chosen
            "every_n_days": "nonsense",
            "anchor_date": "2026-02-30",
            "reminder_consent_given_on": "2026-01-01",
        },
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.cadence, schedule.weekdays) == ("daily", [])
    assert schedule.every_n_days is None and schedule.anchor_date is None


@time_machine.travel(NOW, tick=False)
def test_weekdays_keep_only_their_days_and_every_few_days_its_count(editor, patient):
    schedule = make_schedule(patient)
    consent = {"reminder_consent_given_on": "2026-01-01"}
    other = {"every_n_days": "4", "anchor_date": "2026-02-02"}
    weekly = SCHEDULE | consent | other | {"cadence": "weekdays", "weekdays": ["0", "3"]}
    assert editor.post(_url(patient), weekly).status_code == 302
    schedule.refresh_from_db()
    assert schedule.weekdays == [0, 3] and schedule.every_n_days is None and schedule.anchor_date is None
    every = SCHEDULE | consent | other | {"cadence": "every_n_days", "weekdays": ["1"]}
    assert editor.post(_url(patient), every).status_code == 302
    schedule.refresh_from_db()
    assert schedule.weekdays == []
    assert (schedule.every_n_days, schedule.anchor_date) == (4, date(2026, 2, 2))


@time_machine.travel(NOW, tick=False)
def test_a_chosen_cadence_asks_for_its_own_fields(editor, patient):
    consent = {"reminder_consent_given_on": "2026-01-01"}
    every = editor.post(_url(patient), SCHEDULE | consent | {"cadence": "every_n_days"})
    assert every.context["form"].errors == {
        "every_n_days": ["Say every how many days, from 2 to 28."],
        "anchor_date": ["Give the day the count starts from."],
    }
    weekly = editor.post(_url(patient), SCHEDULE | consent | {"cadence": "weekdays"})
    assert weekly.context["form"].errors == {"weekdays": ["Choose at least one weekday."]}
    assert not Schedule.objects.exists()
    patient.refresh_from_db()
    assert not patient.consent_to_reminders  # a refused schedule records no consent either


def test_an_opted_out_schedule_resumes_when_consent_is_given_again(editor, patient):
    schedule = make_schedule(patient)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        services.schedule_opt_out(schedule=schedule)
    patient.refresh_from_db()
    assert not patient.consent_to_reminders and patient.reminder_consent_given_on is None
    with time_machine.travel(NOW - timedelta(minutes=5), tick=False):
        page = editor.get(_url(patient))
        assert "stopped reminders by their link on 27 Feb 2026" in page.text
        before = editor.post(_url(patient), SCHEDULE | {"reminder_consent_given_on": "2026-02-26"})
        assert before.context["form"].errors == {
            "reminder_consent_given_on": [
                "They stopped reminders on 27 Feb 2026: give the day they agreed again."
            ]
        }
        again = editor.post(_url(patient), SCHEDULE | {"reminder_consent_given_on": "2026-03-02"})
        assert again.status_code == 302
    schedule.refresh_from_db()
    assert schedule.opted_out_at is None
    event = AuditEvent.objects.filter(object_type="schedule", action=AuditEvent.Action.UPDATE).latest("id")
    assert "opted_out_at" in event.changed_fields
    assert len(services.reminders_dispatch(now=NOW)) == 1
    assert Reminder.objects.get().due_at == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def test_an_outsider_gets_the_page_that_is_not_there(login, outsider, patient):
    client = login(outsider)
    assert client.get(_url(patient)).status_code == 404
    posted = client.post(_url(patient), SCHEDULE | {"reminder_consent_given_on": "2026-01-01"})
    assert posted.status_code == 404
    patient.refresh_from_db()
    assert not patient.consent_to_reminders and not Schedule.objects.exists()


def test_the_schedule_page_reads_a_fixed_number_of_queries(editor, patient, django_assert_max_num_queries):
    make_schedule(patient)
    # 8 with the patient's care preferences, for the contact times shown read-only (issue 20).
    with django_assert_max_num_queries(8):
        assert editor.get(_url(patient)).status_code == 200


def test_the_api_writes_the_same_record_with_a_message_on_the_missing_day(api_as, clinician, patient):
    api = api_as(clinician)
    url = reverse("api_patient_detail", kwargs={"patient_id": patient.pk})
    missing = api.patch(url, {"consent_to_reminders": True}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {
        "reminder_consent_given_on": ["Enter the day the patient agreed to reminders."]
    }
    consent = {"consent_to_reminders": True, "reminder_consent_given_on": "2026-01-05"}
    given = api.patch(url, consent | {"reminder_consent_note": "Letter"}, format="json")
    assert given.status_code == 200
    body = given.json()
    assert (body["consent_to_reminders"], body["reminder_consent_given_on"]) == (True, "2026-01-05")
    patient.refresh_from_db()
    assert patient.reminder_consent_note == "Letter"
    withdrawn = api.patch(url, {"consent_to_reminders": False}, format="json").json()
    assert withdrawn["reminder_consent_given_on"] is None and withdrawn["reminder_consent_note"] == ""
