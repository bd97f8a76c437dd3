"""What puts a patient on a case conference's agenda: the reasons, their thresholds, and the builder.

The reasons are a table (``REASONS``), in the order the agenda shows them, each with its finder. The
data behind most of them belongs to the apps below this one, so a finder is a call into that app's
``agenda`` module (screening, care plans, routing, check-ins, adherence) with the window's moments and the
team's thresholds. A finder gets the team's active patients (a queryset, used as a subquery) and
returns ``(patient_id, detail)`` pairs, the detail carrying the numbers behind the reason. Each runs a
fixed number of queries, so the agenda's query count does not grow with the team.

A reason may be found several times for one patient (three screenings rising, fifteen alerts): the
agenda and the summary show them as one line each (``reason_groups``), with a count worded by the
reason's own ``many`` and every detail behind it. Urgent reasons (``Reason.urgent``: an urgent safety
alert) lead the agenda; a patient added by hand joins it right after them (``hand_added_position``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from adherence import agenda as adherence_agenda
from careplans import agenda as careplans_agenda
from checkins import agenda as checkins_agenda
from core.dates import day_month
from routing import agenda as routing_agenda
from screening import agenda as screening_agenda
from teams.models import Patient

from .models import ActionItem, AgendaItem, CaseConference, ConferenceSeries


@dataclass(frozen=True)
class Thresholds:
    exercise_below: int = adherence_agenda.DEFAULT_EXERCISE_BELOW
    attendance_below: int = adherence_agenda.DEFAULT_ATTENDANCE_BELOW
    adherence_days: int = adherence_agenda.DEFAULT_ADHERENCE_DAYS
    checkin_silence_days: int = checkins_agenda.DEFAULT_CHECKIN_SILENCE_DAYS

    @classmethod
    def of(cls, series: ConferenceSeries | None) -> Thresholds:
        if series is None:
            return cls()
        return cls(
            exercise_below=series.exercise_below,
            attendance_below=series.attendance_below,
            adherence_days=series.adherence_days,
            checkin_silence_days=series.checkin_silence_days,
        )


@dataclass(frozen=True)
class Window:
    """What a finder looks at: changes since ``since`` (the previous conference) up to ``until`` (this
    one); dates due by ``day`` (the conference day); recent behaviour (adherence, check-ins) measured
    up to ``as_of``, now or the conference's start if that has passed, so an agenda looked at ahead of
    the day counts days that have happened."""

    since: datetime
    until: datetime
    as_of: datetime
    thresholds: Thresholds

    @property
    def day(self) -> date:
        return timezone.localdate(self.until)

    @property
    def as_of_day(self) -> date:
        return timezone.localdate(self.as_of)


Finder = Callable[[QuerySet[Patient], Window], Iterable[tuple[int, str]]]


def open_actions_finder(patients: QuerySet[Patient], window: Window) -> list[tuple[int, str]]:
    """Action items from earlier conferences still open, the overdue ones said so."""
    actions = (
        ActionItem.objects.open()
        .filter(patient__in=patients, conference__starts_at__lt=window.until)
        .select_related("owner")
        .order_by("due_on", "id")
    )
    found = []
    for action in actions:
        overdue = action.due_on < window.day
        due = f"overdue since {day_month(action.due_on)}" if overdue else f"due {day_month(action.due_on)}"
        found.append((action.patient_id, f"“{action.description}” ({action.owner}, {due})"))
    return found


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    explanation: str
    find: Finder
    # How the agenda words several findings of this reason for one patient; {n} is their number.
    many: str = ""
    # Urgent reasons come before anything else, a patient added by hand included. Only an urgent
    # safety alert is: it is the one reason that may mean the patient is at risk today.
    urgent: bool = False


# The one list of reasons, most pressing first.
REASONS: tuple[Reason, ...] = (
    Reason(
        "urgent_alert",
        "Urgent alert",
        "an urgent safety alert is open, or was raised since the last conference",
        lambda patients, w: screening_agenda.urgent_alerts(patients, since=w.since, until=w.until),
        many="{n} urgent alerts",
        urgent=True,
    ),
    Reason(
        "distress_rising",
        "Distress rising",
        "a screening since the last conference shows reliable deterioration or moved into a high band",
        lambda patients, w: screening_agenda.distress_rising(patients, since=w.since, until=w.until),
        many="Distress rising on {n} screenings",
    ),
    Reason(
        "review_overdue",
        "Review overdue",
        "a psychosocial review is unresolved past its due date",
        lambda patients, w: routing_agenda.reviews_overdue_found(patients, day=w.day),
        many="{n} reviews overdue",
    ),
    Reason(
        "exercise_low",
        "Exercise completion low",
        "home-exercise completion over the {adherence_days} days before this week is under {exercise_below}%",
        lambda patients, w: adherence_agenda.exercise_low(
            patients,
            as_of_day=w.as_of_day,
            days=w.thresholds.adherence_days,
            below=w.thresholds.exercise_below,
        ),
    ),
    Reason(
        "attendance_low",
        "Attendance low",
        "attendance at sessions over the {adherence_days} days before this week is under {attendance_below}%",
        lambda patients, w: adherence_agenda.attendance_low(
            patients,
            as_of_day=w.as_of_day,
            days=w.thresholds.adherence_days,
            below=w.thresholds.attendance_below,
        ),
    ),
    Reason(
        "milestone_overdue",
        "Milestone overdue",
        "a milestone of the active plan is past its due date",
        lambda patients, w: careplans_agenda.milestones_overdue(patients, day=w.day),
        many="{n} milestones overdue",
    ),
    Reason(
        "barrier_review",
        "Barrier plans to review",
        "a barrier's agreed plan has waited more than "
        f"{careplans_agenda.BARRIER_REVIEW_AFTER_DAYS} days to be reviewed",
        lambda patients, w: careplans_agenda.barriers_to_review(patients, day=w.day),
        many="{n} barrier plans to review",
    ),
    Reason(
        "referral_follow_up",
        "Referral follow-up overdue",
        "an open referral's follow-up date has passed, or agreed workplace accommodations are due for review",
        lambda patients, w: careplans_agenda.referral_follow_ups_overdue(patients, day=w.day),
        many="{n} referral follow-ups due",
    ),
    Reason(
        "rescreen_missed",
        "Re-screen missed",
        "a follow-up screening is still not done after its due date",
        lambda patients, w: routing_agenda.rescreens_missed_found(patients, day=w.day),
        many="{n} re-screens missed",
    ),
    Reason(
        "no_checkin",
        "No check-in",
        "a patient with check-in reminders has not checked in for {checkin_silence_days} days",
        lambda patients, w: checkins_agenda.checkins_silent(
            patients, as_of=w.as_of, days=w.thresholds.checkin_silence_days
        ),
    ),
    Reason(
        "open_action",
        "Open action",
        "an action item from an earlier conference is still open",
        open_actions_finder,
        many="{n} open actions",
    ),
    Reason(
        "discharge_review",
        "Discharge review due",
        "the active plan's review date has come",
        lambda patients, w: careplans_agenda.discharge_review_due(patients, day=w.day),
    ),
)
REASON_CODES = [reason.code for reason in REASONS]
REASON_LABELS = {reason.code: reason.label for reason in REASONS}
URGENT_CODES = frozenset(reason.code for reason in REASONS if reason.urgent)
_MANY = {reason.code: reason.many for reason in REASONS if reason.many}


@dataclass(frozen=True)
class ReasonGroup:
    """One line of a patient's reasons: every finding of one reason, counted, with each finding's detail."""

    code: str
    label: str
    details: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.details)


def reason_groups(reasons: Iterable[dict[str, str]]) -> list[ReasonGroup]:
    """A patient's reasons (as found, or as stored on an agenda item) grouped by reason, in first-seen
    order. One finding keeps its own label ("Urgent alert"); several are counted in the reason's
    words ("15 urgent alerts"), or, for a reason without them, by the label and the number."""
    details: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for reason in reasons:
        details.setdefault(reason["code"], []).append(reason.get("detail", ""))
        labels.setdefault(reason["code"], reason["label"])
    groups = []
    for code, found in details.items():
        label = labels[code]
        if len(found) > 1:
            label = _MANY[code].format(n=len(found)) if code in _MANY else f"{label} ({len(found)})"
        groups.append(ReasonGroup(code=code, label=label, details=tuple(found)))
    return groups


def is_urgent(reasons: Iterable[dict[str, str]]) -> bool:
    return any(reason["code"] in URGENT_CODES for reason in reasons)


def reasons_explained(thresholds: Thresholds) -> list[tuple[str, str]]:
    return [(reason.label, reason.explanation.format(**vars(thresholds))) for reason in REASONS]


# When a team has no earlier conference, the agenda looks back this far.
FIRST_LOOK_BACK = timedelta(days=14)


def agenda_window(conference: CaseConference) -> Window:
    """From the start of the team's previous conference (or two weeks back) to this one's start."""
    since = conference.agenda_since
    if since is None:
        previous = (
            CaseConference.objects.filter(team_id=conference.team_id, starts_at__lt=conference.starts_at)
            .exclude(pk=conference.pk)
            .order_by("-starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        since = previous or conference.starts_at - FIRST_LOOK_BACK
    series = ConferenceSeries.objects.filter(team_id=conference.team_id).first()
    until = conference.starts_at
    return Window(
        since=since, until=until, as_of=min(until, timezone.now()), thresholds=Thresholds.of(series)
    )


@dataclass
class Entry:
    """One line of the agenda: a patient, why they are there, and the stored item once there is one.

    The patient is loaded for the lines shown (``with_patients``): a long agenda is ordered by the
    patients' names alone, and only its page is read in full."""

    patient_id: int
    # Family and given name: the order among patients equally pressing.
    names: tuple[str, str]
    reasons: list[dict[str, str]]
    item: AgendaItem | None = None
    loaded: Patient | None = None

    @property
    def patient(self) -> Patient:
        if self.loaded is None:
            raise LookupError("The agenda line's patient is not loaded: pass its entries to with_patients.")
        return self.loaded

    @property
    def added_by_hand(self) -> bool:
        return self.item is not None and self.item.added_by_id is not None

    @property
    def reason_groups(self) -> list[ReasonGroup]:
        return reason_groups(self.reasons)


def findings(conference: CaseConference, window: Window) -> dict[int, list[dict[str, str]]]:
    """Every reason's finder over the team's active patients: patient id → reasons, in table order."""
    patients = Patient.objects.filter(team_id=conference.team_id, status=Patient.Status.ACTIVE)
    found: dict[int, list[dict[str, str]]] = defaultdict(list)
    for reason in REASONS:
        for patient_id, detail in reason.find(patients, window):
            found[patient_id].append({"code": reason.code, "label": reason.label, "detail": detail})
    return found


def agenda_order(conference: CaseConference, window: Window | None = None) -> list[Entry]:
    """The agenda as it stands, its patients not loaded yet (``with_patients``): stored items in their
    order; for a planned conference, also the patients the reasons list today, most pressing first, with
    the patients added by hand right after the urgent ones. A fixed number of queries whatever the
    team's size."""
    items = list(
        AgendaItem.objects.filter(conference=conference)
        .select_related("patient__primary_clinician", "added_by", "note")
        .order_by("position", "id")
    )
    entries = [
        Entry(
            patient_id=item.patient_id,
            names=(item.patient.family_name, item.patient.given_name),
            reasons=item.reasons,
            item=item,
            loaded=item.patient,
        )
        for item in items
    ]
    if conference.status != CaseConference.Status.PLANNED:
        return entries
    # Before the start, the stored items are the patients added by hand.
    found = findings(conference, window or agenda_window(conference))
    stored = {item.patient_id for item in items}
    for entry in entries:
        if entry.patient_id in found:
            entry.reasons = found[entry.patient_id]
    new_ids = [patient_id for patient_id in found if patient_id not in stored]
    names = Patient.objects.filter(pk__in=new_ids).order_by().values_list("pk", "family_name", "given_name")
    entries += [
        Entry(patient_id=patient_id, names=(family, given), reasons=found[patient_id])
        for patient_id, family, given in names
    ]
    return sorted(entries, key=_place)


def with_patients(entries: Iterable[Entry]) -> None:
    """Load each entry's patient and their primary clinician: one query for those not loaded yet."""
    waiting = [entry for entry in entries if entry.loaded is None]
    if waiting:
        patients = Patient.objects.select_related("primary_clinician").in_bulk(e.patient_id for e in waiting)
        for entry in waiting:
            entry.loaded = patients[entry.patient_id]


def agenda_entries(conference: CaseConference, window: Window | None = None) -> list[Entry]:
    """The whole agenda in its order (``agenda_order``), every patient loaded."""
    entries = agenda_order(conference, window)
    with_patients(entries)
    return entries


def _place(entry: Entry) -> tuple:
    """Urgent first, then the patients added by hand for no reason the agenda knows (in the order they
    were added), then everyone else, each most pressing first."""
    if entry.item is not None and not _found(entry):
        return (1, entry.item.position, entry.item.pk)
    return (0 if is_urgent(entry.reasons) else 2, *_urgency(entry))


def _found(entry: Entry) -> bool:
    return any(reason["code"] in REASON_CODES for reason in entry.reasons)


def _urgency(entry: Entry) -> tuple:
    """Most pressing first: by the earliest reason in the table, then by how many reasons, then name."""
    first = min(REASON_CODES.index(reason["code"]) for reason in entry.reasons)
    return (first, -len(entry.reasons), *entry.names, entry.patient_id)


def hand_added_position(items: list[AgendaItem]) -> int:
    """Where a patient added by hand to a started agenda goes (``items`` in their order): after the last
    urgent item, and after the patients already added by hand just after it, so additions keep the
    order they were made in and never push an urgent patient down."""
    position = 0
    for index, item in enumerate(items):
        if is_urgent(item.reasons):
            position = index + 1
    while position < len(items) and items[position].added_by_id is not None:
        position += 1
    return position
