"""Writes for screening: record, amend, and the alert loop. Every write is atomic and audited."""

from collections.abc import Collection, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.queue import enqueue_on_commit
from teams.models import AuditEvent, Discipline, Membership, Patient, User
from teams.services import audit_record, audited_save

from .escalation import escalation_start_now
from .instruments import Instrument, Score, ScoringError, get_instrument, score
from .models import Alert, InstrumentTranslation, ItemWording, Screening, Timepoint
from .selectors import instrument_overrides
from .signals import screening_recorded
from .translations import Translation, translation_check


class ScreeningInvalid(ValueError):
    """Input that cannot be scored or stored. ``errors`` is nested like the input, a list of messages per
    field: ``{"answers": {"9": ["..."]}}``, or per instrument for a battery: ``{"PHQ-9": {"answers": ...}}``.
    """

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(errors)
        self.errors = errors


class ProratingUnconfirmed(ScreeningInvalid):
    """Answers that score only by prorating items the person entering them has not confirmed as missing.

    ``missing`` holds the blank items per instrument code; ``errors`` says the same per item, nested like
    any other refusal, so the API answers it as a 400 with a message per item.
    """

    def __init__(self, missing: dict[str, tuple[int, ...]], *, battery: bool) -> None:
        per_instrument = {
            code: {
                "answers": {
                    str(number): [
                        "Not answered: the total would be prorated from the answered items. "
                        "Confirm that it may stay blank to save the result so."
                    ]
                    for number in numbers
                }
            }
            for code, numbers in missing.items()
        }
        errors: dict[str, Any] = dict(per_instrument) if battery else per_instrument[next(iter(missing))]
        super().__init__(errors)
        self.missing = missing


def imputed_items(instrument: Instrument, result: Score) -> tuple[int, ...]:
    """The items a prorated result was scaled over: those left blank ("" for a complete result)."""
    return tuple(item.number for item in instrument.items if item.number not in result.answers)


def _prorating_confirmed(
    scored: list[tuple[Instrument, Score]], missing_confirmed: Mapping[str, Collection[int]] | None
) -> dict[str, tuple[int, ...]]:
    """The prorated results whose blank items were not all confirmed, by instrument code.

    The one rule for prorating what a person keys in: a total scaled up over blank items is stored only
    when whoever entered it confirmed those items may stay blank. ``None`` is for answers nobody at a
    keyboard can be asked about (a patient's own link, an import): those carry the "prorated" flag alone.
    """
    if missing_confirmed is None:
        return {}
    unconfirmed = {}
    for instrument, result in scored:
        blank = imputed_items(instrument, result)
        if result.prorated and not set(blank) <= set(missing_confirmed.get(instrument.code, ())):
            unconfirmed[instrument.code] = blank
    return unconfirmed


def screening_score(*, instrument_code: str, answers: object) -> tuple[Instrument, Score]:
    """Score answers with the clinic's settings, or raise ScreeningInvalid with a message per item."""
    try:
        instrument = get_instrument(instrument_code)
    except LookupError:
        raise ScreeningInvalid({"instrument": [f"Unknown instrument {instrument_code!r}."]}) from None
    if not isinstance(answers, Mapping):
        raise ScreeningInvalid({"answers": ["Answers must be an object of item number to answer."]})
    try:
        return instrument, score(instrument, answers, overrides=instrument_overrides(instrument.code))
    except ScoringError as error:
        raise ScreeningInvalid({"answers": dict(error.errors)}) from None


def _alerts_open(*, screening: Screening, instrument: Instrument) -> list[Alert]:
    """The urgent safety alert a result raises. A high result no longer opens a review alert: the routing
    rules open an owned review instead (``routing.services.reviews_open_for``, on ``screening_recorded``).
    Urgent alerts are never merged: each one needs its own closed loop."""
    opened = []
    if "safety" in screening.flags:
        opened.append(
            Alert(
                patient=screening.patient,
                screening=screening,
                kind=Alert.Kind.URGENT,
                reason=f"{instrument.code}: self-harm item answered at or above 1",
            )
        )
    if not opened:
        return []
    alerts = Alert.objects.bulk_create(opened)
    for alert in alerts:
        if alert.kind == Alert.Kind.URGENT:
            enqueue_on_commit("screening.tasks.alert_notify", alert.pk)
    return alerts


def _create(
    *,
    patient: Patient,
    instrument: Instrument,
    result: Score,
    timepoint: str,
    entered_by: User | None,
    source: str,
    administered_at=None,
    amends: Screening | None = None,
    reason: str = "",
    language: str = "",
    wording_version: str = "",
) -> Screening:
    screening = audited_save(
        Screening(
            patient=patient,
            instrument=instrument.code,
            instrument_version=instrument.version,
            timepoint=timepoint,
            source=source,
            administered_at=administered_at or timezone.now(),
            entered_by=entered_by,
            answers={str(number): value for number, value in sorted(result.answers.items())},
            total=result.total,
            subscales=result.subscales,
            band=result.band,
            flags=list(result.flags),
            amends=amends,
            amendment_reason=reason,
            language=language,
            wording_version=wording_version,
        ),
        actor=entered_by,
        patient=patient,
        fields=["answers"] + (["amends"] if amends else []),
        clean=False,
    )
    _alerts_open(screening=screening, instrument=instrument)
    screening_recorded.send(sender=Screening, screening=screening, instrument=instrument)
    return screening


def _check_timepoint(timepoint: str) -> None:
    if timepoint not in Timepoint.values:
        raise ScreeningInvalid({"timepoint": [f"Choose one of: {', '.join(Timepoint.values)}."]})


@transaction.atomic
def screening_record(
    *,
    patient: Patient,
    instrument_code: str,
    timepoint: str,
    answers: object,
    entered_by: User | None,
    source: str = Screening.Source.CLINICIAN,
    administered_at=None,
    missing_confirmed: Collection[int] | None = None,
    language: str = "",
    wording_version: str = "",
) -> Screening:
    """Score and store one result. A person entering answers passes ``missing_confirmed`` (the item
    numbers they confirmed may stay blank, often none): a result that would be prorated over other blank
    items raises ProratingUnconfirmed instead of being stored. A result the patient completed themselves
    passes the ``language`` they answered in and the ``wording_version`` they saw."""
    _check_timepoint(timepoint)
    instrument, result = screening_score(instrument_code=instrument_code, answers=answers)
    confirmed = None if missing_confirmed is None else {instrument.code: missing_confirmed}
    unconfirmed = _prorating_confirmed([(instrument, result)], confirmed)
    if unconfirmed:
        raise ProratingUnconfirmed(unconfirmed, battery=False)
    return _create(
        patient=patient,
        instrument=instrument,
        result=result,
        timepoint=timepoint,
        entered_by=entered_by,
        source=source,
        administered_at=administered_at,
        language=language,
        wording_version=wording_version,
    )


@transaction.atomic
def battery_record(
    *,
    patient: Patient,
    answers_by_instrument: Mapping[str, object],
    timepoint: str,
    entered_by: User,
    missing_confirmed: Mapping[str, Collection[int]] | None = None,
) -> list[Screening]:
    """Record several instruments at once: all are stored, or none (errors keyed by instrument).

    ``missing_confirmed``: the blank items, per instrument code, that the person entering the answers
    confirmed; a result prorated over unconfirmed blanks raises ProratingUnconfirmed, once every
    instrument scores.
    """
    _check_timepoint(timepoint)
    scored, errors = [], {}
    for code, answers in answers_by_instrument.items():
        try:
            scored.append(screening_score(instrument_code=code, answers=answers))
        except ScreeningInvalid as error:
            errors[code] = error.errors
    if errors:
        raise ScreeningInvalid(errors)
    unconfirmed = _prorating_confirmed(scored, missing_confirmed)
    if unconfirmed:
        raise ProratingUnconfirmed(unconfirmed, battery=True)
    now = timezone.now()
    return [
        _create(
            patient=patient,
            instrument=instrument,
            result=result,
            timepoint=timepoint,
            entered_by=entered_by,
            source=Screening.Source.CLINICIAN,
            administered_at=now,
        )
        for instrument, result in scored
    ]


@transaction.atomic
def screening_amend(
    *,
    original: Screening,
    answers: object,
    reason: str,
    entered_by: User,
    missing_confirmed: Collection[int] | None = None,
) -> Screening:
    """Correct a result: a new result that keeps the original beside it, with the reason. A corrected
    total prorated over blank items asks first, as a new result does (``missing_confirmed``)."""
    original = Screening.objects.select_for_update().get(pk=original.pk)
    if Screening.objects.filter(amends=original).exists():
        raise ScreeningInvalid({"amends": ["This result was already amended: amend the latest version."]})
    if not reason.strip():
        raise ScreeningInvalid({"reason": ["Say why the result is being corrected."]})
    instrument, result = screening_score(instrument_code=original.instrument, answers=answers)
    confirmed = None if missing_confirmed is None else {instrument.code: missing_confirmed}
    unconfirmed = _prorating_confirmed([(instrument, result)], confirmed)
    if unconfirmed:
        raise ProratingUnconfirmed(unconfirmed, battery=False)
    return _create(
        patient=original.patient,
        instrument=instrument,
        result=result,
        timepoint=original.timepoint,
        entered_by=entered_by,
        source=original.source,
        administered_at=original.administered_at,
        amends=original,
        reason=reason.strip(),
        # A correction of what the patient answered keeps the language and wording they answered in.
        language=original.language,
        wording_version=original.wording_version,
    )


def _acknowledge(alert: Alert, user: User) -> Alert:
    """Acknowledge a locked alert, if nobody has yet; audited on its own."""
    if alert.status != Alert.Status.OPEN:
        return alert
    alert.status = Alert.Status.ACKNOWLEDGED
    alert.acknowledged_by = user
    alert.acknowledged_at = timezone.now()
    return audited_save(
        alert,
        actor=user,
        patient=alert.patient,
        fields=["status", "acknowledged_by", "acknowledged_at"],
        clean=False,
    )


@transaction.atomic
def alert_acknowledge(*, alert: Alert, user: User) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    return _acknowledge(alert, user)


@transaction.atomic
def alerts_acknowledge(*, patient: Patient, alert_ids: Collection[int], user: User) -> list[Alert]:
    """One acknowledgement covering several of a patient's alerts, when the clinician chose to: the
    alerts they saw, by id (never "whatever is open now", which may hold one raised since). Each is
    acknowledged and audited as if alone; another patient's alerts and those already acknowledged or
    closed are left as they are. Returns the alerts this call acknowledged."""
    alerts = Alert.objects.select_for_update().filter(
        patient=patient, pk__in=list(alert_ids), status=Alert.Status.OPEN
    )
    acknowledged = []
    for alert in alerts.order_by("opened_at", "id"):
        alert.patient = patient
        acknowledged.append(_acknowledge(alert, user))
    return acknowledged


@transaction.atomic
def alert_close(*, alert: Alert, user: User, action_taken: str) -> Alert:
    """Close the loop: who closed it, when, and what was done."""
    if not action_taken.strip():
        raise ValidationError({"action_taken": ["Record the action taken before closing."]})
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == Alert.Status.CLOSED:
        raise ValidationError({"__all__": ["This alert is already closed."]})
    now = timezone.now()
    changed = ["status", "action_taken", "closed_by", "closed_at"]
    if alert.acknowledged_at is None:
        # Closing implies having seen it.
        alert.acknowledged_by, alert.acknowledged_at = user, now
        changed += ["acknowledged_by", "acknowledged_at"]
    alert.status = Alert.Status.CLOSED
    alert.action_taken = action_taken.strip()
    alert.closed_by, alert.closed_at = user, now
    return audited_save(alert, actor=user, patient=alert.patient, fields=changed, clean=False)


def alert_notify_send(*, alert_id: int) -> bool:
    """Email the team's psychologists and lead about an urgent alert, once. True if sent now.

    With nobody to email the alert is not "notified": it stays unnotified and escalates at once
    (``screening.escalation``: the team lead's step falls due now, by SMS too)."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("patient__team").get(pk=alert_id)
        if alert.notified_at is not None:
            return False
        team = alert.patient.team
        recipients = sorted(
            set(
                User.objects.filter(
                    Q(memberships__team=team)
                    & (Q(memberships__role=Membership.Role.LEAD) | Q(discipline=Discipline.PSYCHOLOGIST)),
                    is_active=True,
                )
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
        if not recipients:
            escalation_start_now(alert=alert)
            return False
        link = settings.SITE_URL + reverse("patient_overview", kwargs={"patient_id": alert.patient_id})
        # No patient details in the email: the link leads to the record behind login and the access check.
        send_mail(
            subject=f"RehabCare: urgent safety alert in {team.name}",
            message=(
                f"An urgent safety alert was raised for a patient of {team.name} "
                f"and needs acknowledging.\n\nOpen it in RehabCare: {link}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
        alert.notified_at = timezone.now()
        alert.save(update_fields=["notified_at"])
    return True


# --- translations ---


@transaction.atomic
def translation_load(*, data: object, user: User | None) -> InstrumentTranslation:
    """Load a validated translation from a file's content (``screening.translations``): its title, stem
    and answer labels, and its items' wording in its language. An earlier load of the same instrument and
    language is replaced whole (items and all), under a lock on the earlier row.
    Refused with one message per problem (``ValidationError``); audited, with the fields written."""
    checked: Translation = translation_check(data)
    code, language = checked.instrument.code, checked.language
    translation = (
        InstrumentTranslation.objects.select_for_update().filter(instrument=code, language=language).first()
    )
    creating = translation is None
    if translation is None:
        translation = InstrumentTranslation(instrument=code, language=language)
    values = {
        "wording_version": checked.wording_version,
        "title": checked.title,
        "stem": checked.stem,
        "answer_labels": {str(number): labels for number, labels in checked.answers.items()},
        "source": checked.source,
        "licence": checked.licence,
        "loaded_by": user,
    }
    changed = [name for name, value in values.items() if creating or getattr(translation, name) != value]
    for name, value in values.items():
        setattr(translation, name, value)
    translation = audited_save(
        translation,
        actor=user,
        patient=None,
        fields=None if creating else list(dict.fromkeys([*changed, "loaded_by"])),
    )
    wordings = {number: text for number, text in checked.items.items()}
    old = dict(
        ItemWording.objects.filter(instrument=code, language=language).values_list("item_number", "text")
    )
    if old != wordings:
        ItemWording.objects.filter(instrument=code, language=language).delete()
        ItemWording.objects.bulk_create(
            ItemWording(instrument=code, language=language, item_number=number, text=text)
            for number, text in sorted(wordings.items())
        )
        audit_record(
            action=AuditEvent.Action.UPDATE if old else AuditEvent.Action.CREATE,
            actor=user,
            object_type="itemwording",
            object_id=f"{code}:{language}",
            changed_fields=["text"],
        )
    return translation


@transaction.atomic
def translation_remove(*, translation: InstrumentTranslation, user: User | None) -> None:
    """Withdraw a loaded translation (its licence lapsed, a better one is coming): its items go with it, and
    no link asks it in that language from now on. Audited."""
    translation = InstrumentTranslation.objects.select_for_update().get(pk=translation.pk)
    ItemWording.objects.filter(instrument=translation.instrument, language=translation.language).delete()
    audit_record(action=AuditEvent.Action.DELETE, actor=user, obj=translation)
    translation.delete()
