"""Demo schedules: patients with an active plan and consent get daily check-ins, some already
answered, so `make run` shows reminders flowing (beat dispatches, the outbox fills)."""

from datetime import time, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from careplans.models import CarePlan
from teams.demo import DemoCalendar
from teams.models import Patient

from .models import CheckIn, Reminder, Schedule
from .selectors import schedule_proposed


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
