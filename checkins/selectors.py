"""Reads for check-in pages, with a fixed number of queries whatever the patient's history."""

import math
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import dateformat, timezone

from careplans.models import CarePlan, EducationAssignment, Exercise
from careplans.selectors import active_exercises
from routing.models import Rescreen
from screening.instruments import INSTRUMENTS, Instrument
from screening.models import Battery, Timepoint
from screening.selectors import instruments_by_link
from screening.translations import language_name
from teams.models import Language, Patient

from .models import Cadence, Channel, CheckIn, Delivery, OutboxMessage, Reminder, Schedule

DEFAULT_LOCAL_TIME = time(18, 0)
# What a reminder and the patient's pages promise: about ten seconds a question, rounded up to minutes.
SECONDS_PER_QUESTION = 10
# The check-in's own questions besides the exercises: mood, pain, sleep, hours slept, what weighs on them.
CHECKIN_QUESTIONS = 5
TIMELINE_CHECKINS = 10
SPARKLINE_CHECKINS = 30


def schedule_proposed(*, patient: Patient) -> Schedule:
    """A new schedule: daily at six in the evening, quiet at night, by the patient's own channel."""
    channel = Channel.SMS if patient.reminder_channel == Channel.SMS and patient.mobile else Channel.EMAIL
    return Schedule(
        patient=patient,
        cadence=Cadence.DAILY,
        local_time=DEFAULT_LOCAL_TIME,
        time_zone=settings.TIME_ZONE,
        channel=channel,
        quiet_start=time(21, 0),
        quiet_end=time(8, 0),
    )


def schedule_of(*, patient: Patient) -> Schedule | None:
    """The patient's check-in schedule, or None before one is made."""
    return Schedule.objects.filter(patient=patient).first()


def checkin_exercises(*, patient: Patient) -> list[Exercise]:
    """The home exercises a check-in asks about: the active plan's, by phase."""
    return list(active_exercises(patient=patient).order_by("phase", "id"))


def active_exercise_ids(*, patient: Patient) -> set[int]:
    """The ids of the exercises of the patient's active plan: those a check-in may log."""
    return set(active_exercises(patient=patient).values_list("pk", flat=True))


def patient_checkins(*, patient: Patient) -> QuerySet[CheckIn]:
    """The patient's check-ins, newest first, with their exercise logs."""
    return (
        CheckIn.objects.filter(patient=patient)
        .prefetch_related("exercise_logs")
        .order_by("-submitted_at", "-id")
    )


def patient_reminders(*, patient: Patient) -> QuerySet[Reminder]:
    """The patient's reminders, newest slot first, with the questionnaire each opened and each message
    handed to a provider for it, first first, as ``log_deliveries`` (the reminder log): one query for the
    page's reminders, one for all their messages."""
    return (
        Reminder.objects.filter(patient=patient)
        .select_related("battery")
        .prefetch_related(
            Prefetch(
                "deliveries", queryset=Delivery.objects.order_by("created_at", "id"), to_attr="log_deliveries"
            )
        )
        .order_by("-due_at", "-id")
    )


def reminder_of_patient(*, patient: Patient, reminder_id: int) -> Reminder | None:
    """One of the patient's reminders, or None (another patient's id finds nothing)."""
    return Reminder.objects.filter(patient=patient, pk=reminder_id).first()


def outbox_messages() -> QuerySet[OutboxMessage]:
    """What the development backends 'sent', newest first."""
    return OutboxMessage.objects.all()


@dataclass(frozen=True)
class CheckInPanel:
    schedule: Schedule | None
    propose: bool
    checkins: list[CheckIn]
    series: dict[str, Any]
    reminders: dict[str, int]
    # What the patient's links cannot ask in their language (a validated translation not loaded).
    translation_gaps: "TranslationGaps | None" = None


def checkin_panel(*, patient: Patient) -> CheckInPanel:
    schedule = schedule_of(patient=patient)
    recent = list(
        CheckIn.objects.filter(patient=patient)
        .prefetch_related("exercise_logs__exercise")
        .order_by("-submitted_at")[:SPARKLINE_CHECKINS]
    )
    since = timezone.now() - timedelta(days=14)
    counts = Reminder.objects.filter(patient=patient, due_at__gte=since).aggregate(
        sent=Count("id", filter=Q(sent_at__isnull=False)),
        completed=Count("id", filter=Q(status=Reminder.Status.COMPLETED)),
        failed=Count("id", filter=Q(status=Reminder.Status.FAILED)),
    )
    ordered = list(reversed(recent))
    return CheckInPanel(
        schedule=schedule,
        propose=schedule is None
        and CarePlan.objects.filter(patient=patient, status=CarePlan.Status.ACTIVE).exists(),
        checkins=recent[:TIMELINE_CHECKINS],
        series={
            # The product's date without the year (DATE_FORMAT is "j M Y"): "30 Nov".
            "labels": [dateformat.format(timezone.localtime(c.submitted_at), "j M") for c in ordered],
            "mood": [c.mood for c in ordered],
            "pain": [c.pain for c in ordered],
            "sleep": [c.sleep_quality for c in ordered],
        },
        reminders=counts,
        translation_gaps=translation_gaps(patient=patient),
    )


def minutes_to_answer(questions: int) -> int:
    """An honest time to promise for this many questions: SECONDS_PER_QUESTION each, rounded up to
    whole minutes, one at least."""
    return max(1, math.ceil(questions * SECONDS_PER_QUESTION / 60))


def checkin_questions(*, exercises: int) -> int:
    """How many questions a check-in asks: its own, and one per exercise of the active plan."""
    return CHECKIN_QUESTIONS + exercises


def questionnaire_instruments(*, battery: Battery | None) -> list[Instrument]:
    """The instruments a patient answers by link, in the battery's order (unknown codes left out)."""
    if battery is None:
        return []
    return [INSTRUMENTS[code] for code in battery.instruments if code in INSTRUMENTS]


def reminder_instruments(*, reminder: Reminder) -> list[Instrument]:
    """The instruments a reminder's link asks: its battery's, then the follow-up screenings due when it
    was sent (routing's re-screens) that the battery does not hold already; none twice. Only those the
    patient may answer in their language (a validated translation loaded, or English): none at all, and
    the link is a check-in without a questionnaire."""
    instruments = questionnaire_instruments(battery=reminder.battery)
    codes = {instrument.code for instrument in instruments}
    asked = instruments + [
        INSTRUMENTS[code]
        for code in dict.fromkeys(reminder.rescreen_instruments)
        if code in INSTRUMENTS and code not in codes
    ]
    available, _ = instruments_by_link(patient=reminder.patient, codes=[i.code for i in asked])
    return available


def questionnaire_timepoint(*, reminder: Reminder, code: str) -> str:
    """The timepoint an instrument of the link is recorded at: its battery's, or ad hoc for a follow-up
    screening the battery does not hold."""
    battery = reminder.battery
    if battery is not None and code in battery.instruments:
        return battery.timepoint
    return Timepoint.ADHOC


def unanswered_items(instrument: Instrument, answers: dict[str, Any]) -> list[int]:
    """The items still without an allowed answer. A patient answers every question (no prorating by
    link: a question left out on a phone is more often a slip than a choice)."""
    return [
        item.number
        for item in instrument.items
        if not (isinstance(answers.get(str(item.number)), int) and item.answer(answers[str(item.number)]))
    ]


# Where the draft notes the instruments already recorded, each with its screening's id: a part answered
# with a safety item positive is recorded as soon as it is saved (services.questionnaire_part_save), so
# the team's urgent alert does not wait for the end. No instrument code starts with "_".
RECORDED_KEY = "_recorded"


def questionnaire_recorded(*, reminder: Reminder) -> dict[str, int]:
    """The instruments of the link's questionnaire recorded already, by code, with their screening's id."""
    return dict((reminder.questionnaire_draft or {}).get(RECORDED_KEY) or {})


@dataclass(frozen=True)
class QuestionnairePart:
    """One page of a questionnaire by link: one instrument, the answers saved for it so far."""

    number: int  # 1-based, as the patient reads it: "Part 2 of 5"
    instrument: Instrument
    answers: dict[str, Any]
    missing: list[int]
    # Sent to the care team already (a safety item answered positively): shown, no longer changed.
    recorded: bool = False

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def title(self) -> str:
        return self.instrument.patient_title or "A few questions about you"


def questionnaire_parts(*, reminder: Reminder) -> list[QuestionnairePart]:
    """The questionnaire's pages with what the patient has answered on each (the link's draft)."""
    draft = reminder.questionnaire_draft or {}
    recorded = questionnaire_recorded(reminder=reminder)
    parts = []
    for number, instrument in enumerate(reminder_instruments(reminder=reminder), 1):
        answers = draft.get(instrument.code) or {}
        missing = unanswered_items(instrument, answers)
        parts.append(QuestionnairePart(number, instrument, answers, missing, instrument.code in recorded))
    return parts


# --- education ---


def link_education(*, patient: Patient) -> QuerySet[EducationAssignment]:
    """What the patient's link offers to read: the items assigned on their plans still running (draft or
    active), retired items left out."""
    return (
        EducationAssignment.objects.filter(plan__patient=patient, item__active=True)
        .exclude(plan__status=CarePlan.Status.COMPLETED)
        .select_related("item")
        .order_by("assigned_at", "id")
    )


# --- translations ---


@dataclass(frozen=True)
class TranslationGaps:
    """The questionnaires a patient's links cannot ask in their language: no validated translation is
    loaded, so a clinician gives them with an interpreter."""

    language: str  # its name, "Polish"
    instruments: list[Instrument]


def translation_gaps(*, patient: Patient) -> TranslationGaps | None:
    """For a patient who speaks another language than English: the instruments of the clinic's batteries
    and of their open re-screens with no validated translation loaded in it, in the batteries' order, then
    the re-screens'. None when there are none. Three queries at most; none for English."""
    if patient.language == Language.ENGLISH:
        return None
    batteries = Battery.objects.order_by("position", "id").values_list("instruments", flat=True)
    codes = [code for instruments in batteries for code in instruments]
    rescreens = Rescreen.objects.due().filter(patient=patient).order_by("due_on", "instrument")
    codes += list(rescreens.values_list("instrument", flat=True))
    _, missing = instruments_by_link(patient=patient, codes=codes)
    return TranslationGaps(language_name(patient.language), missing) if missing else None
