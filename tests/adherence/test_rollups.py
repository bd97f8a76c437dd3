"""The weekly roll-ups agree with the live metrics, and every kind of write reaches them."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connections
from django.urls import reverse

from adherence import metrics, rollups
from adherence.models import ExerciseWeekLog, RollupStale, Session
from careplans.models import CarePlan
from careplans.services import part_update
from checkins.models import ExerciseLog, Reminder
from screening.models import Battery
from teams.models import Membership, Patient

from ..careplans.factories import make_exercise, make_goal, make_milestone, make_plan
from ..checkins.factories import make_schedule
from ..factories import PatientFactory, UserFactory
from ..screening.factories import phq9, record

START, END = date(2026, 8, 31), date(2026, 9, 28)  # four whole weeks, Monday to Monday
TODAY = date(2026, 9, 27)  # a Sunday: milestones due later do not count yet
LIVE = {
    "exercise": lambda patients, by: metrics.exercise_completion_by(patients, START, END, by),
    "attendance": lambda patients, by: metrics.attendance_by(patients, START, END, by),
    "milestones": lambda patients, by: metrics.milestone_progress_by(patients, START, END, TODAY, by),
    "checkins": lambda patients, by: metrics.checkin_response_by(patients, START, END, by),
}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _active(plan, user, **data):
    return part_update(
        instance=plan, data={"status": "active", **data}, expected_version=plan.version, user=user
    )


def _history(patient, clinician, *, stratum, offset):
    """Four weeks of everything the dashboard counts, varied by ``offset``."""
    battery = Battery.objects.get_or_create(
        name="Milestone", defaults={"instruments": ["PHQ-9"], "timepoint": "milestone"}
    )[0]
    plan = make_plan(patient, clinician, risk_stratum=stratum)
    squat = make_exercise(plan, clinician, sessions_per_week=3 + offset)
    bridge = make_exercise(plan, clinician, sessions_per_week=2)
    if stratum:
        _active(plan, clinician, start_date=date(2026, 9, 3 + offset))
    statuses = ["attended", "missed", "cancelled_patient", "cancelled_clinic", "scheduled", "attended"]
    schedule = make_schedule(patient)
    for day in range(0, 27, 2 + offset):
        moment = START + timedelta(days=day)
        Session.objects.create(
            patient=patient,
            clinician=clinician,
            discipline=clinician.discipline,
            status=statuses[(day + offset) % len(statuses)],
            starts_at=_at(moment, 23 if day % 4 else 9),  # late evening UTC is the next day in summer time
        )
        ExerciseLog.objects.create(
            patient=patient, exercise=squat, logged_for=moment, done=["done", "partly", "not_done"][day % 3]
        )
        Reminder.objects.create(
            schedule=schedule,
            patient=patient,
            due_at=_at(moment, 17),
            sent_at=_at(moment, 17),
            status="completed" if (day + offset) % 3 else "expired",
            channel="email",
        )
    ExerciseWeekLog.objects.create(
        patient=patient,
        exercise=bridge,
        week_starting=date(2026, 9, 7),
        sessions_done=1 + offset,
        entered_by=clinician,
    )
    goal = make_goal(plan, clinician)
    make_milestone(goal, clinician, due_date=date(2026, 9, 10), achieved_on=date(2026, 9, 9), battery=battery)
    make_milestone(goal, clinician, due_date=date(2026, 9, 16 + offset), achieved_on=date(2026, 9, 18))
    make_milestone(goal, clinician, due_date=date(2026, 9, 26))
    make_milestone(goal, clinician, due_date=date(2026, 9, 28))  # after today: not yet counted
    record(
        patient,
        clinician,
        answers=phq9(3, 3, 3, 3, 3, 1 + offset),
        timepoint="intake",
        administered_at=_at(START),
    )
    record(
        patient,
        clinician,
        answers=phq9(1, 1, offset),
        timepoint="milestone",
        administered_at=_at(date(2026, 9, 12)),
    )


@pytest.fixture
def clinic(north, south, clinician, outsider, patient, south_patient):
    psychologist = UserFactory(username="psych", discipline="psychologist")
    Membership.objects.create(team=north, user=psychologist)
    discharged = PatientFactory(team=north, primary_clinician=psychologist, status=Patient.Status.DISCHARGED)
    _history(patient, clinician, stratum="high", offset=0)
    _history(discharged, psychologist, stratum="", offset=1)
    _history(south_patient, outsider, stratum="low", offset=2)
    assert rollups.refresh(today=TODAY)
    return {"north": north, "discharged": discharged}


def _pairs(rates: dict) -> dict:
    return {group: (rate.numerator, rate.denominator) for group, rate in rates.items()}


def test_the_rollups_sum_to_the_live_metrics_overall_and_in_every_breakdown(clinic):
    every = Patient.objects.all()
    grouped = rollups.grouped(rollups.Scope(None), START, END)
    overall = grouped[None][None]
    for key, live in LIVE.items():
        assert (getattr(overall, key).numerator, getattr(overall, key).denominator) == _pairs(
            live(every, None)
        )[None]
        for by in metrics.BREAKDOWNS:
            from_rollups = {group: getattr(figures, key) for group, figures in grouped[by].items()}
            expected = {g: pair for g, pair in _pairs(live(every, by)).items() if pair[1]}
            assert {g: pair for g, pair in _pairs(from_rollups).items() if pair[1]} == expected, (key, by)
    screening = metrics.screening_at_milestones(every, START, END)
    assert (overall.screening.numerator, overall.screening.denominator) == (
        screening.numerator,
        screening.denominator,
    )
    assert overall.screening.denominator == 3
    assert rollups.outcomes(rollups.Scope(None)) == metrics.outcome_change(every)


def test_each_week_and_each_filter_agree_with_the_live_metrics(clinic):
    north = clinic["north"]
    scope = rollups.Scope([north.pk], status="active")
    patients = Patient.objects.filter(team=north, status="active")
    weeks = rollups.weekly(scope, START, END)
    for n in range(4):
        monday = START + timedelta(weeks=n)
        live = metrics.attendance(patients, monday, monday + timedelta(weeks=1))
        assert (weeks[monday].attendance.numerator, weeks[monday].attendance.denominator) == (
            live.numerator,
            live.denominator,
        )
    headline = rollups.grouped(scope, START, END)[None][None]
    assert headline.attendance == metrics.attendance(patients, START, END)
    high = rollups.grouped(rollups.Scope(None, stratum="high"), START, END)[None][None]
    assert high.checkins.denominator == 14 and high.checkins.numerator == 9


def test_a_write_to_an_old_week_marks_it_and_the_next_refresh_counts_it(clinic, clinician, patient, north):
    before = rollups.grouped(rollups.Scope([north.pk]), START, END)[None][None].attendance
    Session.objects.create(
        patient=patient,
        clinician=clinician,
        discipline=clinician.discipline,
        status="attended",
        starts_at=_at(START),
    )
    assert RollupStale.objects.filter(team_id=north.pk, week=START, onwards=False).exists()
    unchanged = rollups.grouped(rollups.Scope([north.pk]), START, END)[None][None].attendance
    assert unchanged == before
    rollups.refresh(today=TODAY)
    after = rollups.grouped(rollups.Scope([north.pk]), START, END)[None][None].attendance
    assert (after.numerator, after.denominator) == (before.numerator + 1, before.denominator + 1)
    assert not RollupStale.objects.exists()


def test_moving_a_patient_to_another_team_moves_their_history(clinic, patient, north, south):
    grouped = rollups.grouped(rollups.Scope(None), START, END)
    north_before, south_before = grouped["team"]["North MSK"], grouped["team"]["South MSK"]
    mine = rollups.grouped(rollups.Scope([north.pk], status="active"), START, END)[None][None]
    Patient.objects.filter(pk=patient.pk).update(team=south)
    rollups.refresh(today=TODAY)
    moved = rollups.grouped(rollups.Scope(None), START, END)["team"]
    assert moved["South MSK"].attendance.denominator == (
        south_before.attendance.denominator + mine.attendance.denominator
    )
    assert moved["North MSK"].attendance.denominator == (
        north_before.attendance.denominator - mine.attendance.denominator
    )


def test_a_plans_new_stratum_regroups_every_week(clinic, patient, clinician):
    plan = CarePlan.objects.get(patient=patient)
    part_update(instance=plan, data={"risk_stratum": "medium"}, expected_version=plan.version, user=clinician)
    rollups.refresh(today=TODAY)
    by_stratum = rollups.grouped(rollups.Scope(None), START, END)["stratum"]
    assert "high" not in by_stratum
    assert by_stratum["medium"].attendance == metrics.attendance(
        Patient.objects.filter(pk=patient.pk), START, END
    )


def test_a_refresh_while_another_runs_leaves_the_work_to_it(clinic):
    """The fixture's refresh is still inside this test's open transaction, so it holds the lock."""
    answers = []

    def elsewhere():
        try:
            answers.append(rollups.refresh(today=TODAY))
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join(timeout=30)
    assert answers == [False]


def test_the_dashboard_reads_the_rollups_and_says_when_they_were_refreshed(login, clinic_admin, clinic):
    page = login(clinic_admin).get(reverse("clinic_dashboard"), {"start": "2026-09-01", "end": "2026-09-24"})
    assert page.context["window"].start == START and page.context["window"].end == END
    every = Patient.objects.all()
    assert page.context["headline"]["attendance"] == metrics.attendance(every, START, END)
    assert "Figures as of" in page.text
