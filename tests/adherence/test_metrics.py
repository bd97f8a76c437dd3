"""Each metric on a small hand-computed case, and on an empty window (no value, shown as "—")."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from adherence import metrics
from adherence.models import ExerciseWeekLog, Session
from careplans.models import CarePlan, Milestone
from careplans.services import part_update
from checkins.models import ExerciseLog, Reminder
from screening.models import Battery
from teams.models import Patient

from ..careplans.factories import make_exercise, make_goal, make_milestone, make_plan
from ..checkins.factories import make_schedule
from ..screening.factories import phq9, record

START, END = date(2026, 9, 7), date(2026, 9, 21)  # two weeks, Monday to Monday


def _patients(*patients):
    return Patient.objects.filter(pk__in=[p.pk for p in patients])


def _active(plan, user):
    return part_update(
        instance=plan, data={"status": CarePlan.Status.ACTIVE}, expected_version=plan.version, user=user
    )


def test_empty_windows_have_no_value_and_show_a_dash(patient):
    patients = _patients(patient)
    for rate in (
        metrics.exercise_completion(patients, START, END),
        metrics.attendance(patients, START, END),
        metrics.milestone_progress(patients, START, END, today=END),
        metrics.checkin_response(patients, START, END),
        metrics.screening_at_milestones(patients, START, END),
    ):
        assert rate.value is None
        assert rate.percent == "—"
    assert metrics.outcome_change(patients) == []


def test_exercise_completion_counts_ticks_halves_and_week_logs_against_the_prescription(patient, clinician):
    plan = _active(make_plan(patient, clinician), clinician)  # started 1 Sep, before the window
    squat = make_exercise(plan, clinician, sessions_per_week=3)
    bridge = make_exercise(plan, clinician, sessions_per_week=4)
    # Prescribed over 14 days: (3 + 4) × 14 / 7 = 14 sessions.
    for day, done in ((8, "done"), (9, "partly"), (10, "not_done"), (30, "done")):
        ExerciseLog.objects.create(patient=patient, exercise=squat, logged_for=date(2026, 9, day), done=done)
    ExerciseWeekLog.objects.create(
        patient=patient, exercise=bridge, week_starting=START, sessions_done=3, entered_by=clinician
    )
    rate = metrics.exercise_completion(_patients(patient), START, END)
    # Logged: 1 (done) + ½ (partly) + 3 (week log) = 4.5 of 14.
    assert (rate.numerator, rate.denominator) == (Decimal("4.5"), Decimal(14))
    assert rate.percent == "32%"


def test_exercise_prescription_counts_only_the_days_the_plan_ran(patient, clinician):
    plan = make_plan(patient, clinician)
    plan = part_update(
        instance=plan, data={"start_date": date(2026, 9, 14)}, expected_version=1, user=clinician
    )
    plan = _active(plan, clinician)
    make_exercise(plan, clinician, sessions_per_week=7)
    rate = metrics.exercise_completion(_patients(patient), START, END)
    assert rate.denominator == Decimal(7)  # 7 days of the window × 7 a week ÷ 7


def test_attendance_ignores_sessions_the_clinic_cancelled(patient, clinician):
    statuses = [
        "attended",
        "attended",
        "attended",
        "missed",
        "cancelled_patient",
        "cancelled_clinic",
        "scheduled",
    ]
    for number, status in enumerate(statuses):
        Session.objects.create(
            patient=patient,
            clinician=clinician,
            discipline="physiotherapist",
            status=status,
            starts_at=datetime(2026, 9, 8 + number, 10, 0, tzinfo=UTC),
        )
    Session.objects.create(
        patient=patient,
        clinician=clinician,
        discipline="physiotherapist",
        status="missed",
        starts_at=datetime(2026, 9, 30, 10, 0, tzinfo=UTC),
    )
    rate = metrics.attendance(_patients(patient), START, END)
    assert (rate.numerator, rate.denominator) == (3, 5)
    assert rate.percent == "60%"


def test_milestone_progress_is_on_time_over_due(patient, clinician):
    goal = make_goal(make_plan(patient, clinician), clinician)
    make_milestone(goal, clinician, due_date=date(2026, 9, 10), achieved_on=date(2026, 9, 9))  # on time
    make_milestone(goal, clinician, due_date=date(2026, 9, 12), achieved_on=date(2026, 9, 15))  # late
    make_milestone(goal, clinician, due_date=date(2026, 9, 14))  # not reached
    make_milestone(goal, clinician, due_date=date(2026, 9, 19))  # not due yet on the 16th
    make_milestone(goal, clinician, due_date=date(2026, 10, 1))  # outside the window
    rate = metrics.milestone_progress(_patients(patient), START, END, today=date(2026, 9, 16))
    assert (rate.numerator, rate.denominator) == (1, 3)


def test_checkin_response_is_completed_over_sent(patient):
    schedule = make_schedule(patient)
    for day, status in ((8, "completed"), (9, "completed"), (10, "expired"), (11, "sent"), (25, "completed")):
        moment = datetime(2026, 9, day, 17, 0, tzinfo=UTC)
        Reminder.objects.create(
            schedule=schedule, patient=patient, due_at=moment, sent_at=moment, status=status, channel="email"
        )
    Reminder.objects.create(
        schedule=schedule,
        patient=patient,
        due_at=datetime(2026, 9, 12, 17, tzinfo=UTC),
        status="failed",
        channel="email",
    )
    rate = metrics.checkin_response(_patients(patient), START, END)
    assert (rate.numerator, rate.denominator) == (2, 4)


def test_screening_completion_at_milestones(patient, clinician):
    battery = Battery.objects.get_or_create(
        name="Milestone", defaults={"instruments": ["PHQ-9"], "timepoint": "milestone"}
    )[0]
    goal = make_goal(make_plan(patient, clinician), clinician)
    make_milestone(goal, clinician, battery=battery, achieved_on=date(2026, 9, 8))
    make_milestone(goal, clinician, battery=battery, achieved_on=date(2026, 9, 15), description="Later")
    make_milestone(goal, clinician, achieved_on=date(2026, 9, 15), description="No battery")
    record(patient, clinician, timepoint="milestone", administered_at=datetime(2026, 9, 10, 9, tzinfo=UTC))
    rate = metrics.screening_at_milestones(_patients(patient), START, END)
    # The screening of the 10th follows the milestone reached on the 8th; none follows the 15th's.
    assert (rate.numerator, rate.denominator) == (1, 2)
    assert Milestone.objects.count() == 3


def test_outcome_change_between_intake_and_latest(patient, clinician, north):
    from ..factories import PatientFactory

    others = [PatientFactory(team=north, primary_clinician=clinician) for _ in range(3)]
    day = lambda n: datetime(2026, 9, n, 9, tzinfo=UTC)  # noqa: E731
    # PHQ-9 (lower is better; rc 6, mcid 5): 20 → 12 reliable, 20 → 15 important only, 10 → 9 neither.
    for who, first, last in ((patient, 20, 12), (others[0], 20, 15), (others[1], 10, 9)):
        record(who, clinician, answers=_phq9_total(first), timepoint="intake", administered_at=day(1))
        record(who, clinician, answers=_phq9_total(last), timepoint="milestone", administered_at=day(20))
    record(
        others[2], clinician, answers=_phq9_total(24), timepoint="intake", administered_at=day(1)
    )  # no follow-up
    [phq] = metrics.outcome_change(_patients(patient, *others))
    assert phq.instrument == "PHQ-9" and phq.patients == 3
    assert (phq.reliable_improvement.numerator, phq.reliable_improvement.denominator) == (1, 3)
    assert phq.clinically_important_improvement.numerator == 2


def test_outcome_change_takes_the_mcid_for_the_patients_baseline(patient, clinician, north):
    """PCS's MCID is 8 below a baseline of 30 and 11 from 30 (Monticone 2022): a 10-point fall is
    clinically important from 25, not from 34 (neither is reliable: the RC is 12.8)."""
    from ..factories import PatientFactory
    from ..routing.helpers import answers_for

    other = PatientFactory(team=north, primary_clinician=clinician)
    day = lambda n: datetime(2026, 9, n, 9, tzinfo=UTC)  # noqa: E731
    for who, first, last in ((patient, 25, 15), (other, 34, 24)):
        record(
            who,
            clinician,
            code="PCS",
            answers=answers_for("PCS", first),
            timepoint="intake",
            administered_at=day(1),
        )
        record(
            who,
            clinician,
            code="PCS",
            answers=answers_for("PCS", last),
            timepoint="milestone",
            administered_at=day(20),
        )
    [pcs] = metrics.outcome_change(_patients(patient, other))
    assert (pcs.instrument, pcs.patients, pcs.reliable_improvement.numerator) == ("PCS", 2, 0)
    assert pcs.clinically_important_improvement.numerator == 1


def _phq9_total(total: int) -> dict[str, int]:
    scores = [min(3, max(0, total - 3 * n)) for n in range(8)]
    assert sum(scores) == total
    return phq9(*scores)


def test_rates_never_divide_by_zero():
    assert metrics.Rate(Decimal(0), Decimal(0)).percent == "—"
    assert metrics.Rate(Decimal(1), Decimal(3)).percent == "33%"
    assert START + timedelta(days=14) == END


def test_breakdown_by_stratum_reads_the_active_plan_only(north, clinician, patient):
    from ..factories import PatientFactory

    without_plan = PatientFactory(team=north, primary_clinician=clinician)
    finished = PatientFactory(team=north, primary_clinician=clinician)
    _active(make_plan(patient, clinician, risk_stratum="high"), clinician)
    done = _active(make_plan(finished, clinician, risk_stratum="low"), clinician)
    part_update(
        instance=done,
        data={"status": CarePlan.Status.COMPLETED},
        expected_version=done.version,
        user=clinician,
    )
    for who, status in ((patient, "attended"), (without_plan, "missed"), (finished, "attended")):
        Session.objects.create(
            patient=who,
            clinician=clinician,
            discipline="physiotherapist",
            starts_at=datetime(2026, 9, 8, 10, tzinfo=UTC),
            status=status,
        )
    rates = metrics.attendance_by(_patients(patient, without_plan, finished), START, END, "stratum")
    assert {group: (rate.numerator, rate.denominator) for group, rate in rates.items()} == {
        "high": (1, 1),
        None: (1, 2),
    }
