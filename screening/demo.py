"""Demo screenings: intake and milestone results with improving, stalling and deteriorating
trajectories, one open urgent safety alert, and a few psychosocial reviews already closed with the
action taken (the review queue's closed view and the alert history). Idempotent: patients with results
are skipped."""

from datetime import timedelta

from teams.demo import DemoCalendar
from teams.models import Patient, User

from .batteries import batteries_ensure
from .instruments import Instrument, get_instrument
from .models import Battery, InstrumentTranslation, Screening, Timepoint
from .services import screening_record, translation_load
from .translations import shipped_translation, translation_read

INTAKE = ("PHQ-9", "GAD-7", "STarT-Back", "PCS", "TSK-11")
MILESTONE = ("PHQ-9", "GAD-7", "PCS", "TSK-11", "PSEQ")

# Share of each instrument's range at intake, 6 weeks and last week, by trajectory.
TRAJECTORIES = {
    "improving": (0.62, 0.42, 0.2),
    "stalling": (0.5, 0.48, 0.5),
    "deteriorating": (0.3, 0.45, 0.66),
}


def answers_for(instrument: Instrument, share: float) -> dict[str, int]:
    """Answers whose scored total is about ``share`` of the range; never touches a safety item."""
    span = instrument.max_total - instrument.min_total
    if instrument.higher_is_better:
        share = 1 - share
    # A safety item stays at its lowest score: the one urgent alert is made on purpose below.
    safety_items = {rule.item for rule in instrument.flags if getattr(rule, "item", None)}
    fillable = [item for item in instrument.items if item.number not in safety_items]
    lowest = {item.number: min(a.score for a in item.answers) for item in instrument.items}
    wanted = round(span * share)
    scores = dict(lowest)
    while wanted > 0:
        progressed = False
        for item in fillable:
            top = max(a.score for a in item.answers)
            if wanted > 0 and scores[item.number] < top:
                scores[item.number] += 1
                wanted -= 1
                progressed = True
        if not progressed:
            break
    answers = {}
    for item in instrument.items:
        # The raw answer that scores what we want (a reversed item keys the opposite end).
        candidates = [a for a in item.answers if a.score == scores[item.number]]
        answer = candidates[0] if candidates else min(item.answers, key=lambda a: a.score)
        answers[str(item.number)] = answer.value
    return answers


def _record(patient: Patient, codes, timepoint: str, share: float, when) -> None:
    for code in codes:
        instrument = get_instrument(code)
        screening_record(
            patient=patient,
            instrument_code=code,
            timepoint=timepoint,
            answers=answers_for(instrument, share),
            entered_by=patient.primary_clinician,
            administered_at=when,
        )


def demo_screenings_seed(calendar: DemoCalendar) -> int:
    batteries_ensure(Battery)
    now, last_conference = calendar.now, calendar.held[-1]
    names = list(TRAJECTORIES)
    patients = Patient.objects.select_related("primary_clinician").order_by("mrn")
    for index, patient in enumerate(patients):
        if Screening.objects.filter(patient=patient).exists():
            continue
        intake, six_weeks, latest = TRAJECTORIES[names[index % len(names)]]
        _record(patient, INTAKE, Timepoint.INTAKE, intake, now - timedelta(weeks=12, days=index % 5))
        if index % 7 == 6:
            continue  # a few patients have had only their intake so far
        _record(patient, MILESTONE, Timepoint.MILESTONE, six_weeks, now - timedelta(weeks=6, days=index % 5))
        # The latest results came in since North's last conference, so the next one discusses them.
        since_last = (now - last_conference) * (1 + index % 5) / 6
        _record(patient, MILESTONE, Timepoint.MILESTONE, latest, last_conference + since_last)
    # The alert's PHQ-9 is the patient's newest result: two hours ago, or later if the last conference
    # was less than a day ago, so the next conference finds it rising since the one before.
    _open_one_safety_alert(max(now - timedelta(hours=2), last_conference + (now - last_conference) * 11 / 12))
    return Screening.objects.count()


def _open_one_safety_alert(when) -> None:
    if Screening.objects.filter(flags__contains=["safety"]).exists():
        return
    patient = (
        Patient.objects.filter(team__name="North MSK", status=Patient.Status.ACTIVE).order_by("mrn").first()
    )
    if patient is None:
        return
    answers = answers_for(get_instrument("PHQ-9"), 0.55)
    answers["9"] = 1
    screening_record(
        patient=patient,
        instrument_code="PHQ-9",
        timepoint=Timepoint.ADHOC,
        answers=answers,
        entered_by=patient.primary_clinician,
        administered_at=when,
    )


# --- translations ---


def demo_translations_seed(calendar: DemoCalendar) -> int:
    """The validated Polish PHQ-9 we ship, loaded as a clinic would (GAD-7 and PCS stay unloaded, so the
    demo shows the "administer with an interpreter" path for the Polish-speaking patients too).
    Idempotent: loading again replaces it with the same. Returns how many translations are loaded."""
    admin = User.objects.filter(username="admin").first()
    translation_load(data=translation_read(shipped_translation("pl", "PHQ-9")), user=admin)
    return InstrumentTranslation.objects.count()
