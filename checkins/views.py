"""Check-in pages: the patient's link (no login, nothing beyond a first name and the clinic),
the schedule editor, the reminder log, and the development outbox."""

import hashlib
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from careplans.education import paragraphs, plain_chosen
from careplans.selectors import activities_for_day, plain_language_preferred
from core.client_ip import client_ip
from core.i18n import crisis_message, patient_language
from screening.forms import answers_from_post
from screening.selectors import link_instrument
from teams import policy
from teams.access import AuthenticatedRequest, patient_scoped
from teams.models import Patient

from . import selectors, services
from .forms import ScheduleForm
from .models import Reminder
from .patient_forms import CheckInForm

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
    return render(request, "checkins/link_unavailable.html", status=404)


def _thanks(request: HttpRequest, reminder: Reminder, *, crisis: bool = False) -> HttpResponse:
    return _render_for(
        reminder.patient,
        request,
        "checkins/thanks.html",
        {
            "given_name": reminder.patient.given_name,
            "crisis_message": _crisis(reminder.patient) if crisis else "",
            "readings": selectors.link_education(patient=reminder.patient),
            "reading_token": _link_token(request),
        },
    )


@never_cache
@rate_limited
def checkin_form(request: HttpRequest, token: str) -> HttpResponse:
    reminder = services.reminder_for_token(token)
    if reminder is None:
        return _unavailable(request)
    if reminder.status == Reminder.Status.COMPLETED:
        return redirect("checkin_questionnaire", token=token)
    exercises = selectors.checkin_exercises(patient=reminder.patient)
    activities = activities_for_day(patient=reminder.patient, day=timezone.localdate())
    form = CheckInForm(request.POST or None, exercises=exercises, activities=activities)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_submit(
                reminder=reminder,
                answers=form.answers(),
                exercises=form.exercise_answers(),
                activities=form.activity_answers(),
            )
        except ValidationError:
            return _unavailable(request)
        if selectors.reminder_instruments(reminder=reminder):  # none in the patient's language: done
            return redirect("checkin_questionnaire", token=token)
        return _thanks(request, reminder)
    instruments = selectors.reminder_instruments(reminder=reminder)
    questions = selectors.checkin_questions(exercises=len(exercises) + len(activities))
    return _render_for(
        reminder.patient,
        request,
        "checkins/checkin_form.html",
        {
            "form": form,
            "given_name": reminder.patient.given_name,
            "parts": len(instruments),
            "minutes": selectors.minutes_to_answer(questions + sum(len(i.items) for i in instruments)),
            "readings": selectors.link_education(patient=reminder.patient),
            "reading_token": token,
        },
    )


def _part_number(raw: str | None, *, furthest: int) -> int:
    """The page asked for, from 1 up to the first one not yet answered (no skipping ahead)."""
    number = int(raw) if raw and raw.isdigit() else furthest
    return min(max(number, 1), furthest)


def _to_part(token: str, number: int) -> HttpResponse:
    return redirect(f"{reverse('checkin_questionnaire', args=[token])}?part={number}")


@never_cache
@rate_limited
def checkin_questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire a reminder opens, one instrument a page. Each page's answers are kept on the
    link as the patient goes (Next, Back, or "Save and finish later"); the same link, opened again while
    it works, carries on at the first page not yet answered; the last page sends everything at once. A
    page answered with a safety item positive is sent as soon as it is saved (the team is alerted now);
    it then shows as sent, and the crisis numbers stay on every page after."""
    reminder = services.reminder_for_token(token)
    if reminder is None or not reminder.has_questionnaire or reminder.status != Reminder.Status.COMPLETED:
        return _unavailable(request)
    parts = selectors.questionnaire_parts(reminder=reminder)
    if not parts:
        return _unavailable(request)
    furthest = next((p.number for p in parts if not p.complete), len(parts))
    source = request.POST if request.method == "POST" else request.GET
    part = parts[_part_number(source.get("part"), furthest=furthest) - 1]
    show_missing = False
    if request.method == "POST":
        try:
            reminder = services.questionnaire_part_save(
                reminder=reminder,
                instrument_code=part.instrument.code,
                answers=answers_from_post(request.POST, part.instrument),
            )
        except ValidationError:
            return _unavailable(request)
        action = request.POST.get("action")
        parts = selectors.questionnaire_parts(reminder=reminder)
        part = parts[part.number - 1]
        # A part recorded already had a safety item answered positively: the crisis numbers stay in view
        # on every page the link shows from then on, this pause and the final thanks included.
        sent = any(p.recorded for p in parts)
        if action == "pause":
            context = {"given_name": reminder.patient.given_name, "paused": True, "sent": sent}
            context |= {"crisis_message": _crisis(reminder.patient) if sent else ""}
            context |= {"expires_at": reminder.expires_at}
            return _render_for(reminder.patient, request, "checkins/thanks.html", context)
        if action == "back":
            return _to_part(token, max(part.number - 1, 1))
        if part.complete and part.number < len(parts):
            return _to_part(token, part.number + 1)
        if part.complete:
            open_part = next((p for p in parts if not p.complete), None)
            if open_part is not None:
                return _to_part(token, open_part.number)
            try:
                recorded = services.questionnaire_submit(reminder=reminder)
            except ValidationError:
                return _unavailable(request)
            return _thanks(request, reminder, crisis=sent or any(s.has_safety_flag for s in recorded))
        show_missing = True
    # The instrument as the patient reads it: a validated translation in their language, or English.
    part = replace(part, instrument=link_instrument(part.instrument, reminder.patient.language)[0])
    sent = any(p.recorded for p in parts)
    return _render_for(
        reminder.patient,
        request,
        "checkins/questionnaire.html",
        {
            "given_name": reminder.patient.given_name,
            "part": part,
            "parts": len(parts),
            "items": [
                {
                    "item": item,
                    "text": item.text,
                    "name": f"{part.instrument.code}:{item.number}",
                    "chosen": part.answers.get(str(item.number)),
                    "answer": item.answer(part.answers[str(item.number)]) if part.recorded else None,
                    "missing": show_missing and item.number in part.missing,
                    # A scale with only its ends named: its points are numbers, its ends say what they mean.
                    "numbered": not all(answer.label for answer in item.answers),
                }
                for item in part.instrument.items
            ],
            "has_errors": show_missing,
            "crisis_message": _crisis(reminder.patient) if sent else "",
            "minutes_left": selectors.minutes_to_answer(
                sum(len(p.instrument.items) - len(p.answers) for p in parts[part.number - 1 :])
            ),
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
        return _render_for(schedule.patient, request, "checkins/opted_out.html", {"done": True})
    done = schedule.opted_out_at is not None
    return _render_for(schedule.patient, request, "checkins/opted_out.html", {"done": done})


@patient_scoped
def schedule_edit(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    schedule = selectors.schedule_of(patient=patient)
    proposed = schedule is None
    if schedule is None:
        schedule = selectors.schedule_proposed(patient=patient)
    schedule.patient = patient  # the one the access check loaded: its consent is the one shown
    opted_out_at = schedule.opted_out_at
    form = ScheduleForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_save(schedule=form.save(commit=False), user=request.user, **form.consent())
        except ValidationError as error:
            # Each message by its field (the patient's consent ones included), the rest above the form.
            if hasattr(error, "error_dict"):
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, "Check-in schedule saved.")
            return redirect(patient)
    return render(
        request,
        "checkins/schedule_form.html",
        {
            "patient": patient,
            "form": form,
            "proposed": proposed,
            "opted_out_at": opted_out_at,
            "translation_gaps": selectors.translation_gaps(patient=patient),
        },
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


# --- education ---


def _link_token(request: HttpRequest) -> str:
    match = request.resolver_match
    return str(match.kwargs.get("token", "")) if match is not None else ""


@never_cache
@rate_limited
def education_read(request: HttpRequest, token: str, assignment_id: int) -> HttpResponse:
    """An item the team assigned, read through the link: the plain-language version where the patient's
    health literacy is limited (with a link to the other), marked as read. A wrong or expired link, or an
    item this link does not offer, gets the same page as any unavailable link, and marks nothing."""
    reminder = services.reminder_for_reading(token)
    if reminder is None:
        return _unavailable(request)
    limited = plain_language_preferred(patient=reminder.patient)
    plain = plain_chosen(request.GET.get("version"), limited=limited)
    assignment = services.education_read(patient=reminder.patient, assignment_id=assignment_id, plain=plain)
    if assignment is None:
        return _unavailable(request)
    item = assignment.item
    return _render_for(
        reminder.patient,
        request,
        "checkins/education_read.html",
        {
            "item": item,
            "plain": plain,
            "paragraphs": paragraphs(item.plain_body if plain else item.body),
            "token": token,
            # Back to the check-in while it is still to send; otherwise to nothing but this page.
            "checkin_open": reminder.status == Reminder.Status.SENT,
            "readings": selectors.link_education(patient=reminder.patient).exclude(pk=assignment.pk),
        },
    )


# --- languages ---


def _render_for(
    patient: Patient, request: HttpRequest, template: str, context: dict[str, Any]
) -> HttpResponse:
    """A patient's link page, in the patient's language (core.i18n.patient_language) whatever the
    browser asks; its <html lang> and Content-Language say which."""
    language = patient_language(patient)
    with translation.override(language):
        response = render(request, template, context)
    response.headers["Content-Language"] = language
    return response


def _crisis(patient: Patient) -> str:
    return crisis_message(patient_language(patient))
