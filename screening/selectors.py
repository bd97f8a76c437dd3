"""Reads for screening pages. Each runs a fixed number of queries, whatever the patient's history."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, OuterRef, QuerySet, When

from teams.models import Patient, User

from .instruments import INSTRUMENTS, Change, Instrument, Overrides, change_between
from .models import Alert, Battery, InstrumentSetting, ItemWording, Screening, Timepoint


def instrument_overrides(code: str) -> Overrides | None:
    setting = InstrumentSetting.objects.filter(instrument=code).first()
    if setting is None:
        return None
    return Overrides(high_cutoff=setting.high_cutoff, mcid=setting.mcid, rc=setting.rc)


def all_overrides() -> dict[str, Overrides]:
    return {
        setting.instrument: Overrides(high_cutoff=setting.high_cutoff, mcid=setting.mcid, rc=setting.rc)
        for setting in InstrumentSetting.objects.all()
    }


def item_wordings(codes: list[str]) -> dict[tuple[str, int], str]:
    """Licensed wording a clinic has loaded, by (instrument, item number)."""
    rows = ItemWording.objects.filter(instrument__in=codes).values_list("instrument", "item_number", "text")
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
    return (
        Alert.objects.unresolved()
        .filter(patient__in=Patient.objects.visible_to(user))
        .select_related("patient__team", "screening", "acknowledged_by")
        .annotate(urgent_first=Case(When(kind=Alert.Kind.URGENT, then=0), default=1))
        .order_by("urgent_first", "opened_at", "id")
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
