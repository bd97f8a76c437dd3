"""Reads for screening pages. Each runs a fixed number of queries, whatever the patient's history."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from teams import policy
from teams.models import Language, Patient, Team, User

from .instruments import INSTRUMENTS, Change, Instrument, Overrides, change_between
from .instruments.model import Source
from .models import (
    Alert,
    AlertEscalation,
    Battery,
    InstrumentSetting,
    InstrumentTranslation,
    ItemWording,
    Screening,
    Timepoint,
)
from .translations import language_name, source_short

ENGLISH = Language.ENGLISH.value


def setting_overrides(setting: InstrumentSetting) -> Overrides:
    return Overrides(high_cutoff=setting.high_cutoff, mcid=setting.mcid, rc=setting.rc, source=setting.source)


def instrument_setting(code: str) -> InstrumentSetting | None:
    """The clinic's own setting for an instrument, if it made one."""
    return InstrumentSetting.objects.filter(instrument=code).first()


def instrument_overrides(code: str) -> Overrides | None:
    setting = instrument_setting(code)
    return None if setting is None else setting_overrides(setting)


def all_overrides() -> dict[str, Overrides]:
    return {setting.instrument: setting_overrides(setting) for setting in InstrumentSetting.objects.all()}


def silent_instruments() -> list[Instrument]:
    """The instruments of the clinic's batteries that can never flag a patient "high": no published high
    flag rule and no clinic cut-off. Two queries; in the library's order."""
    in_batteries = {code for codes in Battery.objects.values_list("instruments", flat=True) for code in codes}
    clinic_cutoffs = set(
        InstrumentSetting.objects.filter(high_cutoff__isnull=False).values_list("instrument", flat=True)
    )
    return [
        instrument
        for code, instrument in INSTRUMENTS.items()
        if code in in_batteries and code not in clinic_cutoffs and not instrument.publishes_high_flag
    ]


def item_wordings(codes: list[str]) -> dict[tuple[str, int], str]:
    """Licensed English wording a clinic has loaded, by (instrument, item number). A translation's items
    are read with it (``link_instrument``), never here."""
    rows = ItemWording.objects.filter(instrument__in=codes, language=ENGLISH).values_list(
        "instrument", "item_number", "text"
    )
    return {(code, number): text for code, number, text in rows}


def clinic_batteries() -> QuerySet[Battery]:
    """The clinic's batteries, for the pages that offer them."""
    return Battery.objects.all()


def battery_by_id(*, battery_id: int | str) -> Battery | None:
    """The battery chosen on the entry page, or None when there is no such battery."""
    return Battery.objects.filter(pk=battery_id).first()


def alert_for_patient(*, patient: Patient, alert_id: int) -> Alert | None:
    """One of the patient's alerts; another patient's is None."""
    return Alert.objects.filter(patient=patient, pk=alert_id).first()


def alert_patient_ref(*, alert_id: int) -> Alert | None:
    """An alert with only its id and patient loaded: enough to check access to its patient before a
    service locks and reloads it."""
    return Alert.objects.filter(pk=alert_id).only("id", "patient_id").first()


def alerts_urgent_unresolved(*, patient: Patient) -> list[Alert]:
    return list(
        Alert.objects.unresolved()
        .filter(patient=patient, kind=Alert.Kind.URGENT)
        .select_related("screening", "acknowledged_by")
        .order_by("opened_at")
    )


def review_queue(*, user: User) -> QuerySet[Alert]:
    """Unresolved alerts of the patients a user may see: what psychologists work through."""
    return alerts_filtered(user=user, filters=AlertFilters())


class AlertView:
    """The review queue's three views: what still needs someone, what was closed, or both."""

    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"
    CHOICES = [(OPEN, "Open"), (CLOSED, "Closed"), (ALL, "Open and closed")]


@dataclass(frozen=True)
class AlertFilters:
    """What the review queue and the alert API may be narrowed to.

    ``mine``: alerts of the user's own patients (their primary clinician) and alerts they acknowledged or
    closed themselves. ``raised_from`` / ``raised_to``: days in the clinic's time zone, both included.
    ``patient_id``: one patient's alerts (still only if the user may see the patient).
    """

    view: str = AlertView.OPEN
    mine: bool = False
    team: Team | None = None
    instrument: str = ""
    kind: str = ""
    raised_from: date | None = None
    raised_to: date | None = None
    patient_id: int | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def alerts_filtered(*, user: User, filters: AlertFilters) -> QuerySet[Alert]:
    """The alerts of the patients a user may see, narrowed by ``filters``, in the view's order: open
    alerts urgent first and oldest first; closed ones most recently closed first; both, newest first."""
    alerts = Alert.objects.filter(patient__in=Patient.objects.visible_to(user)).select_related(
        "patient__team", "screening", "acknowledged_by", "closed_by"
    )
    if filters.view == AlertView.OPEN:
        alerts = alerts.unresolved()
    elif filters.view == AlertView.CLOSED:
        alerts = alerts.filter(status=Alert.Status.CLOSED)
    if filters.mine:
        alerts = alerts.filter(
            Q(patient__primary_clinician=user) | Q(acknowledged_by=user) | Q(closed_by=user)
        )
    if filters.team is not None:
        alerts = alerts.filter(patient__team=filters.team)
    if filters.patient_id is not None:
        alerts = alerts.filter(patient_id=filters.patient_id)
    if filters.instrument:
        alerts = alerts.filter(screening__instrument=filters.instrument)
    if filters.kind:
        alerts = alerts.filter(kind=filters.kind)
    if filters.raised_from is not None:
        alerts = alerts.filter(opened_at__gte=_day_start(filters.raised_from))
    if filters.raised_to is not None:
        alerts = alerts.filter(opened_at__lt=_day_start(filters.raised_to + timedelta(days=1)))
    if filters.view == AlertView.OPEN:
        return alerts.annotate(urgent_first=_URGENT_FIRST).order_by("urgent_first", "opened_at", "id")
    if filters.view == AlertView.CLOSED:
        return alerts.order_by("-closed_at", "-id")
    return alerts.order_by("-opened_at", "-id")


_URGENT_FIRST = Case(When(kind=Alert.Kind.URGENT, then=0), default=1)


def alert_patients(*, alerts: QuerySet[Alert]) -> QuerySet[Alert, dict[str, Any]]:
    """One row per patient of ``alerts`` (``patient_id``, ``alerts``: how many), the patient with an
    urgent alert first, then the one waiting longest: the lines of the grouped queue, to paginate."""
    return (
        alerts.order_by()
        .values("patient_id")
        .annotate(
            alerts=Count("id"),
            urgent_first=Min(_URGENT_FIRST),
            first_raised=Min("opened_at"),
        )
        .order_by("urgent_first", "first_raised", "patient_id")
    )


@dataclass(frozen=True)
class AlertGroup:
    """One line of the queue: a patient's alerts, most pressing first."""

    patient: Patient
    alerts: list[Alert] = field(default_factory=list)
    # The patient's team (or a clinic admin) acknowledges and closes; emergency access only reads.
    may_act: bool = True

    @property
    def patient_id(self) -> int:
        return self.patient.pk

    @property
    def first(self) -> Alert:
        return self.alerts[0]

    @property
    def others(self) -> list[Alert]:
        return self.alerts[1:]

    @property
    def still_open(self) -> list[Alert]:
        """Raised and not yet acknowledged by anyone: what one acknowledgement could cover."""
        return [alert for alert in self.alerts if alert.status == Alert.Status.OPEN]

    @property
    def still_open_ids(self) -> str:
        return ",".join(str(alert.pk) for alert in self.still_open)

    @property
    def first_open(self) -> Alert | None:
        """The alert an acknowledgement of this line covers when the clinician does not tick "all"."""
        return next(iter(self.still_open), None)

    @property
    def latest(self) -> Alert:
        return max(self.alerts, key=lambda alert: (alert.opened_at, alert.pk))

    @property
    def kind_examples(self) -> list[Alert]:
        """One alert of each kind in the group, most pressing first: the line's badges."""
        seen: dict[str, Alert] = {}
        for alert in self.alerts:
            seen.setdefault(alert.kind, alert)
        return list(seen.values())


def alert_groups(*, user: User, alerts: QuerySet[Alert], patient_ids: list[int]) -> list[AlertGroup]:
    """The alerts of the patients on one page of ``alert_patients``, grouped in that page's order, each
    line saying whether the user may act on it (not under emergency access alone): two queries whatever
    the number of alerts."""
    by_patient: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts.filter(patient_id__in=patient_ids):
        by_patient[alert.patient_id].append(alert)
    patients = {
        patient.pk: patient
        for patient in policy.with_team_access(
            user, Patient.objects.filter(pk__in=patient_ids).select_related("team")
        )
    }
    return [
        AlertGroup(
            patient=patients[pk],
            alerts=by_patient[pk],
            may_act=policy.may_change_patient(user, patients[pk]),
        )
        for pk in patient_ids
        if by_patient[pk] and pk in patients
    ]


ALERT_HISTORY_ROWS = 50


def alert_history(*, patient: Patient, limit: int = ALERT_HISTORY_ROWS) -> list[Alert]:
    """A patient's alerts newest first, open and closed, each with who acknowledged and closed it and
    the action taken: the story of every alert."""
    return list(
        Alert.objects.filter(patient=patient)
        .select_related("screening", "acknowledged_by", "closed_by")
        .prefetch_related(escalation_steps())
        .order_by("-opened_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class InstrumentTrack:
    """One instrument's history for one patient: latest result, its change, and the trajectory."""

    instrument: Instrument
    latest: Screening
    since_previous: Change | None
    since_first: Change | None
    points: list[dict[str, Any]]


@dataclass(frozen=True)
class ScreeningPanel:
    tracks: list[InstrumentTrack]
    history: list[Screening]
    due_battery: Battery | None
    batteries: list[Battery]


PANEL_HISTORY_ROWS = 20


def _change(
    instrument: Instrument, earlier: Screening, later: Screening, overrides: Overrides | None
) -> Change:
    return change_between(instrument, earlier.total, later.total, overrides=overrides)


def screening_tracks(*, patient: Patient) -> list[InstrumentTrack]:
    """Latest result and change per instrument, from one query over the patient's current results."""
    by_instrument: dict[str, list[Screening]] = defaultdict(list)
    rows = (
        Screening.objects.current()
        .filter(patient=patient)
        .only("id", "patient_id", "instrument", "administered_at", "total", "band", "flags", "timepoint")
        .order_by("administered_at", "id")
    )
    for screening in rows:
        by_instrument[screening.instrument].append(screening)
    overrides = all_overrides()
    tracks = []
    for code, results in by_instrument.items():
        instrument = INSTRUMENTS.get(code)
        if instrument is None:
            continue
        latest, thresholds = results[-1], overrides.get(code)
        tracks.append(
            InstrumentTrack(
                instrument=instrument,
                latest=latest,
                since_previous=_change(instrument, results[-2], latest, thresholds)
                if len(results) > 1
                else None,
                since_first=_change(instrument, results[0], latest, thresholds) if len(results) > 1 else None,
                points=[{"x": r.administered_at.date().isoformat(), "y": r.total} for r in results],
            )
        )
    order = list(INSTRUMENTS)
    return sorted(tracks, key=lambda track: order.index(track.instrument.code))


def screening_panel(*, patient: Patient) -> ScreeningPanel:
    batteries = list(Battery.objects.all())
    intake_done = Screening.objects.filter(patient=patient, timepoint=Timepoint.INTAKE).exists()
    due = None if intake_done else next((b for b in batteries if b.timepoint == Timepoint.INTAKE), None)
    history = list(
        Screening.objects.filter(patient=patient)
        .select_related("entered_by", "amends")
        .order_by("-administered_at", "-id")[:PANEL_HISTORY_ROWS]
    )
    return ScreeningPanel(
        tracks=screening_tracks(patient=patient), history=history, due_battery=due, batteries=batteries
    )


def screening_for_patient(*, patient: Patient, screening_id: int) -> Screening | None:
    return (
        Screening.objects.filter(patient=patient, pk=screening_id)
        .select_related("entered_by", "amends", "amendment__entered_by")
        .prefetch_related(
            # The alerts this result raised, with their story, for the result page.
            Prefetch(
                "alerts",
                queryset=Alert.objects.select_related("acknowledged_by", "closed_by").order_by(
                    "opened_at", "id"
                ),
            ),
            escalation_steps("alerts__escalations"),
        )
        .first()
    )


def patient_screenings(*, patient: Patient) -> QuerySet[Screening]:
    """A patient's results, corrected ones too, newest first, with who entered them."""
    return (
        Screening.objects.filter(patient=patient)
        .select_related("entered_by")
        .order_by("-administered_at", "-id")
    )


def _screenings_marked_superseded() -> QuerySet[Screening]:
    corrected = Screening.objects.filter(amends=OuterRef("pk"))
    return Screening.objects.select_related("entered_by").annotate(superseded=Exists(corrected))


def questionnaire_responses(*, patient: Patient) -> QuerySet[Screening]:
    """A patient's results newest first, each with who entered it and ``superseded`` (a correction of it
    exists): what a FHIR QuestionnaireResponse is made from."""
    return _screenings_marked_superseded().filter(patient=patient).order_by("-administered_at", "-id")


def questionnaire_response(*, screening_id: int) -> Screening:
    """One result as ``questionnaire_responses`` gives them; raises Screening.DoesNotExist."""
    return _screenings_marked_superseded().get(pk=screening_id)


# --- escalation ---


def escalation_steps(lookup: str = "escalations") -> Prefetch:
    """The steps of an alert's escalation that happened (to the team lead, to clinic admins, or nobody to
    reach), in order, as ``alert.escalation_story``: one query for any number of alerts. ``lookup``
    reaches the alerts' escalations from the rows fetched (``"alerts__escalations"`` from results)."""
    return Prefetch(
        lookup,
        queryset=AlertEscalation.objects.filter(sent_at__isnull=False).order_by("step"),
        to_attr="escalation_story",
    )


# --- translations ---


def translation_of(code: str, language: str) -> InstrumentTranslation | None:
    """The validated translation of an instrument loaded for a language, if the clinic loaded one."""
    return InstrumentTranslation.objects.filter(instrument=code, language=language).first()


def translated_codes(codes: list[str], language: str) -> set[str]:
    """Which of these instruments have a translation loaded for a language (one query)."""
    return set(
        InstrumentTranslation.objects.filter(instrument__in=codes, language=language).values_list(
            "instrument", flat=True
        )
    )


def instruments_by_link(*, patient: Patient, codes: list[str]) -> tuple[list[Instrument], list[Instrument]]:
    """The instruments of ``codes`` (library codes; others left out) a patient may answer by link in their
    language, and those they may not, each in the order given. English is always available (the
    instrument's own wording, or licensed English wording); another language only with a validated
    translation loaded for it. At most one query."""
    instruments = [INSTRUMENTS[code] for code in dict.fromkeys(codes) if code in INSTRUMENTS]
    if patient.language == ENGLISH or not instruments:
        return instruments, []
    loaded = translated_codes([i.code for i in instruments], patient.language)
    return (
        [i for i in instruments if i.code in loaded],
        [i for i in instruments if i.code not in loaded],
    )


def link_instrument(instrument: Instrument, language: str) -> tuple[Instrument, str]:
    """The instrument as a patient answering by link in ``language`` reads it, and the wording version
    they see. In English: its own stem and title, licensed item wording where loaded, else its own. In a
    loaded translation's language: the translation's title, stem, item wording and answer labels (the
    values and scoring are the instrument's). Raises LookupError for a language with none loaded. Two
    queries."""
    if language == ENGLISH:
        wordings = item_wordings([instrument.code])
        items = tuple(
            replace(item, text=wordings.get((instrument.code, item.number), item.text) or item.label)
            for item in instrument.items
        )
        return replace(instrument, items=items), instrument.version
    translation = translation_of(instrument.code, language)
    if translation is None:
        raise LookupError(f"No validated translation of {instrument.code} in {language} is loaded.")
    texts = dict(
        ItemWording.objects.filter(instrument=instrument.code, language=language).values_list(
            "item_number", "text"
        )
    )
    items = tuple(
        replace(
            item,
            text=texts.get(item.number) or item.text or item.label,
            answers=tuple(
                replace(answer, label=label)
                for answer, label in zip(
                    item.answers, translation.answer_labels.get(str(item.number), []), strict=False
                )
            )
            or item.answers,
        )
        for item in instrument.items
    )
    translated = replace(instrument, items=items, stem=translation.stem, patient_title=translation.title)
    return translated, translation.wording_version


def link_wording_version(*, code: str, language: str) -> str:
    """The wording version a patient answering by link in ``language`` sees (one query at most)."""
    if language == ENGLISH:
        return INSTRUMENTS[code].version
    return (
        InstrumentTranslation.objects.filter(instrument=code, language=language)
        .values_list("wording_version", flat=True)
        .first()
        or ""
    )


def translation_items(translation: InstrumentTranslation) -> list[tuple[str, list[str]]]:
    """A loaded translation's items in order: each one's wording and its answer labels."""
    rows = ItemWording.objects.filter(instrument=translation.instrument, language=translation.language)
    texts = dict(rows.values_list("item_number", "text"))
    return [
        (texts.get(number, ""), translation.answer_labels.get(str(number), []))
        for number in sorted(texts.keys() | {int(n) for n in translation.answer_labels})
    ]


@dataclass(frozen=True)
class AnsweredIn:
    """How a result the patient completed themselves was worded: "in Polish, wording …, Kokoszka 2016"."""

    language: str  # its name, "Polish"
    wording_version: str
    source: str  # how a label cites the wording's source; "" where the translation loaded now is another


def answered_in(screening: Screening) -> AnsweredIn | None:
    """The language and wording a patient answered a result in, for its page; None for a result entered
    by staff or recorded before languages were. One query for a translated result, none for English."""
    if not screening.language:
        return None
    if screening.language == ENGLISH:
        source = Source(citation=INSTRUMENTS[screening.instrument].citation, population="").short
    else:
        translation = translation_of(screening.instrument, screening.language)
        current = translation is not None and translation.wording_version == screening.wording_version
        source = source_short(translation.source) if current and translation is not None else ""
    return AnsweredIn(language_name(screening.language), screening.wording_version, source)
