"""Patient registry pages and the health check. Thin: check access, call a selector or service, render."""

import functools
import time

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.middleware import RENEWED
from core.pagination import CappedPaginator

from . import policy, selectors, services
from .access import EMERGENCY_READ_ONLY, AuthenticatedRequest, emergency_writes, patient_scoped
from .forms import (
    EmergencyAccessForm,
    EmergencyNoteForm,
    InterfaceLanguageForm,
    PatientFilterForm,
    PatientForm,
)
from .models import AuditEvent, Patient
from .overview import overview_sections
from .sessions import sessions_end

PATIENTS_PER_PAGE = 25


@login_required
def patient_list(request: AuthenticatedRequest) -> HttpResponse:
    filters = PatientFilterForm(request.GET or None, user=request.user)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    patients = selectors.patient_list(
        user=request.user,
        q=criteria.get("q", ""),
        team=criteria.get("team"),
        status=criteria.get("status", ""),
        clinician=criteria.get("clinician"),
    )
    page = CappedPaginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    services.audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[patient.pk for patient in page],
        object_type="patient list",
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "teams/patient_list.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


@patient_scoped
def patient_overview(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    sections = overview_sections(request, patient)
    return render(
        request,
        "teams/patient_overview.html",
        {
            "patient": patient,
            "sections": sections,
            "section_keys": {s.key for s, _ in sections},
            "may_change": policy.may_change_patient(request.user, patient),
        },
    )


@login_required
def patient_create(request: AuthenticatedRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": patient.full_name})
            return redirect(patient)
    return render(request, "teams/patient_form.html", {"form": form, "title": _("New patient")})


@patient_scoped
def patient_edit(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    if not policy.may_change_patient(request.user, patient):
        raise PermissionDenied(EMERGENCY_READ_ONLY)
    form = PatientForm(request.POST or None, instance=patient, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(user=request.user, patient=patient, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s was updated.") % {"name": patient.full_name})
            return redirect(patient)
    return render(
        request,
        "teams/patient_form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": patient.full_name}, "patient": patient},
    )


@functools.cache
def _redis(url: str) -> redis.Redis:
    """One client (and its connection pool) per process: a fresh client per check would open a new
    connection to Redis every time a load balancer asks."""
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when PostgreSQL and Redis both answer, 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = "unavailable"
    try:
        _redis(settings.REDIS_URL).ping()
        checks["redis"] = "ok"
    except Exception:  # noqa: BLE001
        checks["redis"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    return JsonResponse(body, status=200 if healthy else 503)


@require_POST
@login_required
def logout_everywhere(request: AuthenticatedRequest) -> HttpResponse:
    """Sign out on every device (this one too) and revoke every API token of the user."""
    user = request.user
    ended = sessions_end(user, tokens=True)
    services.audit_record(
        actor=user,
        action=AuditEvent.Action.LOGOUT,
        object_type="every session",
        object_id=str(ended),
    )
    request.session.flush()
    messages.success(request, _("You are signed out on every device, and your API tokens are revoked."))
    return redirect("login")


@require_POST
@login_required
def session_keepalive(request: AuthenticatedRequest) -> HttpResponse:
    """ "Stay signed in": renews the session now (204); a signed-out session is sent to the login page."""
    request.session[RENEWED] = time.time()
    return HttpResponse(status=204)


@login_required
def emergency_access(request: AuthenticatedRequest) -> HttpResponse:
    """Break glass: open a patient outside one's teams, for a reason, for EMERGENCY_ACCESS_MINUTES."""
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.emergency_access_grant(
                user=request.user,
                mrn=form.cleaned_data["mrn"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)  # each message lands on its field
        else:
            messages.warning(
                request,
                _(
                    "Emergency access until %(until)s. Every page you open is recorded, and the patient's "
                    "team lead and the clinic admins have been told."
                )
                % {"until": f"{timezone.localtime(access.expires_at):%H:%M}"},
            )
            return redirect(access.patient)
    return render(
        request, "teams/emergency_access.html", {"form": form, "minutes": settings.EMERGENCY_ACCESS_MINUTES}
    )


EMERGENCY_LOG_ROWS = 50


@patient_scoped
@emergency_writes
def emergency_notes(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    """Emergency access to the patient: who opened the record, why, and their notes; whoever holds
    emergency access now adds a note here."""
    access = services.emergency_access_active(user=request.user, patient=patient)
    form = EmergencyNoteForm(request.POST or None) if access is not None else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("An emergency note is written while your emergency access lasts."))
        if form.is_valid():
            try:
                services.emergency_note_add(
                    patient=patient, user=request.user, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your emergency note is saved for the patient's team."))
                return redirect(patient)
    accesses = selectors.emergency_log(patient=patient, limit=EMERGENCY_LOG_ROWS)
    return render(
        request,
        "teams/emergency_notes.html",
        {"patient": patient, "accesses": accesses, "form": form, "access": access},
    )


# --- interface language ---


@login_required
def interface_language(request: AuthenticatedRequest) -> HttpResponse:
    """The staff member's interface language (core.middleware.LanguageMiddleware shows it from the next
    page on). Patients' pages and reports stay in the patient's language."""
    form = InterfaceLanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_language_set(user=request.user, language=form.cleaned_data["language"])
        except ValidationError as error:
            form.add_error("language", error.messages)
        else:
            with translation.override(user.language or settings.LANGUAGE_CODE):
                messages.success(request, _("Interface language saved."))
            return redirect("interface_language")
    return render(request, "teams/interface_language.html", {"form": form})
