"""Screening pages: instruments, entry, results, amendments, alerts and the review queue."""

from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from teams import policy
from teams.access import AuthenticatedRequest, emergency_writes, patient_scoped
from teams.models import AuditEvent, Patient
from teams.redirects import local_path
from teams.services import audit_record_many

from . import selectors, services
from .forms import (
    AlertAcknowledgeForm,
    AlertCloseForm,
    AlertFilterForm,
    AmendForm,
    TimepointForm,
    answer_rows,
    answers_from_post,
    entry_section,
    missing_confirmed_from_post,
    posted_answer,
)
from .instruments import INSTRUMENTS, Instrument, get_instrument
from .models import Alert, Battery, InstrumentSetting, Screening, Timepoint
from .selectors import AlertView


def _instrument_or_404(code: str) -> Instrument:
    try:
        return get_instrument(code)
    except LookupError:
        raise Http404("No such instrument.") from None


def _setting_admin_url(code: str, setting: InstrumentSetting | None) -> str:
    """Where a clinic admin sets this instrument's cut-off: its setting, or a new one for it."""
    if setting is not None:
        return reverse("admin:screening_instrumentsetting_change", args=[setting.pk])
    return f"{reverse('admin:screening_instrumentsetting_add')}?{urlencode({'instrument': code})}"


@login_required
def instrument_list(request: AuthenticatedRequest) -> HttpResponse:
    silent = selectors.silent_instruments()
    return render(
        request,
        "screening/instrument_list.html",
        {
            "instruments": INSTRUMENTS.values(),
            "batteries": selectors.clinic_batteries(),
            "silent": silent,
            "silent_codes": {instrument.code for instrument in silent},
            "may_configure": policy.is_clinic_admin(request.user),
            "settings_url": reverse("admin:screening_instrumentsetting_changelist"),
        },
    )


@login_required
def instrument_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    instrument = _instrument_or_404(code)
    wordings = selectors.item_wordings([instrument.code])
    items = [(item, wordings.get((instrument.code, item.number), item.text)) for item in instrument.items]
    setting = selectors.instrument_setting(code)
    return render(
        request,
        "screening/instrument_detail.html",
        {
            "instrument": instrument,
            "items": items,
            "overrides": selectors.setting_overrides(setting) if setting is not None else None,
            "setting": setting,
            "silent": instrument in selectors.silent_instruments(),
            "may_configure": policy.is_clinic_admin(request.user),
            "setting_admin_url": _setting_admin_url(code, setting),
        },
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
        # How many items each choice asks, so the clinician knows what they start.
        batteries = [
            (each, sum(len(INSTRUMENTS[c].items) for c in each.instruments if c in INSTRUMENTS))
            for each in selectors.clinic_batteries()
        ]
        return render(
            request,
            "screening/screening_choose.html",
            {"patient": patient, "batteries": batteries, "instruments": INSTRUMENTS.values()},
        )
    default_timepoint = battery.timepoint if battery else Timepoint.ADHOC
    timepoint_form = TimepointForm(request.POST or None, initial={"timepoint": default_timepoint})
    errors: dict = {}
    unconfirmed: dict[str, tuple[int, ...]] = {}
    if request.method == "POST":
        answers = {instrument.code: answers_from_post(request.POST, instrument) for instrument in instruments}
        if timepoint_form.is_valid():
            try:
                recorded = services.battery_record(
                    patient=patient,
                    answers_by_instrument=answers,
                    timepoint=timepoint_form.cleaned_data["timepoint"],
                    entered_by=request.user,
                    missing_confirmed=missing_confirmed_from_post(request.POST),
                )
            except services.ProratingUnconfirmed as prorating:
                # Not an error: the page lists the blank items and the save button confirms them.
                unconfirmed = prorating.missing
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
            missing=unconfirmed.get(instrument.code, ()),
        )
        for instrument in instruments
    ]
    missing = [
        (section["instrument"], [entry for entry in section["items"] if entry["missing"]])
        for section in sections
        if section["instrument"].code in unconfirmed
    ]
    return render(
        request,
        "screening/screening_entry.html",
        {
            "patient": patient,
            "battery": battery,
            "sections": sections,
            "item_count": sum(len(section["items"]) for section in sections),
            "timepoint_form": timepoint_form,
            "has_errors": bool(errors),
            "missing": missing,
            "missing_count": sum(len(entries) for _, entries in missing),
            "missing_value": " ".join(
                f"{code}:{n}" for code, numbers in unconfirmed.items() for n in numbers
            ),
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
    rows = answer_rows(
        instrument, answers=screening.answers, wordings=selectors.item_wordings([instrument.code])
    )
    return render(
        request,
        "screening/screening_detail.html",
        {
            "patient": patient,
            "screening": screening,
            "instrument": instrument,
            "track": track,
            "answer_rows": rows,
            "answered_in": selectors.answered_in(screening),
        },
    )


@patient_scoped
def screening_amend(request: AuthenticatedRequest, patient: Patient, screening_id: int) -> HttpResponse:
    original = selectors.screening_for_patient(patient=patient, screening_id=screening_id)
    if original is None:
        raise Http404("No such screening.")
    instrument = INSTRUMENTS[original.instrument]
    form = AmendForm(request.POST or None)
    errors: dict = {}
    unconfirmed: tuple[int, ...] = ()
    if request.method == "POST" and form.is_valid():
        try:
            amended = services.screening_amend(
                original=original,
                answers=answers_from_post(request.POST, instrument),
                reason=form.cleaned_data["reason"],
                entered_by=request.user,
                missing_confirmed=missing_confirmed_from_post(request.POST).get(instrument.code, set()),
            )
        except services.ProratingUnconfirmed as prorating:
            # Not an error: the page lists the blank items and the save button confirms them.
            unconfirmed = prorating.missing[instrument.code]
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
        instrument,
        wordings=selectors.item_wordings([instrument.code]),
        chosen=chosen,
        errors=errors,
        missing=unconfirmed,
    )
    missing = [entry for entry in section["items"] if entry["missing"]]
    return render(
        request,
        "screening/screening_amend.html",
        {
            "patient": patient,
            "original": original,
            "form": form,
            "section": section,
            "missing": [(instrument, missing)] if missing else [],
            "missing_count": len(missing),
            "missing_value": " ".join(f"{instrument.code}:{n}" for n in unconfirmed),
        },
    )


def _alert_or_404(patient: Patient, alert_id: int) -> Alert:
    alert = selectors.alert_for_patient(patient=patient, alert_id=alert_id)
    if alert is None:
        raise Http404("No such alert.")
    return alert


def _back(request: AuthenticatedRequest, patient: Patient, wanted: str = "") -> HttpResponse:
    """Back where the alert was acted on (the review queue, with its filters), else the patient."""
    return redirect(local_path(request, wanted or request.POST.get("next", "")) or patient.get_absolute_url())


@patient_scoped
@require_POST
def alert_acknowledge(request: AuthenticatedRequest, patient: Patient, alert_id: int) -> HttpResponse:
    alert = _alert_or_404(patient, alert_id)
    form = AlertAcknowledgeForm(request.POST)
    chosen = form.cleaned_data if form.is_valid() else {}
    if chosen.get("acknowledge_all") and chosen.get("group"):
        # Only because the clinician ticked "acknowledge all": each is still audited on its own.
        done = services.alerts_acknowledge(
            patient=patient, alert_ids={alert.pk, *chosen["group"]}, user=request.user
        )
        messages.success(
            request,
            f"{len(done)} alert{pluralize(len(done))} acknowledged. Record the action taken to close each.",
        )
    else:
        services.alert_acknowledge(alert=alert, user=request.user)
        messages.success(request, "Alert acknowledged. Record the action taken to close it.")
    return _back(request, patient, chosen.get("next", ""))


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
    return _back(request, patient)


REVIEWS_PER_PAGE = 25


def _view_links(query: QueryDict) -> list[tuple[str, str, str]]:
    """The queue's tabs (open, closed, both), each keeping the filters chosen."""
    links = []
    for value, label in AlertView.CHOICES:
        chosen = query.copy()
        chosen["view"] = value
        links.append((value, label, f"{reverse('alert_queue')}?{chosen.urlencode()}"))
    return links


@login_required
def alert_queue(request: AuthenticatedRequest) -> HttpResponse:
    """Open alerts one line per patient (their alerts behind an expand), or closed ones with their story."""
    form = AlertFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    alerts = selectors.alerts_filtered(user=request.user, filters=filters)
    number = request.GET.get("page")
    grouped = filters.view == AlertView.OPEN
    page: Page[Any]
    if grouped:
        rows = Paginator(selectors.alert_patients(alerts=alerts), REVIEWS_PER_PAGE).get_page(number)
        lines = selectors.alert_groups(
            user=request.user, alerts=alerts, patient_ids=[row["patient_id"] for row in rows]
        )
        page = Page(lines, rows.number, rows.paginator)
    else:
        page = Paginator(alerts, REVIEWS_PER_PAGE).get_page(number)
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[line.patient_id for line in page],
        object_type="review queue",
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "screening/alert_queue.html",
        {
            "page": page,
            "grouped": grouped,
            "filters": form,
            "view": filters.view,
            "query": query.urlencode(),
            "here": request.get_full_path(),
            "view_links": _view_links(query),
        },
    )
