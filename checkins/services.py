"""Writes for check-ins and reminders: schedules, dispatch, sending, links, submissions, opt-out.

Reminders move pending → sent → completed (or failed, expired). Every step locks the
row and checks its state first, so a task that runs twice, or two workers that get
the same message, change nothing the second time.
"""

import hashlib
import logging
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from careplans.models import Activity, CarePlan, CarePreferences, EducationAssignment
from careplans.selectors import active_exercises, activities_for_day, milestone_battery_due
from core.dates import day
from core.messaging import Outgoing, PermanentFailure, TemporaryFailure, body_sha256
from core.providers import delivery_backend
from core.queue import enqueue_on_commit
from routing.selectors import rescreen_instruments_due
from screening.models import Alert, Battery, Screening, Timepoint
from teams.models import Patient, User
from teams.services import audited_save, patient_update

from . import selectors
from .messages import reminder_message
from .models import (
    SCHEDULE_FIELDS,
    ActivityLog,
    Channel,
    CheckIn,
    Delivery,
    DeliveryStatus,
    ExerciseLog,
    Reminder,
    Schedule,
)
from .slots import ContactTimes, due_slots

logger = logging.getLogger(__name__)

# Opt-out links sign [schedule id, the schedule's created_at in microseconds]. The creation time binds
# a link to that one schedule: one deleted and created again, or ids reused after a restore into a
# fresh database, get another, so older links fail. Links of the earlier format (a bare id, under the
# salt "checkins.opt-out") fail the signature, and answer like any bad link.
OPT_OUT_SALT = "checkins.opt-out.schedule"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def schedule_save(
    *, schedule: Schedule, user: User, consent_given_on: date, consent_note: str = ""
) -> Schedule:
    """A new schedule, or a changed one, as the clinician set it in the schedule editor, with the consent
    it rests on. Consent is the patient's own record (``teams``): given here, it is written there, by the
    same rule and audit as on the patient's details, so the two never disagree.

    A schedule the patient stopped by their link resumes when consent is given again, on or after the
    day they stopped."""
    fallback_check(schedule=schedule, today=timezone.localdate())
    opted_out_at = schedule.opted_out_at
    if opted_out_at is not None and consent_given_on < timezone.localdate(opted_out_at):
        raise ValidationError(
            {
                "reminder_consent_given_on": (
                    f"They stopped reminders on {day(opted_out_at)}: give the day they agreed again."
                )
            }
        )
    schedule.patient = patient_update(
        user=user,
        patient=schedule.patient,
        data={
            "consent_to_reminders": True,
            "reminder_consent_given_on": consent_given_on,
            "reminder_consent_note": consent_note,
        },
    )
    fields = list(SCHEDULE_FIELDS)
    if opted_out_at is not None:
        schedule.opted_out_at = None
        fields.append("opted_out_at")
    return audited_save(schedule, actor=user, patient=schedule.patient, fields=fields)


def contact_times_of(patient: Patient) -> ContactTimes | None:
    """The patient's best days and times to be contacted (their care preferences), as loaded with them;
    None when none are recorded."""
    try:
        preferences = patient.care_preferences
    except CarePreferences.DoesNotExist:
        return None
    return ContactTimes(tuple(preferences.contact_days), preferences.contact_from, preferences.contact_until)


def reminders_create_due(*, now: datetime) -> int:
    """One reminder per schedule and due slot, within the patient's contact days and times; existing
    ones are left alone (the unique key decides)."""
    lookback = timedelta(hours=settings.REMINDER_LOOKBACK_HOURS)
    schedules = Schedule.objects.filter(
        opted_out_at__isnull=True,
        patient__consent_to_reminders=True,
        patient__status=Patient.Status.ACTIVE,
    ).select_related("patient", "patient__care_preferences")
    rows = [
        Reminder(schedule=schedule, patient=schedule.patient, due_at=slot, channel=schedule.channel)
        for schedule in schedules
        for slot in due_slots(
            schedule, now=now, lookback=lookback, contact=contact_times_of(schedule.patient)
        )
    ]
    created = Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def reminders_claim(*, now: datetime, stale_before: datetime | None = None, limit: int = 1000) -> list[int]:
    """Hand due reminders to workers, each exactly once: rows another dispatcher holds are skipped.

    With ``stale_before``, reminders claimed before then and still pending (their worker was lost)
    are handed out again.
    """
    with transaction.atomic():
        due = Reminder.objects.select_for_update(skip_locked=True).filter(
            status=Reminder.Status.PENDING, due_at__lte=now
        )
        if stale_before is None:
            due = due.filter(claimed_at__isnull=True)
        else:
            due = due.filter(claimed_at__lt=stale_before)
        ids = list(due.order_by("due_at").values_list("id", flat=True)[:limit])
        Reminder.objects.filter(id__in=ids).update(claimed_at=now)
        for reminder_id in ids:
            enqueue_on_commit("checkins.tasks.reminder_send", reminder_id)
    return ids


def reminders_expire(*, now: datetime) -> int:
    """Links past their lifetime, and reminders never sent in that time, expire."""
    ttl = timedelta(hours=settings.CHECKIN_LINK_HOURS)
    sent = Reminder.objects.filter(status=Reminder.Status.SENT, expires_at__lt=now)
    unsent = Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lt=now - ttl)
    # A paused questionnaire's answers live only as long as its link; after that nobody can carry on.
    Reminder.objects.filter(expires_at__lt=now).exclude(questionnaire_draft={}).update(questionnaire_draft={})
    return sent.update(status=Reminder.Status.EXPIRED) + unsent.update(status=Reminder.Status.EXPIRED)


def reminders_dispatch(*, now: datetime | None = None, batch: int = 1000) -> list[int]:
    """Create what fell due and hand all of it out, a batch (one short transaction) at a time, so a
    busy minute (thousands due at 18:00) is sent now rather than over the next minutes."""
    now = now or timezone.now()
    reminders_create_due(now=now)
    claimed: list[int] = []
    while True:
        ids = reminders_claim(now=now, limit=batch)
        claimed += ids
        if len(ids) < batch:
            return claimed


def reminders_reconcile(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    reminders_expire(now=now)
    return reminders_claim(now=now, stale_before=now - timedelta(seconds=settings.REMINDER_RECLAIM_SECONDS))


def due_battery(*, patient: Patient, today: date | None = None) -> Battery | None:
    """The questionnaire a reminder should open: intake not done, a milestone reached, or review due
    (by ``today``, the day the reminder is sent)."""
    today = today or timezone.localdate()
    if not Screening.objects.filter(patient=patient, timepoint=Timepoint.INTAKE).exists():
        return Battery.objects.filter(timepoint=Timepoint.INTAKE).order_by("position").first()
    plan = CarePlan.objects.filter(patient=patient, status=CarePlan.Status.ACTIVE).first()
    if plan is None:
        return None
    reached = milestone_battery_due(patient=patient, plan=plan)
    if reached is not None:
        return reached.battery
    if plan.review_date <= today:
        review_start = timezone.make_aware(datetime.combine(plan.review_date, datetime.min.time()))
        if not Screening.objects.filter(
            patient=patient, timepoint=Timepoint.MILESTONE, administered_at__gte=review_start
        ).exists():
            return Battery.objects.filter(timepoint=Timepoint.MILESTONE).order_by("position").first()
    return None


def rescreens_carried(*, patient: Patient, today: date) -> list[str]:
    """The follow-up screenings (routing's re-screens) a reminder sent ``today`` carries: those due by
    today, missed ones too, while the patient consents to reminders. A result by the link completes them
    (routing's receiver of the recorded result)."""
    if not patient.consent_to_reminders:
        return []
    return rescreen_instruments_due(patient=patient, today=today)


def _microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def opt_out_link(schedule: Schedule) -> str:
    """The "stop reminders" link of a message: works for OPT_OUT_LINK_DAYS, for this schedule only."""
    signed = signing.dumps([schedule.pk, _microseconds(schedule.created_at)], salt=OPT_OUT_SALT)
    return settings.SITE_URL + reverse("checkin_opt_out", kwargs={"signed": signed})


def reminder_send_now(*, reminder_id: int, now: datetime | None = None) -> bool:
    """Send one reminder with a fresh single-use link, if it is still pending; exactly once. True if it
    was sent now (or found sent by an earlier attempt whose answer never came).

    Phase 1 (the reminder locked, then committed): an earlier attempt's delivery still ``sending`` is
    looked up with its provider first: found, it was sent and nothing goes again; not found, it is closed
    (failed for now, "not taken") and a new attempt starts. A new attempt writes the link's token and a
    ``Delivery`` (``sending``, with a fresh reference) and commits it, so whatever happens next, the next
    worker knows what to look up. Phase 2 (the reminder locked again, so a second worker waits): the
    provider is asked; its answer moves the delivery and the reminder. A refusal for good goes to
    ``checkins.receipts.delivery_update`` (flag the contact, fall back, or fail); a refusal for now
    raises ``TemporaryFailure`` for the task to retry; anything else leaves the delivery ``sending`` and
    raises, and the retry looks it up before sending again.
    """
    now = now or timezone.now()
    prepared = _send_prepare(reminder_id=reminder_id, now=now)
    if isinstance(prepared, bool):
        return prepared
    delivery_id, outgoing = prepared
    return _send_deliver(delivery_id=delivery_id, outgoing=outgoing, now=now)


def _send_prepare(*, reminder_id: int, now: datetime) -> bool | tuple[int, Outgoing]:
    """Phase 1: a new attempt (its delivery's id and message), or the answer when nothing is to be sent:
    True if an earlier attempt is found taken by the provider, False if the reminder is not pending."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("patient__team", "schedule")
            .get(pk=reminder_id)
        )
        if reminder.status != Reminder.Status.PENDING:
            return False
        earlier = reminder.deliveries.filter(status=DeliveryStatus.SENDING).first()
        if earlier is not None:
            provider_id = delivery_backend(earlier.channel, earlier.backend).lookup(
                reference=str(earlier.reference),
                to=earlier.to,
                body_sha256=earlier.body_sha256,
                since=earlier.created_at,
            )
            if provider_id is not None:
                _delivery_sent(reminder, earlier, provider_id=provider_id, now=now)
                logger.info(
                    "Reminder %s: an earlier attempt was taken (%s), not sent again", reminder.pk, provider_id
                )
                return True
            earlier.status, earlier.status_at, earlier.error = (
                DeliveryStatus.FAILED_TEMPORARY,
                now,
                "not taken",
            )
            earlier.save(update_fields=["status", "status_at", "error"])
        token = secrets.token_urlsafe(32)
        reminder.token_hash = token_hash(token)
        reminder.expires_at = now + timedelta(hours=settings.CHECKIN_LINK_HOURS)
        today = timezone.localdate(now)
        reminder.battery = due_battery(patient=reminder.patient, today=today)
        reminder.rescreen_instruments = rescreens_carried(patient=reminder.patient, today=today)
        reminder.attempts += 1
        patient = reminder.patient
        message = reminder_message(
            patient=patient,
            channel=reminder.channel,
            link=settings.SITE_URL + reverse("checkin_form", kwargs={"token": token}),
            stop=opt_out_link(reminder.schedule),
            minutes=reminder_minutes(reminder=reminder),
            # Only what the patient may answer in their language is asked (a validated translation).
            has_questionnaire=bool(selectors.reminder_instruments(reminder=reminder)),
        )
        to = str(patient.mobile) if reminder.channel == Channel.SMS else patient.email
        delivery = Delivery.objects.create(
            reminder=reminder,
            channel=reminder.channel,
            backend=settings.SMS_BACKEND
            if reminder.channel == Channel.SMS
            else settings.EMAIL_DELIVERY_BACKEND,
            to=to,
            reference=uuid.uuid4(),
            body_sha256=body_sha256(message.body),
            status=DeliveryStatus.SENDING,
        )
        reminder.delivery_status = DeliveryStatus.SENDING
        reminder.save()
    outgoing = Outgoing(
        channel=reminder.channel,
        to=to,
        body=message.body,
        subject=message.subject,
        reference=str(delivery.reference),
    )
    return delivery.pk, outgoing


def _send_deliver(*, delivery_id: int, outgoing: Outgoing, now: datetime) -> bool:
    from .receipts import delivery_update

    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("patient")
            .get(deliveries__pk=delivery_id)
        )
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status != DeliveryStatus.SENDING or reminder.status != Reminder.Status.PENDING:
            return False  # another worker looked it up meanwhile and took it over
        try:
            provider_id = delivery_backend(delivery.channel, delivery.backend).send(outgoing)
        except PermanentFailure as refusal:
            delivery_update(
                delivery_id=delivery_id, status=DeliveryStatus.FAILED_PERMANENT, error=str(refusal), now=now
            )
            logger.warning("Reminder %s refused for good: %s", reminder.pk, refusal)
            return False
        except TemporaryFailure as refusal:
            delivery.status, delivery.status_at, delivery.error = (
                DeliveryStatus.FAILED_TEMPORARY,
                now,
                str(refusal)[:300],
            )
            delivery.save(update_fields=["status", "status_at", "error"])
            reminder.delivery_status, reminder.last_error = (
                DeliveryStatus.FAILED_TEMPORARY,
                str(refusal)[:300],
            )
            reminder.save(update_fields=["delivery_status", "last_error"])
            failed_for_now: TemporaryFailure | None = refusal
        else:
            _delivery_sent(reminder, delivery, provider_id=provider_id, now=now)
            failed_for_now = None
    if failed_for_now is not None:
        raise failed_for_now  # recorded and committed above; the task retries with backoff
    logger.info("Reminder %s sent to patient %s by %s", reminder.pk, reminder.patient_id, outgoing.channel)
    return True


def _delivery_sent(reminder: Reminder, delivery: Delivery, *, provider_id: str, now: datetime) -> None:
    delivery.status, delivery.status_at, delivery.provider_id = DeliveryStatus.SENT, now, provider_id[:100]
    delivery.save(update_fields=["status", "status_at", "provider_id"])
    reminder.status, reminder.sent_at, reminder.last_error = Reminder.Status.SENT, now, ""
    reminder.delivery_status = DeliveryStatus.SENT
    reminder.save(update_fields=["status", "sent_at", "last_error", "delivery_status"])


def reminder_minutes(*, reminder: Reminder) -> int:
    """What the reminder may promise: the check-in's questions (one per exercise of the active plan and
    per activity planned for the day among them) and every item of the questionnaire it opens, at
    selectors.SECONDS_PER_QUESTION each."""
    exercises = active_exercises(patient=reminder.patient).count()
    # The day's activities are asked like the exercises (behavioural activation).
    activities = len(activities_for_day(patient=reminder.patient, day=timezone.localdate(reminder.due_at)))
    items = sum(len(i.items) for i in selectors.reminder_instruments(reminder=reminder))
    return selectors.minutes_to_answer(selectors.checkin_questions(exercises=exercises + activities) + items)


def reminder_mark_failed(*, reminder_id: int, error: str) -> None:
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder_id)
        if reminder.status == Reminder.Status.PENDING:
            reminder.status = Reminder.Status.FAILED
            reminder.last_error = error[:300]
            reminder.save(update_fields=["status", "last_error"])


@transaction.atomic
def reminder_resend(*, reminder: Reminder, user: User) -> Reminder:
    """Give a failed reminder another go, now."""
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.status != Reminder.Status.FAILED:
        raise ValidationError("Only a failed reminder can be sent again.")
    now = timezone.now()
    reminder.status, reminder.claimed_at, reminder.last_error = Reminder.Status.PENDING, now, ""
    audited_save(
        reminder,
        actor=user,
        patient=reminder.patient,
        fields=["status", "claimed_at", "last_error"],
        clean=False,
    )
    enqueue_on_commit("checkins.tasks.reminder_send", reminder.pk)
    return reminder


def reminder_for_token(token: str, *, now: datetime | None = None) -> Reminder | None:
    """The reminder a link belongs to, if the link still works; None for wrong, expired or used links."""
    now = now or timezone.now()
    reminder = (
        Reminder.objects.filter(token_hash=token_hash(token)).select_related("patient", "battery").first()
    )
    if reminder is None or reminder.expires_at is None or reminder.expires_at <= now:
        return None
    if reminder.status == Reminder.Status.SENT:
        return reminder
    questionnaire_open = reminder.has_questionnaire and reminder.questionnaire_completed_at is None
    if reminder.status == Reminder.Status.COMPLETED and questionnaire_open:
        return reminder
    return None


def _checkin_alert(patient: Patient, checkin: CheckIn, previous: CheckIn | None) -> Alert | None:
    reasons = []
    if checkin.mood <= settings.CHECKIN_ALERT_MOOD_AT_MOST:
        reasons.append(f"mood {checkin.mood}/10")
    if previous is not None and checkin.pain - previous.pain >= settings.CHECKIN_ALERT_PAIN_JUMP:
        reasons.append(f"pain up from {previous.pain} to {checkin.pain}")
    if not reasons:
        return None
    return Alert.objects.create(
        patient=patient, screening=None, kind=Alert.Kind.CHECKIN, reason="Check-in: " + ", ".join(reasons)
    )


@transaction.atomic
def checkin_record(
    *,
    patient: Patient,
    answers: dict[str, Any],
    exercises: dict[int, str],
    reminder: Reminder | None = None,
    actor: User | None = None,
    activities: Mapping[int, str] | None = None,
) -> CheckIn:
    """Store what the patient reported (from their link, or from a patient app through the API), log
    their home exercise and their planned activities, and raise a concern when mood is low or pain
    jumps."""
    previous = CheckIn.objects.filter(patient=patient).order_by("-submitted_at").first()
    checkin = audited_save(
        CheckIn(patient=patient, reminder=reminder, **answers),
        actor=actor,
        patient=patient,
        fields=list(answers),
        username="" if actor is not None else "patient link",
    )
    plan_exercises = {e.pk: e for e in active_exercises(patient=patient)}
    today = timezone.localdate()
    # An exercise taken off the plan since the form was shown is left out, not an error for the patient.
    ExerciseLog.objects.bulk_create(
        ExerciseLog(
            checkin=checkin, patient=patient, exercise=plan_exercises[pk], logged_for=today, done=done
        )
        for pk, done in exercises.items()
        if pk in plan_exercises
    )
    if activities:
        activity_logs_record(checkin=checkin, activities=activities, day=today)
    alert = _checkin_alert(patient, checkin, previous)
    if alert is not None:
        checkin.alert = alert
        checkin.save(update_fields=["alert"])
    return checkin


@transaction.atomic
def checkin_submit(
    *,
    reminder: Reminder,
    answers: dict[str, Any],
    exercises: dict[int, str],
    activities: Mapping[int, str] | None = None,
) -> CheckIn:
    """Store a check-in once; the link then only opens the questionnaire, if one is due."""
    reminder = Reminder.objects.select_for_update().select_related("patient").get(pk=reminder.pk)
    if reminder.status != Reminder.Status.SENT:
        raise ValidationError("This check-in was already sent.")
    checkin = checkin_record(
        patient=reminder.patient,
        answers=answers,
        exercises=exercises,
        reminder=reminder,
        activities=activities,
    )
    reminder.status = Reminder.Status.COMPLETED
    reminder.completed_at = timezone.now()
    reminder.save(update_fields=["status", "completed_at"])
    return checkin


# --- activation ---


def activity_logs_record(*, checkin: CheckIn, activities: Mapping[int, str], day: date) -> list[ActivityLog]:
    """Log the activities ticked in a check-in, in its transaction. An activity of another plan or
    patient, or an answer that is not one of done / partly / not done, refuses the whole check-in; one
    stopped (or its plan ended) since the form was shown is left out, as the exercises are."""
    patient = checkin.patient
    if any(done not in ActivityLog.Done.values for done in activities.values()):
        raise ValidationError("An activity's answer must be done, partly or not done.")
    owned = {
        activity.pk: activity
        for activity in Activity.objects.filter(
            plan__patient=patient, pk__in=list(activities)
        ).select_related("plan")
    }
    if set(activities) - set(owned):
        raise ValidationError("An activity ticked is not one of this patient's.")
    return ActivityLog.objects.bulk_create(
        ActivityLog(checkin=checkin, patient=patient, activity=owned[pk], logged_for=day, done=done)
        for pk, done in activities.items()
        if owned[pk].active and owned[pk].plan.status == CarePlan.Status.ACTIVE
    )


def _open_questionnaire(reminder: Reminder) -> Reminder:
    """The reminder locked, if its questionnaire is still to be answered; ValidationError if not."""
    reminder = (
        Reminder.objects.select_for_update(of=("self",))
        .select_related("patient", "battery")
        .get(pk=reminder.pk)
    )
    if not reminder.has_questionnaire or reminder.questionnaire_completed_at is not None:
        raise ValidationError("There is no questionnaire to answer on this link.")
    return reminder


def _questionnaire_record(*, reminder: Reminder, code: str, answers: object) -> Screening:
    """One instrument of the link's questionnaire, scored exactly like a clinician's entry and marked
    self-completed, with the language and wording version the patient answered in; its alerts are raised
    by the screening app's own rules."""
    from screening.selectors import link_wording_version
    from screening.services import screening_record

    language = reminder.patient.language
    return screening_record(
        patient=reminder.patient,
        instrument_code=code,
        timepoint=selectors.questionnaire_timepoint(reminder=reminder, code=code),
        answers=answers,
        entered_by=None,
        source=Screening.Source.PATIENT,
        language=language,
        wording_version=link_wording_version(code=code, language=language),
    )


def _raises_safety_alert(*, code: str, answers: Mapping[str, int]) -> bool:
    """Whether these answers, once recorded, carry the safety flag: scored by the screening app (with the
    clinic's settings) and read by the very test that raises its urgent alert, ``has_safety_flag``."""
    from screening.services import screening_score

    _, result = screening_score(instrument_code=code, answers=answers)
    return Screening(flags=list(result.flags)).has_safety_flag


@transaction.atomic
def questionnaire_part_save(
    *, reminder: Reminder, instrument_code: str, answers: Mapping[str, object]
) -> Reminder:
    """Keep one page's answers on the link, all of them or some, so the patient can go back, pause and
    carry on later with the same link. Nothing is recorded until the questionnaire is sent, but for a
    page answered in full with a safety item positive (PHQ-9's thoughts of self-harm): that instrument is
    recorded at once, so the team's urgent alert is raised now, whether or not the patient ever finishes.

    The reminder's row stays locked throughout, so a double submit or a second tab records it once; a
    part recorded so is marked in the draft (``selectors.RECORDED_KEY``) and its answers no longer change.
    """
    reminder = _open_questionnaire(reminder)
    instruments = selectors.reminder_instruments(reminder=reminder)
    instrument = next((i for i in instruments if i.code == instrument_code), None)
    if instrument is None:
        raise ValidationError("That part is not in this questionnaire.")
    recorded = selectors.questionnaire_recorded(reminder=reminder)
    if instrument.code in recorded:
        return reminder  # sent to the care team already: what they have is what the page shows
    kept = {}
    for item in instrument.items:
        value = answers.get(str(item.number))
        # Only answers the item offers are kept: a forged value is dropped, and the question asked again.
        if isinstance(value, int) and item.answer(value) is not None:
            kept[str(item.number)] = value
    draft = {**reminder.questionnaire_draft, instrument.code: kept}
    complete = not selectors.unanswered_items(instrument, kept)
    if complete and _raises_safety_alert(code=instrument.code, answers=kept):
        screening = _questionnaire_record(reminder=reminder, code=instrument.code, answers=kept)
        draft[selectors.RECORDED_KEY] = {**recorded, instrument.code: screening.pk}
    reminder.questionnaire_draft = draft
    reminder.save(update_fields=["questionnaire_draft"])
    return reminder


@transaction.atomic
def questionnaire_submit(
    *, reminder: Reminder, answers_by_instrument: Mapping[str, object] | None = None
) -> list[Screening]:
    """The patient's own answers (by default, those saved on the link page by page), scored exactly
    like a clinician's and marked self-completed: all of them once, or none. An instrument recorded
    already, as its page was saved, is not recorded again: the list holds those recorded now."""
    from screening.services import ScreeningInvalid

    reminder = _open_questionnaire(reminder)
    recorded = selectors.questionnaire_recorded(reminder=reminder)
    if answers_by_instrument is None:
        answers_by_instrument = {
            instrument.code: reminder.questionnaire_draft.get(instrument.code, {})
            for instrument in selectors.reminder_instruments(reminder=reminder)
        }
    scored: list[Screening] = []
    errors: dict[str, Any] = {}
    for code, answers in answers_by_instrument.items():
        if code in recorded:
            continue
        try:
            with transaction.atomic():
                scored.append(_questionnaire_record(reminder=reminder, code=code, answers=answers))
        except ScreeningInvalid as invalid:
            errors[code] = invalid.errors
    if errors:
        raise ScreeningInvalid(errors)
    reminder.questionnaire_completed_at = timezone.now()
    reminder.questionnaire_draft = {}
    reminder.save(update_fields=["questionnaire_completed_at", "questionnaire_draft"])
    return scored


@transaction.atomic
def schedule_opt_out(*, schedule: Schedule) -> Schedule:
    """Stop reminders at the patient's request, and record it."""
    schedule = Schedule.objects.select_for_update().select_related("patient").get(pk=schedule.pk)
    if schedule.opted_out_at is None:
        # By the patient's own link: no user, so the events name the link.
        schedule.opted_out_at = timezone.now()
        patient = schedule.patient
        audited_save(
            schedule,
            actor=None,
            patient=patient,
            fields=["opted_out_at"],
            clean=False,
            username="patient link",
        )
        # Their consent is withdrawn: the one record says so, with no day or note of it left.
        patient.consent_to_reminders = False
        patient.reminder_consent_given_on, patient.reminder_consent_note = None, ""
        audited_save(
            patient,
            actor=None,
            patient=patient,
            fields=["consent_to_reminders", "reminder_consent_given_on", "reminder_consent_note"],
            clean=False,
            username="patient link",
        )
    return schedule


def schedule_from_signed(signed: str) -> Schedule | None:
    """The schedule an opt-out link was made for, or None: forged, expired, or its schedule is gone."""
    try:
        value = signing.loads(signed, salt=OPT_OUT_SALT, max_age=timedelta(days=settings.OPT_OUT_LINK_DAYS))
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(part) is int for part in value)):
        return None
    schedule_id, created = value
    return Schedule.objects.filter(pk=schedule_id, created_at=EPOCH + timedelta(microseconds=created)).first()


DIGEST_REVIEWS_LISTED = 20


def _digest_reviews(*, user: User, today: date) -> tuple[int, list[str]]:
    """How many of their own reviews the user has still to do, and a line for each (overdue first, then
    soonest due) with its link: the finding and the due day, never the patient's name (the link leads
    behind sign-in and the access check)."""
    from core import dates
    from routing.selectors import reviews_of_owner

    reviews = reviews_of_owner(user=user)
    count = reviews.count()
    lines = [
        f"  - {'OVERDUE, was due' if review.due_on < today else 'due'} {dates.day(review.due_on)}: "
        f"{review.reason} {settings.SITE_URL}{review.get_absolute_url()}"
        for review in reviews[:DIGEST_REVIEWS_LISTED]
    ]
    if count > DIGEST_REVIEWS_LISTED:
        lines.append(
            f"  - and {count - DIGEST_REVIEWS_LISTED} more: {settings.SITE_URL}{reverse('review_queue')}"
        )
    return count, lines


def digest_for(*, user: User, today=None) -> str:
    """A clinician's morning summary: open alerts, their own reviews (overdue first), responsibilities
    due, patients not checking in."""
    from careplans.models import Responsibility

    today = today or timezone.localdate()
    visible = Patient.objects.visible_to(user)
    alerts = Alert.objects.unresolved().filter(patient__in=visible).count()
    due = Responsibility.objects.filter(
        owner=user,
        plan__status=CarePlan.Status.ACTIVE,
        status__in=[Responsibility.Status.PLANNED, Responsibility.Status.ACTIVE],
        ends_on__lte=today + timedelta(days=7),
    ).count()
    quiet_since = timezone.now() - timedelta(days=7)
    silent = (
        visible.filter(primary_clinician=user, checkin_schedule__opted_out_at__isnull=True)
        .filter(reminders__sent_at__gte=quiet_since)
        .exclude(checkins__submitted_at__gte=quiet_since)
        .distinct()
        .count()
    )
    open_reviews, review_lines = _digest_reviews(user=user, today=today)
    if not (alerts or due or silent or open_reviews):
        return ""
    listed = "".join(line + "\n" for line in review_lines)
    return (
        f"Good morning {user.first_name or user.username},\n\n"
        f"- Open alerts for your teams' patients: {alerts}\n"
        f"- Your psychosocial reviews to do: {open_reviews}\n"
        f"{listed}"
        f"- Your responsibilities ending within a week: {due}\n"
        f"- Your patients who have not checked in for 7 days: {silent}\n\n"
        f"Open RehabCare: {settings.SITE_URL}{reverse('alert_queue')}\n"
    )


def digests_send() -> int:
    sent = 0
    for user in User.objects.filter(is_active=True, memberships__isnull=False).exclude(email="").distinct():
        body = digest_for(user=user)
        if body:
            send_mail(
                subject="RehabCare: your day", message=body, from_email=None, recipient_list=[user.email]
            )
            sent += 1
    return sent


# --- education ---


def reminder_for_reading(token: str, *, now: datetime | None = None) -> Reminder | None:
    """The reminder a link belongs to, for reading what the team assigned: a link that was sent works for
    that until it expires, also once the check-in is sent. None for wrong, expired or unsent links."""
    now = now or timezone.now()
    reminder = Reminder.objects.filter(token_hash=token_hash(token)).select_related("patient").first()
    if reminder is None or reminder.expires_at is None or reminder.expires_at <= now:
        return None
    if reminder.status not in (Reminder.Status.SENT, Reminder.Status.COMPLETED):
        return None
    return reminder


@transaction.atomic
def education_read(
    *, patient: Patient, assignment_id: int, plain: bool, now: datetime | None = None
) -> EducationAssignment | None:
    """The patient opened an assigned item through their link: the first and last reading and the version
    shown are recorded (audited as the patient's read, under the row's lock so two opens at once keep the
    first reading). None if the item is not one their link offers, and then nothing is marked."""
    assignment = (
        selectors.link_education(patient=patient)
        .select_for_update(of=("self",))
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        return None
    now = now or timezone.now()
    fields = ["last_read_at", "read_plain"]
    if assignment.first_read_at is None:
        assignment.first_read_at = now
        fields.append("first_read_at")
    assignment.last_read_at = now
    assignment.read_plain = plain
    return audited_save(
        assignment, actor=None, patient=patient, fields=fields, clean=False, username="patient link"
    )


# --- delivery receipts: the fallback channel ---


def fallback_check(*, schedule: Schedule, today: date) -> None:
    """A fallback channel differs from the schedule's, has a contact to reach, and rests on the day the
    patient agreed to it (not after ``today``); without a fallback no such day is kept."""
    errors: dict[str, str] = {}
    fallback = schedule.fallback_channel
    patient = schedule.patient
    if not fallback:
        schedule.fallback_consent_given_on = None
        return
    if fallback == schedule.channel:
        errors["fallback_channel"] = gettext(
            "Choose a fallback other than the reminders' own channel, or none."
        )
    elif fallback == Channel.SMS and not patient.mobile:
        errors["fallback_channel"] = gettext(
            "The patient has no mobile number: add one, or choose no fallback."
        )
    elif fallback == Channel.EMAIL and not patient.email:
        errors["fallback_channel"] = gettext(
            "The patient has no contact email: add one, or choose no fallback."
        )
    agreed = schedule.fallback_consent_given_on
    if agreed is None:
        errors["fallback_consent_given_on"] = gettext(
            "A fallback needs the patient's agreement: enter the day they agreed to it."
        )
    elif agreed > today:
        errors["fallback_consent_given_on"] = gettext("The day they agreed cannot be in the future.")
    if errors:
        raise ValidationError(errors)
