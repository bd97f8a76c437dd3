"""The demo's behavioural activation: a few North MSK patients with check-in links get activities (ticked
in their check-ins of the last two weeks) and barrier logs, one pending long enough to be on the next
conference's agenda and one reviewed as worked; seeding again adds nothing."""

from datetime import UTC, datetime, timedelta

from careplans.agenda import barriers_to_review
from careplans.models import Activity, Barrier, CarePlan
from checkins.demo import demo_activation_seed
from checkins.models import ActivityLog, CheckIn
from teams.demo import DemoCalendar
from teams.models import Patient

from ..checkins.factories import make_schedule
from ..factories import PatientFactory
from .factories import make_plan

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _with_checkins(patient, days=20):
    plan = make_plan(patient, patient.primary_clinician)
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.ACTIVE)
    make_schedule(patient)
    for days_ago in range(days, 0, -1):
        checkin = CheckIn.objects.create(patient=patient, mood=6, pain=4, sleep_quality=6, sleep_hours=7)
        CheckIn.objects.filter(pk=checkin.pk).update(submitted_at=NOW - timedelta(days=days_ago, hours=2))
    return plan


def test_the_demo_gives_a_few_north_patients_activities_ticked_and_barrier_logs(
    north, south, clinician, outsider
):
    patients = [PatientFactory(team=north, primary_clinician=clinician) for _ in range(8)]
    for patient in patients:
        _with_checkins(patient)
    _with_checkins(PatientFactory(team=south, primary_clinician=outsider))
    calendar = DemoCalendar.at(NOW)

    count = demo_activation_seed(calendar)

    activities = Activity.objects.select_related("plan__patient")
    assert count == activities.count() + Barrier.objects.count()
    with_activities = {activity.plan.patient for activity in activities}
    assert len(with_activities) == 3 and all(patient.team == north for patient in with_activities)
    # Ticked in the check-ins of the last two weeks only, on the days each activity was planned.
    logs = ActivityLog.objects.select_related("activity", "checkin")
    assert logs.exists() and {log.done for log in logs} == {"done", "partly", "not_done"}
    assert all(log.checkin.submitted_at >= NOW - timedelta(days=14) for log in logs)
    assert all(not log.activity.days or log.logged_for.weekday() in log.activity.days for log in logs)
    # One pending long enough for the next conference's agenda; one reviewed as worked there.
    found = barriers_to_review(Patient.objects.filter(team=north), day=calendar.next_day)
    assert len(found) == 1 and "Too tired after work" in found[0][1]
    worked = Barrier.objects.get(outcome=Barrier.Outcome.WORKED)
    assert worked.reviewed_on is not None and worked.reviewed_on <= calendar.today
    assert worked.history.latest().history_change_reason.startswith("Reviewed at the case conference of")

    logged = logs.count()
    assert demo_activation_seed(calendar) == count
    assert ActivityLog.objects.count() == logged
