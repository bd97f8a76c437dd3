"""Demo schedules: patients with an active plan and consent get daily check-ins, some already
answered, so `make run` shows reminders flowing (beat dispatches, the outbox fills)."""

from datetime import time, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from careplans.education_seed import education_ensure
from careplans.models import CarePlan, EducationAssignment, EducationItem
from careplans.services import education_assign
from teams.demo import DemoCalendar
from teams.models import Patient

from .models import CheckIn, Reminder, Schedule
from .selectors import schedule_proposed
from .services import education_read


def demo_schedules_seed(calendar: DemoCalendar) -> int:
    now = calendar.now
    plans = CarePlan.objects.filter(status=CarePlan.Status.ACTIVE, patient__consent_to_reminders=True)
    patients = Patient.objects.filter(pk__in=plans.values("patient")).order_by("mrn")
    for index, patient in enumerate(patients):
        if Schedule.objects.filter(patient=patient).exists():
            continue
        schedule = schedule_proposed(patient=patient)
        # A few patients are due a minute after start-up, so the first beats send something.
        local = timezone.localtime(now + timedelta(minutes=1 + index % 5))
        schedule.local_time = time(local.hour, local.minute) if index % 3 == 0 else time(18, 0)
        schedule.quiet_start = schedule.quiet_end = None
        schedule.full_clean()
        schedule.save()
        _history(patient, schedule, index, now)
    return Schedule.objects.count()


def _history(patient: Patient, schedule: Schedule, index: int, now) -> None:
    """Twelve weeks of past reminders and check-ins, answered on most days; one patient in seven
    stopped answering ten days ago. Written in bulk: a few queries a patient."""
    reminders, checkins = [], []
    for days_ago in range(84, 0, -1):
        due = now - timedelta(days=days_ago)
        answered = (days_ago + index) % 4 != 0 and not (index % 7 == 6 and days_ago <= 10)
        reminder = Reminder(
            schedule=schedule,
            patient=patient,
            due_at=due,
            channel=schedule.channel,
            status=Reminder.Status.COMPLETED if answered else Reminder.Status.EXPIRED,
            sent_at=due,
            completed_at=due + timedelta(hours=1) if answered else None,
            claimed_at=due,
            attempts=1,
        )
        reminders.append(reminder)
        if answered:
            trend = (days_ago if index % 2 else 84 - days_ago) // 6
            checkins.append(
                CheckIn(
                    patient=patient,
                    reminder=reminder,
                    mood=max(0, min(10, 3 + trend // 3 + index % 3)),
                    pain=max(0, min(10, 7 - trend // 4)),
                    sleep_quality=max(0, min(10, 4 + index % 4)),
                    sleep_hours=6 + (index % 3) / 2,
                )
            )
    Reminder.objects.bulk_create(reminders)
    CheckIn.objects.bulk_create(checkins)
    # Dated when the patient answered (the reminder's completion), not when the demo was seeded.
    answered_at = Reminder.objects.filter(pk=OuterRef("reminder_id")).values("completed_at")
    CheckIn.objects.filter(patient=patient).update(submitted_at=Subquery(answered_at))


# --- education ---

# What a few North MSK patients were given to read, and what they read: (slug, days ago read or None,
# read in plain language). The first reads in plain language.
DEMO_READING: list[list[tuple[str, int | None, bool]]] = [
    [("how-pain-works", 5, True), ("pacing-everyday-activity", None, False)],
    [("how-pain-works", 3, False), ("sleep-and-pain", 1, False)],
    [("flare-up-plan", None, False), ("your-team", 2, False)],
    [("how-pain-works", None, False)],
]


def demo_education_seed(calendar: DemoCalendar) -> int:
    """Education items assigned from the plans of a few North MSK patients with check-in links, some read
    through the link (one in the plain-language version). Idempotent: a plan with items is left alone."""
    education_ensure(EducationItem)
    plans = (
        CarePlan.objects.filter(
            status=CarePlan.Status.ACTIVE,
            patient__team__name="North MSK",
            patient__checkin_schedule__isnull=False,
        )
        .select_related("patient", "patient__primary_clinician")
        .order_by("patient__mrn")
    )
    for plan, reading in zip(plans, DEMO_READING, strict=False):
        if plan.education.exists():
            continue
        for slug, days_ago, plain in reading:
            assignment = education_assign(
                plan=plan, item=EducationItem.objects.get(slug=slug), user=plan.patient.primary_clinician
            )
            # Assigned at the last visit, a week ago (the row's own stamp is the moment of seeding).
            EducationAssignment.objects.filter(pk=assignment.pk).update(
                assigned_at=calendar.now - timedelta(days=7)
            )
            if days_ago is not None:
                education_read(
                    patient=plan.patient,
                    assignment_id=assignment.pk,
                    plain=plain,
                    now=calendar.now - timedelta(days=days_ago),
                )
    return EducationAssignment.objects.count()
