"""Demo schedules: patients with an active plan and consent get daily check-ins, some already
answered, so `make run` shows reminders flowing (beat dispatches, the outbox fills)."""

from datetime import time, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from careplans.demo import (
    DEMO_CAREGIVERS,
    demo_activation_parts,
    demo_caregivers_seed,
    north_plans_with_links,
)
from careplans.education_seed import education_ensure
from careplans.models import (
    Activity,
    Barrier,
    Caregiver,
    CaregiverScope,
    CarePlan,
    EducationAssignment,
    EducationItem,
)
from careplans.services import caregiver_consent_withdraw, education_assign
from teams.demo import DemoCalendar
from teams.models import Language, Patient
from teams.services import patient_update

from .caregivers import (
    Composed,
    caregiver_message_queue,
    caregiver_message_send_now,
    distress_item,
    education_compose,
    reminders_compose,
)
from .models import CaregiverMessage, Channel, CheckIn, Delivery, DeliveryStatus, Reminder, Schedule
from .receipts import delivery_update
from .selectors import schedule_proposed
from .services import activity_logs_record, education_read, reminder_send_now, schedule_save


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
    plans = north_plans_with_links()
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


# --- activation ---

# How the demo patients' activities went, day after day over their last two weeks of check-ins.
DEMO_TICKS = ["done", "done", "partly", "done", "not_done"]


def demo_activation_seed(calendar: DemoCalendar) -> int:
    """Activities and barrier logs on the plans of three North MSK patients with check-in links
    (``careplans.demo.demo_activation_parts``), the activities ticked in their check-ins of the last
    two weeks through the check-in's own service. Idempotent: a plan with activities is left alone."""
    plans = north_plans_with_links()
    # Other patients than the education demo's first ones, where there are enough of them.
    chosen = list(plans[4:7]) or list(plans[:3])
    for number, plan in enumerate(chosen):
        if plan.activities.exists():
            continue
        activities = demo_activation_parts(plan, calendar, number)
        since = calendar.now - timedelta(days=14)
        checkins = CheckIn.objects.filter(patient=plan.patient, submitted_at__gte=since).order_by(
            "submitted_at"
        )
        for day_number, checkin in enumerate(checkins):
            day = timezone.localdate(checkin.submitted_at)
            planned = [a for a in activities if not a.days or day.weekday() in a.days]
            activity_logs_record(
                checkin=checkin,
                activities={a.pk: DEMO_TICKS[(day_number + a.pk) % len(DEMO_TICKS)] for a in planned},
                day=day,
            )
    return Activity.objects.count() + Barrier.objects.count()


# --- caregivers ---


def demo_caregiver_messages_seed(calendar: DemoCalendar) -> int:
    """The demo's caregivers with a consent scope (``careplans.demo``) and a few messages to them, each
    through the services and sent or refused by the consent check: the guidance on distress signals sent
    to the friend who consented to it, appointment reminders refused to the son who consented to progress
    reports only, and a message queued to the sister just before the patient withdrew her consent.
    Idempotent: caregivers with messages are left alone."""
    education_ensure(EducationItem)
    caregivers = demo_caregivers_seed(calendar)
    done = CaregiverMessage.objects.filter(caregiver__in=caregivers).exists()
    if done or len(caregivers) < len(DEMO_CAREGIVERS):
        return CaregiverMessage.objects.count()
    friend, son, sister = caregivers
    guidance = distress_item()
    if guidance is not None:
        composed = education_compose(caregiver=friend, item=guidance)
        _send(friend, CaregiverScope.DISTRESS_SIGNALS, composed, calendar)
    reminders = reminders_compose(caregiver=son, now=calendar.now)
    _send(son, CaregiverScope.APPOINTMENT_REMINDERS, reminders, calendar)
    user = sister.plan.patient.primary_clinician
    caregiver_message_queue(
        caregiver=sister,
        scope=CaregiverScope.APPOINTMENT_REMINDERS,
        user=user,
        **vars(reminders_compose(caregiver=sister, now=calendar.now)),
    )
    caregiver_consent_withdraw(
        caregiver=sister,
        user=user,
        note="Asked at her last session: she will tell her sister herself.",
        now=calendar.now - timedelta(hours=1),
    )
    return CaregiverMessage.objects.count()


def _send(caregiver: Caregiver, scope: str, composed: Composed, calendar: DemoCalendar) -> None:
    message = caregiver_message_queue(
        caregiver=caregiver,
        scope=scope,
        subject=composed.subject,
        body=composed.body,
        user=caregiver.plan.patient.primary_clinician,
    )
    caregiver_message_send_now(message_id=message.pk, now=calendar.now)


# --- delivery receipts ---

# What the providers reported of the demo's latest messages, for three North MSK patients: a text
# delivered; a text to a number that can never receive (flagged on the patient, the reminder then by
# email, which the patient agreed to, delivered); an email that bounced softly, sent again and delivered.
DEMO_UNKNOWN_NUMBER = "Twilio error 30005: unknown number: it does not exist or is no longer in service"
DEMO_SOFT_BOUNCE = "Postmark: the mailbox is full (soft bounce)"


def demo_deliveries_seed(calendar: DemoCalendar) -> int:
    """Reminders sent through the send flow (the development outboxes) and their providers' receipts
    applied through ``receipts.delivery_update``, two days ago, so the reminder log and the patient's
    details show each delivery state. Idempotent: a patient with deliveries is left alone."""
    plans = list(north_plans_with_links())
    chosen = plans[7:10] if len(plans) >= 10 else plans[:3]
    due = calendar.now - timedelta(days=2, hours=3)
    for number, plan in enumerate(chosen):
        patient, clinician = plan.patient, plan.patient.primary_clinician
        schedule = patient.checkin_schedule
        if Delivery.objects.filter(reminder__patient=patient).exists() or not patient.mobile:
            continue
        channel = Channel.EMAIL if number == 2 else Channel.SMS
        if number == 1:  # by text, by email if a text can never arrive, as agreed with the patient
            schedule.fallback_channel = Channel.EMAIL
            schedule.fallback_consent_given_on = calendar.today - timedelta(days=30)
        if schedule.channel != channel or number == 1:
            schedule.channel = channel
            schedule_save(
                schedule=schedule,
                user=clinician,
                consent_given_on=patient.reminder_consent_given_on or calendar.today,
                consent_note=patient.reminder_consent_note,
            )
        reminder = Reminder.objects.create(
            schedule=schedule, patient=patient, due_at=due, channel=channel, claimed_at=due
        )
        reminder_send_now(reminder_id=reminder.pk, now=due)
        first = reminder.deliveries.get()
        later = due + timedelta(minutes=2)
        if number == 0:
            delivery_update(delivery_id=first.pk, status=DeliveryStatus.DELIVERED, now=later)
            continue
        failure = DeliveryStatus.FAILED_PERMANENT if number == 1 else DeliveryStatus.FAILED_TEMPORARY
        error = DEMO_UNKNOWN_NUMBER if number == 1 else DEMO_SOFT_BOUNCE
        delivery_update(delivery_id=first.pk, status=failure, error=error, now=later)
        # Sent again at once (the patient may be contacted then), by email after the dead number.
        retry_at = Reminder.objects.get(pk=reminder.pk).claimed_at or later
        reminder_send_now(reminder_id=reminder.pk, now=retry_at)
        second = reminder.deliveries.exclude(pk=first.pk).get()
        delivery_update(
            delivery_id=second.pk, status=DeliveryStatus.DELIVERED, now=retry_at + timedelta(minutes=1)
        )
    return Delivery.objects.count()


# --- languages ---

# How many North MSK patients with a check-in schedule the demo has speak Polish (the people seed's
# Nowaks, and more of North's patients made Polish until there are this many).
DEMO_POLISH_PATIENTS = 2


def demo_languages_seed(calendar: DemoCalendar) -> int:
    """North MSK patients whose language is Polish, each sent a reminder a few minutes ago through the
    send flow, so `make run` shows a Polish reminder in /dev/outbox/ whose link opens a Polish check-in
    (and the validated Polish PHQ-9 where it is due). Changes go through the services. Idempotent: a
    patient with a link sent and still open is left alone. Returns how many Polish patients there are
    with a schedule."""
    plans = list(north_plans_with_links())
    polish = [plan.patient for plan in plans if plan.patient.language == Language.POLISH]
    for plan in plans[::-1]:  # from the end: the other seeders pick their patients from the start
        if len(polish) >= DEMO_POLISH_PATIENTS:
            break
        if plan.patient.language != Language.POLISH:
            patient = plan.patient
            clinician = patient.primary_clinician
            polish.append(patient_update(user=clinician, patient=patient, data={"language": Language.POLISH}))
    due = calendar.now - timedelta(minutes=5)
    for patient in polish:
        if Reminder.objects.filter(patient=patient, status=Reminder.Status.SENT).exists():
            continue  # a link sent and still open: that one shows
        schedule = patient.checkin_schedule
        reminder = Reminder.objects.create(
            schedule=schedule, patient=patient, due_at=due, channel=schedule.channel, claimed_at=due
        )
        reminder_send_now(reminder_id=reminder.pk, now=due)
    return len(polish)
