"""Check-in pages: the patient's link (no login, nothing beyond a first name and the clinic),
the schedule editor, the reminder log, and the development outbox."""

import hashlib
from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.client_ip import client_ip
from screening.forms import answers_from_post, entry_section, posted_answer
from screening.instruments import INSTRUMENTS
from screening.selectors import item_wordings
from screening.services import ScreeningInvalid
from teams import policy
from teams.access import AuthenticatedRequest, patient_scoped
from teams.models import Patient

from . import selectors, services
from .forms import CheckInForm, ScheduleForm
from .models import Reminder

RATE_WINDOW_SECONDS = 600


def _over(key: str, limit: int) -> bool:
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    count = cache.incr(key)  # None while Redis is unreachable: the limit resumes with Redis
    return count is not None and count > limit


def rate_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """At most PATIENT_LINK_RATE requests per client address (core/client_ip.py: behind the clinic's
    proxies, each patient's own), and PATIENT_LINK_TOKEN_RATE per link (from any number of addresses),
    per ten minutes to the patient pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        link = str(kwargs.get("token") or kwargs.get("signed") or "")
        per_link = f"patient-link-rate:link:{hashlib.sha256(link.encode()).hexdigest()[:32]}"
        if _over(f"patient-link-rate:{client_ip(request)}", settings.PATIENT_LINK_RATE) or (
            link and _over(per_link, settings.PATIENT_LINK_TOKEN_RATE)
        ):
            return render(request, "checkins/link_unavailable.html", {"too_many": True}, status=429)
        return view(request, *args, **kwargs)

    return wrapper


def _unavailable(request: HttpRequest) -> HttpResponse:
    # Wrong, expired and used links all get the same kind answer: nothing to tell them apart.
    return render(request, "checkins/link_unavailable.html", {"clinic": settings.CLINIC_NAME}, status=404)


@never_cache
@rate_limited
def checkin_form(request: HttpRequest, token: str) -> HttpResponse:
    reminder = services.reminder_for_token(token)
    if reminder is None:
        return _unavailable(request)
    if reminder.status == Reminder.Status.COMPLETED:
        return redirect("checkin_questionnaire", token=token)
    form = CheckInForm(
        request.POST or None,
        exercises=selectors.checkin_exercises(patient=reminder.patient),
        initial={"mood": 5, "pain": 5, "sleep_quality": 5},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_submit(
                reminder=reminder, answers=form.answers(), exercises=form.exercise_answers()
            )
        except ValidationError:
            return _unavailable(request)
        if reminder.battery_id:
            return redirect("checkin_questionnaire", token=token)
        return render(
            request,
            "checkins/thanks.html",
            {"given_name": reminder.patient.given_name, "clinic": settings.CLINIC_NAME},
        )
    return render(
        request,
        "checkins/checkin_form.html",
        {"form": form, "given_name": reminder.patient.given_name, "clinic": settings.CLINIC_NAME},
    )


@never_cache
@rate_limited
def checkin_questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    reminder = services.reminder_for_token(token)
    if reminder is None or reminder.battery is None or reminder.status != Reminder.Status.COMPLETED:
        return _unavailable(request)
    instruments = [INSTRUMENTS[code] for code in reminder.battery.instruments if code in INSTRUMENTS]
    errors: dict[str, Any] = {}
    if request.method == "POST":
        answers = {instrument.code: answers_from_post(request.POST, instrument) for instrument in instruments}
        try:
            recorded = services.questionnaire_submit(reminder=reminder, answers_by_instrument=answers)
        except ScreeningInvalid as invalid:
            errors = invalid.errors
        except ValidationError:
            return _unavailable(request)
        else:
            crisis = any(screening.has_safety_flag for screening in recorded)
            return render(
                request,
                "checkins/thanks.html",
                {
                    "given_name": reminder.patient.given_name,
                    "clinic": settings.CLINIC_NAME,
                    "crisis_message": settings.CRISIS_MESSAGE if crisis else "",
                },
            )
    sections = [
        entry_section(
            instrument,
            wordings=item_wordings([i.code for i in instruments]),
            chosen=partial(posted_answer, request.POST, instrument.code),
            errors=errors.get(instrument.code, {}),
        )
        for instrument in instruments
    ]
    return render(
        request,
        "checkins/questionnaire.html",
        {
            "sections": sections,
            "given_name": reminder.patient.given_name,
            "clinic": settings.CLINIC_NAME,
            "has_errors": bool(errors),
        },
    )


@never_cache
@rate_limited
def checkin_opt_out(request: HttpRequest, signed: str) -> HttpResponse:
    schedule = services.schedule_from_signed(signed)
    if schedule is None:
        return _unavailable(request)
    if request.method == "POST":
        services.schedule_opt_out(schedule=schedule)
        return render(request, "checkins/opted_out.html", {"clinic": settings.CLINIC_NAME, "done": True})
    return render(
        request,
        "checkins/opted_out.html",
        {"clinic": settings.CLINIC_NAME, "done": schedule.opted_out_at is not None},
    )


@patient_scoped
def schedule_edit(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    schedule = selectors.schedule_of(patient=patient)
    proposed = schedule is None
    if schedule is None:
        schedule = selectors.schedule_proposed(patient=patient)
    form = ScheduleForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_save(schedule=form.save(commit=False), user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Check-in schedule saved.")
            return redirect(patient)
    return render(
        request, "checkins/schedule_form.html", {"patient": patient, "form": form, "proposed": proposed}
    )


REMINDERS_PER_PAGE = 30


@patient_scoped
def reminder_log(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    reminders = selectors.patient_reminders(patient=patient)
    page = Paginator(reminders, REMINDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "checkins/reminder_log.html", {"patient": patient, "page": page})


@patient_scoped
@require_POST
def reminder_resend(request: AuthenticatedRequest, patient: Patient, reminder_id: int) -> HttpResponse:
    reminder = selectors.reminder_of_patient(patient=patient, reminder_id=reminder_id)
    if reminder is None:
        raise Http404("No such reminder.")
    try:
        services.reminder_resend(reminder=reminder, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The reminder is being sent again.")
    return redirect("checkin_reminders", patient_id=patient.pk)


OUTBOX_PER_PAGE = 50


@login_required
def outbox(request: AuthenticatedRequest) -> HttpResponse:
    """Development only, for clinic admins: what the outbox backends 'sent'. Its messages hold working
    patient links, so anyone else gets the page that is not there, as production does for everyone."""
    if not (settings.DEBUG and policy.may_read_outbox(request.user)):
        raise Http404("No such page.")
    page = Paginator(selectors.outbox_messages(), OUTBOX_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "checkins/outbox.html", {"page": page, "now": timezone.now()})
