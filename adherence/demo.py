"""Demo adherence: twelve weeks of sessions, exercise logs and functional measures, some patients
keeping going, some slipping as their distress rises, so the dashboards tell a story. Idempotent."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from careplans.models import CarePlan, Exercise
from teams.demo import DemoCalendar
from teams.models import Patient, User

from . import rollups, services
from .models import (
    ExerciseWeekLog,
    FunctionalMeasure,
    Session,
    SessionClinician,
    SessionModality,
    SessionSeries,
    WeekRollup,
)
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
    # Each session credits its clinician, as every service that writes one does.
    SessionClinician.objects.bulk_create(
        SessionClinician(session_id=pk, clinician_id=clinician, discipline=discipline)
        for pk, clinician, discipline in Session.objects.filter(credits__isnull=True).values_list(
            "pk", "clinician", "discipline"
        )
    )
    return Session.objects.count()


def demo_rollups_seed(calendar: DemoCalendar) -> int:
    """The dashboard's weekly roll-ups for what the demo seeded, so it shows figures straight away."""
    rollups.refresh(today=calendar.today)
    return WeekRollup.objects.count()


# --- sessions (issue 20) ---------------------------------------------------------------------------


PAST_OUTCOMES = [Session.Status.ATTENDED, Session.Status.ATTENDED, Session.Status.MISSED]


def demo_sessions_seed(calendar: DemoCalendar) -> int:
    """Joint and remote sessions for a few North MSK patients, booked through the service: a fortnightly
    joint video series with the physio and the psychologist that began four weeks ago and has one today
    (so both see joint sessions in My day), and weekly phone calls with the physician or a group class
    with the OT; the sessions already past have their outcome, for the dashboard's breakdown. Idempotent:
    a patient with a series booked is left as is."""
    names = ["physio", "psych", "physician", "ot"]
    staff = {user.username: user for user in User.objects.filter(username__in=names)}
    if len(staff) < len(names):
        return SessionSeries.objects.count()
    patients = (
        Patient.objects.filter(team__name="North MSK", care_plans__status=CarePlan.Status.ACTIVE)
        .order_by("mrn")
        .distinct()[:4]
    )
    today = calendar.today

    def at(day, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    for index, patient in enumerate(patients):
        if SessionSeries.objects.filter(patient=patient).exists():
            continue
        booked = services.session_book(
            patient=patient,
            clinicians=[staff["physio"], staff["psych"]],
            starts_at=at(today - timedelta(weeks=4), 13 + index, 30),
            modality=SessionModality.VIDEO,
            video_link=f"https://video.rehabcare.example/joint-{patient.mrn.lower()}",
            every_weeks=2,
            count=6,
            user=staff["physio"],
        )
        if index % 2 == 0:
            booked += services.session_book(
                patient=patient,
                clinicians=[staff["physician"]],
                starts_at=at(today - timedelta(days=12), 9 + index),
                modality=SessionModality.PHONE,
                every_weeks=1,
                count=4,
                user=staff["physician"],
            )
        else:
            booked += services.session_book(
                patient=patient,
                clinicians=[staff["ot"]],
                starts_at=at(today - timedelta(days=18), 11),
                modality=SessionModality.GROUP,
                every_weeks=1,
                count=4,
                user=staff["ot"],
            )
        past = [session for session in booked if timezone.localdate(session.starts_at) < today]
        for number, session in enumerate(past):
            outcome = PAST_OUTCOMES[(number + index) % len(PAST_OUTCOMES)]
            services.session_set_status(session=session, status=outcome, user=session.clinician)
    return SessionSeries.objects.count()
