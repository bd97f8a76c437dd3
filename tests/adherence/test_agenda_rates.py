"""The agenda's adherence reasons ask PostgreSQL for the few patients under a threshold; the figures they
hand back are the metrics' own per patient (``metrics.exercise_completion_by`` and ``attendance_by``),
and a patient exactly at a threshold is not under it."""

from datetime import UTC, date, datetime, timedelta

from adherence import agenda, metrics
from adherence.models import ExerciseWeekLog, Session
from careplans.models import CarePlan
from careplans.services import part_update
from checkins.models import ExerciseLog
from teams.models import Patient

from ..careplans.factories import make_exercise, make_plan
from ..factories import PatientFactory

START, END = date(2026, 9, 7), date(2026, 9, 21)  # two weeks, Monday to Monday
EVERYONE = 10_000  # a threshold (%) no rate reaches: every patient with something to count


def _active(plan, user):
    return part_update(
        instance=plan, data={"status": CarePlan.Status.ACTIVE}, expected_version=plan.version, user=user
    )


def _team(north, clinician):
    """Patients with every kind of exercise record: ticks done, partly and not done, a clinician's week
    log, a plan started inside the window, one started after it, a draft plan, no plan at all."""
    people = PatientFactory.create_batch(7, team=north, primary_clinician=clinician)
    ticks, week_log, late_start, after_window, draft, no_plan, over = people
    for someone, start in ((ticks, None), (week_log, None), (late_start, date(2026, 9, 16)), (over, None)):
        plan = make_plan(someone, clinician, **({"start_date": start} if start else {}))
        exercise = make_exercise(_active(plan, clinician), clinician, sessions_per_week=3)
        if someone is ticks:
            for day, done in ((7, "done"), (8, "partly"), (9, "not_done"), (10, "partly"), (21, "done")):
                ExerciseLog.objects.create(
                    patient=someone, exercise=exercise, logged_for=date(2026, 9, day), done=done
                )
        if someone is week_log:
            ExerciseWeekLog.objects.create(
                patient=someone, exercise=exercise, week_starting=START, sessions_done=2, entered_by=clinician
            )
        if someone in (late_start, over):
            for day in range(16, 21):
                ExerciseLog.objects.create(
                    patient=someone, exercise=exercise, logged_for=date(2026, 9, day), done="done"
                )
    plan = make_plan(after_window, clinician, start_date=date(2026, 9, 25))
    make_exercise(_active(plan, clinician), clinician, sessions_per_week=5)
    make_exercise(make_plan(draft, clinician), clinician, sessions_per_week=5)
    ExerciseLog.objects.create(
        patient=no_plan,
        exercise=make_exercise(make_plan(no_plan, clinician), clinician),
        logged_for=date(2026, 9, 8),
        done="done",
    )
    return Patient.objects.filter(team=north)


def test_exercise_rates_are_the_metrics_own(north, clinician):
    patients = _team(north, clinician)
    defined = {
        patient_id: rate
        for patient_id, rate in metrics.exercise_completion_by(patients, START, END, metrics.PATIENT).items()
        if rate.value is not None
    }
    assert len(defined) == 4  # the ticks, the week log, the late start and the patient over 100%
    assert agenda.exercise_at_most(patients, START, END, EVERYONE) == defined
    # At most 25%: the ticks (2 of 6 sessions, 33%) are not, the week log (2 of 6) neither.
    assert agenda.exercise_at_most(patients, START, END, 25) == {}


def _sessions(patient, clinician, *statuses):
    for number, status in enumerate(statuses):
        Session.objects.create(
            patient=patient,
            clinician=clinician,
            discipline=clinician.discipline,
            starts_at=datetime(2026, 9, 8, 10, 0, tzinfo=UTC) + timedelta(days=number),
            status=status,
        )


def test_attendance_rates_are_the_metrics_own(north, clinician):
    first, second, third = PatientFactory.create_batch(3, team=north, primary_clinician=clinician)
    _sessions(first, clinician, "attended", "missed", "cancelled_patient", "cancelled_clinic")
    _sessions(second, clinician, "attended", "attended", "scheduled")
    _sessions(third, clinician, "cancelled_clinic", "scheduled")  # nothing counted: no rate
    patients = Patient.objects.filter(team=north)
    defined = {
        patient_id: rate
        for patient_id, rate in metrics.attendance_by(patients, START, END, metrics.PATIENT).items()
        if rate.value is not None
    }
    assert set(defined) == {first.pk, second.pk}
    assert agenda.attendance_at_most(patients, START, END, EVERYONE) == defined
    assert set(agenda.attendance_at_most(patients, START, END, 34)) == {first.pk}


def test_a_rate_exactly_at_the_threshold_is_not_under_it(north, clinician):
    patient = PatientFactory(team=north, primary_clinician=clinician)
    _sessions(patient, clinician, "attended", "missed")  # 50%
    patients = Patient.objects.filter(team=north)
    # Kept by the query (at most 50%), then judged as Rate compares: not under 50%.
    assert set(agenda.attendance_at_most(patients, START, END, 50)) == {patient.pk}
    assert agenda.attendance_low(patients, as_of_day=END, days=14, below=50) == []
    assert agenda.attendance_low(patients, as_of_day=END, days=14, below=51) == [
        (patient.pk, "50% of sessions attended 7 Sep–20 Sep (1 of 2; under 51%)")
    ]
