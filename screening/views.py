"""Screening pages: instruments, entry, results, amendments, alerts and the review queue."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from teams.access import AuthenticatedRequest, emergency_writes, patient_scoped
from teams.models import AuditEvent, Patient
from teams.services import audit_record_many

from . import selectors, services
from .forms import AlertCloseForm, AmendForm, TimepointForm, answers_from_post, entry_section, posted_answer
from .instruments import INSTRUMENTS, Instrument, get_instrument
from .models import Alert, Battery, Screening, Timepoint


def _instrument_or_404(code: str) -> Instrument:
    try:
        return get_instrument(code)
    except LookupError:
        raise Http404("No such instrument.") from None


@login_required
def instrument_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "screening/instrument_list.html",
        {"instruments": INSTRUMENTS.values(), "batteries": selectors.clinic_batteries()},
    )


@login_required
def instrument_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    instrument = _instrument_or_404(code)
    wordings = selectors.item_wordings([instrument.code])
    items = [(item, wordings.get((instrument.code, item.number), item.text)) for item in instrument.items]
    return render(
        request,
        "screening/instrument_detail.html",
        {"instrument": instrument, "items": items, "overrides": selectors.instrument_overrides(code)},
    )


def _stored_answer(screening: Screening, number: str) -> str:
    return str(screening.answers.get(number, ""))


def _entry_instruments(request: AuthenticatedRequest) -> tuple[list[Instrument], Battery | None]:
    source = request.POST if request.method == "POST" else request.GET
    battery_id, code = source.get("battery", ""), source.get("instrument", "")
    if battery_id.isdigit():
        battery = selectors.battery_by_id(battery_id=battery_id)
        if battery is None:
            raise Http404("No such battery.")
        return [INSTRUMENTS[c] for c in battery.instruments if c in INSTRUMENTS], battery
    if code:
        return [_instrument_or_404(code)], None
    return [], None


@patient_scoped
@emergency_writes
def screening_new(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    instruments, battery = _entry_instruments(request)
    if not instruments:
        return render(
            request,
            "screening/screening_choose.html",
            {
                "patient": patient,
                "batteries": selectors.clinic_batteries(),
                "instruments": INSTRUMENTS.values(),
            },
        )
    default_timepoint = battery.timepoint if battery else Timepoint.ADHOC
    timepoint_form = TimepointForm(request.POST or None, initial={"timepoint": default_timepoint})
    errors: dict = {}
    if request.method == "POST":
        answers = {instrument.code: answers_from_post(request.POST, instrument) for instrument in instruments}
        if timepoint_form.is_valid():
            try:
                recorded = services.battery_record(
                    patient=patient,
                    answers_by_instrument=answers,
                    timepoint=timepoint_form.cleaned_data["timepoint"],
                    entered_by=request.user,
                )
            except services.ScreeningInvalid as invalid:
                errors = invalid.errors
            else:
                names = ", ".join(f"{s.instrument} {s.total}" for s in recorded)
                messages.success(request, f"Screening saved: {names}.")
                if len(recorded) == 1:
                    return redirect(recorded[0])
                return redirect(patient)
    wordings = selectors.item_wordings([i.code for i in instruments])
    sections = [
        entry_section(
            instrument,
            wordings=wordings,
            chosen=partial(posted_answer, request.POST, instrument.code),
            errors=errors.get(instrument.code, {}),
        )
        for instrument in instruments
    ]
    return render(
        request,
        "screening/screening_entry.html",
        {
            "patient": patient,
            "battery": battery,
            "sections": sections,
            "timepoint_form": timepoint_form,
            "has_errors": bool(errors),
            "title": battery.name if battery else instruments[0].name,
        },
    )


@patient_scoped
def screening_detail(request: AuthenticatedRequest, patient: Patient, screening_id: int) -> HttpResponse:
    screening = selectors.screening_for_patient(patient=patient, screening_id=screening_id)
    if screening is None:
        raise Http404("No such screening.")
    instrument = INSTRUMENTS[screening.instrument]
    track = next((t for t in selectors.screening_tracks(patient=patient) if t.instrument == instrument), None)
    return render(
        request,
        "screening/screening_detail.html",
        {"patient": patient, "screening": screening, "instrument": instrument, "track": track},
    )


@patient_scoped
def screening_amend(request: AuthenticatedRequest, patient: Patient, screening_id: int) -> HttpResponse:
    original = selectors.screening_for_patient(patient=patient, screening_id=screening_id)
    if original is None:
        raise Http404("No such screening.")
    instrument = INSTRUMENTS[original.instrument]
    form = AmendForm(request.POST or None)
    errors: dict = {}
    if request.method == "POST" and form.is_valid():
        try:
            amended = services.screening_amend(
                original=original,
                answers=answers_from_post(request.POST, instrument),
                reason=form.cleaned_data["reason"],
                entered_by=request.user,
            )
        except services.ScreeningInvalid as invalid:
            errors = invalid.errors
            for message in errors.get("amends", []):
                form.add_error(None, message)
        else:
            messages.success(request, "The correction was saved; the original stays on record.")
            return redirect(amended)
    if request.method == "POST":
        chosen = partial(posted_answer, request.POST, instrument.code)
    else:
        chosen = partial(_stored_answer, original)
    section = entry_section(
        instrument, wordings=selectors.item_wordings([instrument.code]), chosen=chosen, errors=errors
    )
    return render(
        request,
        "screening/screening_amend.html",
        {
            "patient": patient,
            "original": original,
            "form": form,
            "section": section,
        },
    )


def _alert_or_404(patient: Patient, alert_id: int) -> Alert:
    alert = selectors.alert_for_patient(patient=patient, alert_id=alert_id)
    if alert is None:
        raise Http404("No such alert.")
    return alert


@patient_scoped
@require_POST
def alert_acknowledge(request: AuthenticatedRequest, patient: Patient, alert_id: int) -> HttpResponse:
    services.alert_acknowledge(alert=_alert_or_404(patient, alert_id), user=request.user)
    messages.success(request, "Alert acknowledged. Record the action taken to close it.")
    return redirect(patient.get_absolute_url())


@patient_scoped
@require_POST
def alert_close(request: AuthenticatedRequest, patient: Patient, alert_id: int) -> HttpResponse:
    alert = _alert_or_404(patient, alert_id)
    form = AlertCloseForm(request.POST)
    if form.is_valid():
        try:
            services.alert_close(
                alert=alert,
                user=request.user,
                action_taken=form.cleaned_data["action_taken"],
            )
        except ValidationError as refused:  # closed meanwhile, by a colleague or a second click
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, "Alert closed.")
    else:
        messages.error(request, " ".join(str(error) for error in form.errors["action_taken"]))
    return redirect(patient.get_absolute_url())


REVIEWS_PER_PAGE = 25


@login_required
def review_queue(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.review_queue(user=request.user), REVIEWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[alert.patient_id for alert in page],
        object_type="review queue",
    )
    return render(request, "screening/review_queue.html", {"page": page})
