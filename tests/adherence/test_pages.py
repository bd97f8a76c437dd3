from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adherence.models import ExerciseWeekLog, FunctionalMeasure, Session
from careplans.services import part_update
from checkins.models import CheckIn
from teams.models import AuditEvent

from ..careplans.factories import make_exercise, make_plan


def test_a_session_is_recorded_in_one_click_from_the_overview(login, clinician, patient):
    client = login(clinician)
    response = client.post(
        reverse("session_record", kwargs={"patient_id": patient.pk}), {"status": "attended"}
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.clinician, session.discipline, session.status) == (
        clinician,
        "physiotherapist",
        "attended",
    )
    assert AuditEvent.objects.filter(object_type="session", action=AuditEvent.Action.CREATE).exists()
    assert "Attended" in client.get(patient.get_absolute_url()).text
    bad = client.post(reverse("session_record", kwargs={"patient_id": patient.pk}), {"status": "partying"})
    assert bad.status_code == 302 and Session.objects.count() == 1


def test_day_list_records_booked_sessions_in_one_click(login, clinician, colleague, patient):
    booked = Session.objects.create(
        patient=patient,
        clinician=clinician,
        discipline="physiotherapist",
        # 10:00 on the clinic's today, which is not UTC's today after midnight in summer.
        starts_at=timezone.localtime().replace(hour=10, minute=0),
    )
    Session.objects.create(
        patient=patient, clinician=colleague, discipline="psychologist", starts_at=timezone.now()
    )
    client = login(clinician)
    page = client.get(reverse("day_list"))
    assert [s.pk for s in page.context["sessions"]] == [booked.pk]
    client.post(
        reverse("session_status", kwargs={"patient_id": patient.pk, "session_id": booked.pk}),
        {"status": "missed", "back": "day"},
    )
    booked.refresh_from_db()
    assert booked.status == "missed" and booked.recorded_at is not None


def test_clinician_exercise_week_log_is_checked_against_the_prescription(login, clinician, patient):
    plan = make_plan(patient, clinician)
    exercise = make_exercise(plan, clinician, sessions_per_week=5)
    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    client = login(clinician)
    url = reverse("exercise_log_new", kwargs={"patient_id": patient.pk})
    monday = date(2026, 11, 23)
    too_many = client.post(url, {"exercise": exercise.pk, "week_starting": monday, "sessions_done": 6})
    assert "At most 5" in too_many.context["form"].errors["sessions_done"][0]
    not_monday = client.post(
        url, {"exercise": exercise.pk, "week_starting": monday + timedelta(days=2), "sessions_done": 3}
    )
    assert "Monday" in not_monday.context["form"].errors["week_starting"][0]
    client.post(url, {"exercise": exercise.pk, "week_starting": monday, "sessions_done": 3})
    assert ExerciseWeekLog.objects.get().sessions_done == 3


def test_functional_measures_are_validated_and_shown_as_a_series(login, clinician, patient):
    client = login(clinician)
    url = reverse("measure_new", kwargs={"patient_id": patient.pk})
    bad = client.post(
        url, {"kind": "psfs", "label": "Gardening", "value": 12, "unit": "/10", "measured_on": "2026-11-01"}
    )
    assert "0 to 10" in bad.context["form"].errors["value"][0]
    for day, value in ((1, 3), (15, 6)):
        client.post(
            url,
            {
                "kind": "psfs",
                "label": "Gardening",
                "value": value,
                "unit": "/10",
                "measured_on": f"2026-11-{day:02d}",
            },
        )
    assert FunctionalMeasure.objects.count() == 2
    assert "Gardening (/10): 3 → 6" in client.get(patient.get_absolute_url()).text


def test_adherence_panel_runs_the_same_queries_with_little_or_much_history(
    login, clinician, north, patient, django_assert_max_num_queries
):
    from ..factories import PatientFactory

    busy = PatientFactory(team=north, primary_clinician=clinician)
    Session.objects.create(
        patient=patient, clinician=clinician, discipline="physiotherapist", starts_at=timezone.now()
    )
    CheckIn.objects.create(patient=patient, mood=5, pain=4, sleep_quality=6, sleep_hours=7)
    for days in range(80):
        moment = datetime(2026, 9, 1, 10, tzinfo=UTC) + timedelta(days=days)
        Session.objects.create(
            patient=busy,
            clinician=clinician,
            discipline="physiotherapist",
            starts_at=moment,
            status="attended",
        )
        CheckIn.objects.create(patient=busy, mood=5, pain=4, sleep_quality=6, sleep_hours=7)
    client = login(clinician)
    counts = []
    for who in (patient, busy):
        with CaptureQueriesContext(connection) as queries:
            client.get(who.get_absolute_url())
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The whole overview: with the alert history (issue 18), the psychosocial reviews, the follow-up
    # screening and who does what in the plan (issue 19).
    with django_assert_max_num_queries(30):
        client.get(busy.get_absolute_url())


def test_patient_weeks_put_adherence_beside_mood_and_pain(clinician, patient):
    from adherence.selectors import patient_weeks, week_of
    from checkins.models import ExerciseLog

    plan = make_plan(patient, clinician)
    exercise = make_exercise(plan, clinician, sessions_per_week=2)
    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    today = date(2026, 11, 25)  # a Wednesday; the plan started on 1 September
    monday = week_of(today)
    ExerciseLog.objects.create(patient=patient, exercise=exercise, logged_for=monday, done="done")
    ExerciseLog.objects.create(patient=patient, exercise=exercise, logged_for=monday, done="partly")
    # Checked in on that Wednesday: the week's mood and pain are read by when they were sent.
    with time_machine.travel(datetime(2026, 11, 25, 12, 0, tzinfo=UTC), tick=False):
        CheckIn.objects.create(patient=patient, mood=4, pain=6, sleep_quality=5, sleep_hours=7)
        weeks = patient_weeks(patient=patient)
    assert len(weeks) == 12 and weeks[-1].starts == monday
    this_week = weeks[-1]
    # Three days of the week so far (Mon-Wed) at 2 a week: 6/7 prescribed; 1.5 logged.
    assert this_week.exercise.numerator == 1.5
    assert this_week.exercise.denominator == Decimal(6) / 7
    assert (this_week.mood, this_week.pain) == (4.0, 6.0)
    assert weeks[0].attendance.percent == "—"


def test_a_measure_can_belong_to_a_session(login, clinician, patient):
    session = Session.objects.create(
        patient=patient, clinician=clinician, discipline="physiotherapist", starts_at=timezone.now()
    )
    login(clinician).post(
        reverse("measure_new", kwargs={"patient_id": patient.pk}),
        {
            "kind": "rom",
            "label": "Knee flexion",
            "value": 95,
            "unit": "degrees",
            "measured_on": "2026-11-20",
            "session": session.pk,
        },
    )
    assert FunctionalMeasure.objects.get().session == session
