"""Adherence pages: recording sessions in two clicks, a clinician's day list, logs and measures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from teams.access import AuthenticatedRequest, patient_scoped
from teams.models import Patient

from . import selectors, services
from .forms import ExerciseWeekLogForm, MeasureForm
from .models import Session

OUTCOMES = {s.value for s in Session.Status} - {Session.Status.SCHEDULED}


@patient_scoped
@require_POST
def session_record(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    """One click from the overview: today's session with this clinician, and how it went."""
    status = request.POST.get("status", "")
    if status not in OUTCOMES:
        messages.error(request, "Choose attended, missed or cancelled.")
    else:
        services.session_record(
            patient=patient, clinician=request.user, status=status, user=request.user, request=request
        )
        messages.success(request, f"Session recorded: {Session.Status(status).label.lower()}.")
    return redirect(f"{patient.get_absolute_url()}#adherence")


@patient_scoped
@require_POST
def session_status(request: AuthenticatedRequest, patient: Patient, session_id: int) -> HttpResponse:
    session = Session.objects.filter(patient=patient, pk=session_id).first()
    if session is None:
        raise Http404("No such session.")
    try:
        services.session_set_status(
            session=session, status=request.POST.get("status", ""), user=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.POST.get("back") == "day":
        return redirect("day_list")
    return redirect(f"{patient.get_absolute_url()}#adherence")


@patient_scoped
def exercise_log_new(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    today = timezone.localdate()
    form = ExerciseWeekLogForm(
        request.POST or None, patient=patient, initial={"week_starting": selectors.week_of(today)}
    )
    if request.method == "POST" and form.is_valid():
        services.exercise_week_log_record(log=form.save(commit=False), user=request.user, request=request)
        messages.success(request, "Exercise log saved.")
        return redirect(f"{patient.get_absolute_url()}#adherence")
    return render(
        request,
        "adherence/form.html",
        {"patient": patient, "form": form, "title": "Log a week of home exercise"},
    )


@patient_scoped
def measure_new(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    form = MeasureForm(request.POST or None, patient=patient, initial={"measured_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.measure_record(measure=form.save(commit=False), user=request.user, request=request)
        messages.success(request, "Measure saved.")
        return redirect(f"{patient.get_absolute_url()}#adherence")
    return render(
        request,
        "adherence/form.html",
        {"patient": patient, "form": form, "title": "Record a functional measure"},
    )


@login_required
def day_list(request: AuthenticatedRequest) -> HttpResponse:
    day = timezone.localdate()
    return render(
        request,
        "adherence/day_list.html",
        {"sessions": selectors.day_list(user=request.user, day=day), "day": day},
    )
