"""The schedule's own copy of consent moves into the patient's record (teams 0011, checkins 0005) without
starting reminders nobody agreed to, and moves back when the migrations are reversed."""

from datetime import date, time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.slow

BEFORE = [("checkins", "0004_reminder_questionnaire_draft"), ("teams", "0010_conferences_move_out")]


def _migrate(targets):
    """Migrate to ``targets``; the models as they stood there. Deferred foreign keys are checked first,
    as a commit would, so the schema may change inside the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets[0]).apps


@pytest.fixture
def old_schema(db):
    """The database before consent moved; put back as it is now afterwards, whatever happened."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate(BEFORE)
    yield old
    _migrate(latest)


def _old_patient(apps, team, clinician, mrn: str, *, consent: bool):
    return apps.get_model("teams", "Patient").objects.create(
        mrn=mrn,
        given_name="Old",
        family_name=mrn,
        date_of_birth=date(1970, 1, 1),
        email=f"{mrn.lower()}@example.org",
        consent_to_reminders=consent,
        team_id=team.pk,
        primary_clinician_id=clinician.pk,
    )


def _old_schedule(apps, patient, *, consent_given_on: date, note: str = "", cadence: str = "daily"):
    return apps.get_model("checkins", "Schedule").objects.create(
        patient_id=patient.pk,
        cadence=cadence,
        weekdays=[1, 4],
        every_n_days=3,
        anchor_date=date(2026, 1, 2),
        local_time=time(18, 0),
        time_zone="Europe/London",
        channel="email",
        consent_given_on=consent_given_on,
        consent_note=note,
    )


# The team and clinician first: they are made with today's models, before the schema goes back.
def test_consent_moves_from_the_schedule_to_the_patient_and_back(north, clinician, old_schema):
    apps = old_schema
    consenting = _old_patient(apps, north, clinician, "MIG1", consent=True)
    _old_schedule(
        apps, consenting, consent_given_on=date(2026, 1, 12), note="Signed form", cadence="weekdays"
    )
    # The schedule said "consent given on", the patient's record said no: it never counted, and must not
    # start counting now.
    refused = _old_patient(apps, north, clinician, "MIG2", consent=False)
    _old_schedule(apps, refused, consent_given_on=date(2026, 1, 3))
    without_schedule = _old_patient(apps, north, clinician, "MIG3", consent=True)

    # The models as they stood then: today's have columns of later migrations.
    moved_apps = _migrate(
        [("checkins", "0005_schedule_consent_on_patient"), ("teams", "0012_patient_reminder_consent_dated")]
    )
    Patient = moved_apps.get_model("teams", "Patient")
    Schedule = moved_apps.get_model("checkins", "Schedule")

    moved = Patient.objects.get(pk=consenting.pk)
    assert (moved.consent_to_reminders, moved.reminder_consent_given_on) == (True, date(2026, 1, 12))
    assert moved.reminder_consent_note == "Signed form"
    still_no = Patient.objects.get(pk=refused.pk)
    assert not still_no.consent_to_reminders and still_no.reminder_consent_given_on is None
    undated = Patient.objects.get(pk=without_schedule.pk)
    # No day was kept for them: the day their record was made, and the note says so.
    assert undated.reminder_consent_given_on == timezone.localdate(without_schedule.created_at)
    assert undated.reminder_consent_note.startswith("Consent was on file before its day was kept")
    # Each schedule keeps only its own cadence's fields.
    weekly = Schedule.objects.get(patient_id=moved.pk)
    assert (weekly.weekdays, weekly.every_n_days, weekly.anchor_date) == ([1, 4], None, None)
    daily = Schedule.objects.get(patient_id=still_no.pk)
    assert (daily.weekdays, daily.every_n_days, daily.anchor_date) == ([], None, None)

    apps = _migrate(BEFORE)
    back = apps.get_model("checkins", "Schedule").objects.get(patient_id=consenting.pk)
    assert (back.consent_given_on, back.consent_note) == (date(2026, 1, 12), "Signed form")
    assert back.every_n_days == 2 and back.anchor_date is not None
    assert apps.get_model("teams", "Patient").objects.get(pk=consenting.pk).consent_to_reminders is True
