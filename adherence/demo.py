"""Demo adherence: twelve weeks of sessions, exercise logs and functional measures, some patients
keeping going, some slipping as their distress rises, so the dashboards tell a story. Idempotent."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from careplans.models import CarePlan, Exercise
from teams.demo import DemoCalendar

from . import rollups
from .models import ExerciseWeekLog, FunctionalMeasure, Session, WeekRollup
from .selectors import week_of

WEEKS = 12


def demo_adherence_seed(calendar: DemoCalendar) -> int:
    today = calendar.today
    plans = CarePlan.objects.filter(status=CarePlan.Status.ACTIVE).select_related(
        "patient__primary_clinician"
    )
    for index, plan in enumerate(plans.order_by("patient__mrn")):
        patient, clinician = plan.patient, plan.patient.primary_clinician
        if Session.objects.filter(patient=patient).exists():
            continue
        slipping = index % 3 == 2  # matches the deteriorating screening trajectory of the demo
        exercises = list(Exercise.objects.filter(plan=plan))
        for week in range(WEEKS, 0, -1):
            monday = week_of(today) - timedelta(weeks=week)
            late = week <= 5
            if slipping and late:
                status = Session.Status.MISSED if week % 2 else Session.Status.CANCELLED_BY_PATIENT
            else:
                status = Session.Status.ATTENDED if (week + index) % 6 else Session.Status.MISSED
            Session.objects.create(
                patient=patient,
                clinician=clinician,
                discipline=clinician.discipline,
                starts_at=timezone.make_aware(datetime.combine(monday + timedelta(days=1), time(10, 0))),
                status=status,
                recorded_at=calendar.now,
            )
            for exercise in exercises if monday >= plan.start_date else []:
                done = exercise.sessions_per_week - (2 if slipping and late else (week + index) % 2)
                ExerciseWeekLog.objects.create(
                    patient=patient,
                    exercise=exercise,
                    week_starting=monday,
                    sessions_done=max(0, done),
                    entered_by=clinician,
                )
        # Today's booked session, for the clinician's day list.
        Session.objects.create(
            patient=patient,
            clinician=clinician,
            discipline=clinician.discipline,
            starts_at=timezone.make_aware(datetime.combine(today, time(9 + index % 8, 0))),
        )
        for step, weeks_ago in enumerate((WEEKS, 6, 1)):
            gain = -1 if slipping and step == 2 else step * 2
            FunctionalMeasure.objects.create(
                patient=patient,
                kind=FunctionalMeasure.Kind.PSFS,
                label="Walking to the shops",
                value=max(0, min(10, 3 + gain)),
                unit="/10",
                measured_on=today - timedelta(weeks=weeks_ago),
                entered_by=clinician,
            )
            FunctionalMeasure.objects.create(
                patient=patient,
                kind=FunctionalMeasure.Kind.TIMED,
                label="30-second sit-to-stand",
                value=8 + (0 if slipping else step * 3),
                unit="repetitions",
                measured_on=today - timedelta(weeks=weeks_ago),
                entered_by=clinician,
            )
    return Session.objects.count()


def demo_rollups_seed(calendar: DemoCalendar) -> int:
    """The dashboard's weekly roll-ups for what the demo seeded, so it shows figures straight away."""
    rollups.refresh(today=calendar.today)
    return WeekRollup.objects.count()
