"""Adherence pages: recording sessions in two clicks, a clinician's day list, logs and measures."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from careplans import selectors as careplan_selectors
from careplans.consent import contact_kind, refusal, scopes_open
from careplans.directory import resources_to_verify
from careplans.models import CaregiverScope, Modality
from checkins.caregivers import caregiver_items
from core import csv_safe
from core.i18n import patient_language
from teams import policy
from teams.access import AuthenticatedRequest, patient_scoped
from teams.models import AuditEvent, Patient
from teams.selectors import team_members
from teams.services import audit_record, audit_record_many
from training.skillmix import training_viewed

from . import audits, caregivers, dashboard, exports, metrics, report, rollups, selectors, services
from .forms import ExerciseWeekLogForm, MeasureForm, SessionBookForm
from .models import Export, Session, SessionModality

OUTCOMES = {s.value for s in Session.Status} - {Session.Status.SCHEDULED}


@patient_scoped
@require_POST
def session_record(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    """One click from the overview: today's session with this clinician, and how it went."""
    status = request.POST.get("status", "")
    if status not in OUTCOMES:
        messages.error(request, _("Choose attended, missed or cancelled."))
    else:
        services.session_record(patient=patient, clinician=request.user, status=status, user=request.user)
        messages.success(
            request, _("Session recorded: %(status)s.") % {"status": Session.Status(status).label.lower()}
        )
    return redirect(f"{patient.get_absolute_url()}#adherence")


@patient_scoped
@require_POST
def session_status(request: AuthenticatedRequest, patient: Patient, session_id: int) -> HttpResponse:
    session = selectors.patient_session(patient=patient, session_id=session_id)
    if session is None:
        raise Http404(_("No such session."))
    try:
        services.session_set_status(
            session=session,
            status=request.POST.get("status", ""),
            user=request.user,
            was=request.POST.get("was") or None,
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
        services.exercise_week_log_record(log=form.save(commit=False), user=request.user)
        messages.success(request, _("Exercise log saved."))
        return redirect(f"{patient.get_absolute_url()}#adherence")
    return render(
        request,
        "adherence/form.html",
        {"patient": patient, "form": form, "title": _("Log a week of home exercise")},
    )


@patient_scoped
def measure_new(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    form = MeasureForm(request.POST or None, patient=patient, initial={"measured_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.measure_record(measure=form.save(commit=False), user=request.user)
        messages.success(request, _("Measure saved."))
        return redirect(f"{patient.get_absolute_url()}#adherence")
    return render(
        request,
        "adherence/form.html",
        {"patient": patient, "form": form, "title": _("Record a functional measure")},
    )


@login_required
def day_list(request: AuthenticatedRequest) -> HttpResponse:
    day = timezone.localdate()
    sessions = selectors.day_list(user=request.user, day=day)
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[session.patient_id for session in sessions],
        object_type="my day",
    )
    return render(request, "adherence/day_list.html", {"sessions": sessions, "day": day})


def _overseen_or_403(request: AuthenticatedRequest):
    teams = policy.overseen_teams(request.user)
    if teams is None:
        raise PermissionDenied(_("The dashboard is for clinic admins and team leads."))
    return teams


@login_required
def clinic_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    filters = dashboard.DashboardFilters(request.GET or None, teams=_overseen_or_403(request))
    window = dashboard.window_of(filters)
    scope = dashboard.scope_of(request.user, filters)
    if request.GET.get("export") in metrics.BREAKDOWNS:
        return _breakdown_csv(request, filters, scope, window, request.GET["export"])
    _window, patients = dashboard.window_and_patients(dashboard.overseen_patients(filters.teams), filters)
    part = request.GET.get("part", "")
    if part:
        return _dashboard_part(request, part, scope, window, patients)
    query = request.GET.copy()
    query.pop("part", None)
    context = dashboard.page(scope, window, timezone.localdate())
    # Reversed once: the tiles and breakdown tables link their cells to it.
    drill_url = reverse("dashboard_patients")
    dashboard.link_cells(context["tables"], drill_url, query.urlencode())
    return render(
        request,
        "adherence/dashboard.html",
        {
            "filters": filters,
            "window": window,
            "last_day": min(window.end - timedelta(days=1), timezone.localdate()),
            "names": dashboard.METRICS,
            "query": query.urlencode(),
            "drill_url": drill_url,
            **context,
        },
    )


def _dashboard_part(
    request: AuthenticatedRequest,
    part: str,
    scope: rollups.Scope,
    window: dashboard.Window,
    patients: QuerySet[Patient],
) -> HttpResponse:
    """A section of the dashboard the page fetches after it is shown (``dashboard.PARTS``), or when
    opened (``dashboard.ON_DEMAND``), with the page's filters."""
    query = request.GET.copy()
    query.pop("part", None)
    today = timezone.localdate()
    context: dict[str, Any] = {"query": query.urlencode()}
    if part == dashboard.CLINICIANS:
        table = dashboard.clinician_table(scope, window)
        dashboard.link_cells([table], reverse("dashboard_patients"), context["query"])
        context |= {"table": table, "names": dashboard.METRICS}
        return render(request, "adherence/partials/dashboard_breakdown.html", context)
    if part == "reviews":
        context["reviews"] = dashboard.review_figures(patients, window, today)
    elif part == "session-kinds":
        context["session_kinds"] = dashboard.session_breakdown(patients, window)
    elif part == "competent-share":
        # --- skill mix (issue 22) ---
        context["competent_share"] = dashboard.competent_share(
            patients, window, min(window.end - timedelta(days=1), today)
        )
    else:
        raise Http404("No such part of the dashboard.")
    return render(request, f"adherence/partials/dashboard_{part.replace('-', '_')}.html", context)


def _csv_response(
    request: AuthenticatedRequest,
    filename: str,
    header: list[str],
    rows,
    what: str,
    patient_ids: list[int],
) -> HttpResponse:
    """A CSV download, audited as an export of each patient in it (``patient_ids``)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv_safe.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    exports.export_audit(user=request.user, what=what, patient_ids=patient_ids)
    return response


def _breakdown_csv(
    request: AuthenticatedRequest, filters: dashboard.DashboardFilters, scope, window, by: str
) -> HttpResponse:
    """A breakdown table as CSV. It has no row per patient, but its figures are made of patients (a
    clinician's row may stand for one or two): the export is audited for each patient counted."""
    (table,) = dashboard.breakdowns(scope, window, by=(by,))
    rows = ([row["label"] or "—", *(rate.percent for _key, rate in row["cells"])] for row in table["rows"])
    _window, patients = dashboard.window_and_patients(dashboard.overseen_patients(filters.teams), filters)
    return _csv_response(
        request,
        f"adherence-by-{by}.csv",
        [table["title"], *map(str, dashboard.METRICS.values())],
        rows,
        f"dashboard {by}",
        list(dashboard.patients_counted(patients, window).values_list("pk", flat=True)),
    )


PATIENTS_PER_PAGE = 50


@login_required
def dashboard_patients(request: AuthenticatedRequest) -> HttpResponse:
    """The patients behind a number, only those the viewer oversees."""
    teams = _overseen_or_403(request)
    filters = dashboard.DashboardFilters(request.GET or None, teams=teams)
    window, patients = dashboard.window_and_patients(dashboard.overseen_patients(teams), filters)
    metric = request.GET.get("metric", "")
    if metric not in dashboard.METRICS:
        raise Http404("No such metric.")
    rows = dashboard.drilldown_patients(
        patients, window, metric, request.GET.get("by", ""), request.GET.get("group", "")
    )
    if request.GET.get("format") == "csv" and rows.count() > settings.EXPORT_IN_BACKGROUND_ABOVE:
        params = {k: request.GET.get(k, "") for k in request.GET if k not in ("format", "page")}
        export = exports.export_request(
            user=request.user, title=f"Patients: {dashboard.METRICS[metric].lower()}", params=params
        )
        return redirect("export_detail", export_id=export.pk)
    if request.GET.get("format") == "csv":
        listed = list(rows)
        values = dashboard.patient_values(metric, [p.pk for p in listed], window, timezone.localdate())
        return _csv_response(
            request,
            f"patients-{metric}.csv",
            exports.header(metric),
            (exports.patient_row(p, values.get(p.pk, metrics.EMPTY)) for p in listed),
            "dashboard patient list",
            [p.pk for p in listed],
        )
    page = Paginator(rows, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[p.pk for p in page],
        object_type="dashboard patient list",
    )
    values = dashboard.patient_values(metric, [p.pk for p in page], window, timezone.localdate())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "adherence/dashboard_patients.html",
        {
            "page": page,
            "rows": [(patient, values.get(patient.pk, metrics.EMPTY)) for patient in page],
            "counted": dashboard.COUNTED[metric],
            "metric": dashboard.METRICS[metric],
            "query": query.urlencode(),
            "group": request.GET.get("group", ""),
        },
    )


@login_required
def audits_page(request: AuthenticatedRequest) -> HttpResponse:
    overseen = _overseen_or_403(request)
    gaps = audits.gaps(patients=dashboard.overseen_patients(overseen))
    # --- skill mix (issue 22) ---
    skill_gaps = audits.skill_gaps(
        teams=overseen, patients=dashboard.overseen_patients(overseen), on=timezone.localdate()
    )
    training_viewed(user=request.user, clinician_ids=audits.skill_people_listed(skill_gaps))
    # ---
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=audits.patients_listed(gaps) + audits.skill_patients_listed(skill_gaps),
        object_type="audits",
    )
    return render(
        request,
        "adherence/audits.html",
        {
            "gaps": gaps,
            "cap": audits.ROWS_PER_GAP,
            "may_configure": policy.is_clinic_admin(request.user),
            "skill_gaps": skill_gaps,
            # --- directory and referrals (issue 22) ---
            "resources_to_verify": resources_to_verify(
                today=timezone.localdate(), limit=audits.ROWS_PER_GAP + 1
            ),
        },
    )


def _report_context(request: AuthenticatedRequest, patient: Patient):
    """The report's context, worked out in the patient's language (the report is theirs, core.i18n);
    ``report.NoConsent`` when it may not be shown."""
    caregiver = request.GET.get("caregiver", "")
    with translation.override(patient_language(patient)):
        return report.progress_report(
            patient=patient, caregiver_id=int(caregiver) if caregiver.isdigit() else None
        )


def _report_refused(
    request: AuthenticatedRequest, patient: Patient, refused: report.NoConsent
) -> HttpResponse:
    context = {"patient": patient, "reason": refused.reason}
    return render(request, "adherence/report_refused.html", context, status=403)


@patient_scoped
def progress_report(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    # The page around the report stays the staff member's; the template switches language for the report.
    try:
        context = _report_context(request, patient)
    except report.NoConsent as refused:
        return _report_refused(request, patient, refused)  # a staff page: the staff member's language
    language = patient_language(patient)
    context |= {"query": request.GET.urlencode(), "report_language": language}
    return render(request, "adherence/report.html", context)


@patient_scoped
def progress_report_pdf(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    # The whole document in the patient's language: the PDF is theirs.
    try:
        context = _report_context(request, patient)
    except report.NoConsent as refused:
        return _report_refused(request, patient, refused)
    language = patient_language(patient)
    with translation.override(language):
        context |= {"pdf": True, "report_language": language}
        html = render(request, "adherence/report.html", context).content.decode()
    try:
        from core.pdf import pdf_from_html
    except OSError:  # WeasyPrint is installed but the system's Pango is not
        messages.error(
            request, "PDF reports need the Pango library on the server; use the print view meanwhile."
        )
        return redirect("progress_report", patient_id=patient.pk)
    pdf = pdf_from_html(html)
    audit_record(
        actor=request.user, action=AuditEvent.Action.EXPORT, patient=patient, object_type="progress report"
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="progress-{patient.given_name.lower()}.pdf"'
    return response


def _own_export(request: AuthenticatedRequest, export_id: int) -> Export:
    export = selectors.export_by_id(export_id=export_id)
    if export is None or not policy.may_download_export(request.user, export):
        raise Http404("No such export.")
    return export


@login_required
def export_detail(request: AuthenticatedRequest, export_id: int) -> HttpResponse:
    """The progress of a background export; htmx asks for the bar again every second until it is ready."""
    export = _own_export(request, export_id)
    template = (
        "adherence/partials/export_progress.html"
        if request.headers.get("HX-Request")
        else "adherence/export.html"
    )
    return render(request, template, {"export": export})


@login_required
def export_download(request: AuthenticatedRequest, export_id: int) -> HttpResponse:
    export = _own_export(request, export_id)
    if export.status != Export.Status.DONE:
        raise Http404("The export is not ready.")
    exports.export_audit(
        user=request.user, what="dashboard patient list", patient_ids=export.patient_ids, export=export
    )
    response = HttpResponse(export.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="export-{export.pk}.csv"'
    return response


# --- sessions (issue 20) ---------------------------------------------------------------------------


def _next_hour() -> str:
    now = timezone.localtime()
    return (now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


@patient_scoped
def session_book(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    """Book a session or a fortnightly (or other) series from the plan, by any modality, with one or more
    clinicians of the team; then show the dates booked. A modality the patient does not prefer is
    allowed, with a warning."""
    preferred = selectors.preferred_modalities(patient=patient)
    members = team_members(patient.team_id)
    initial = {
        "starts_at": _next_hour(),
        "modality": next((m for m in preferred if m in SessionModality.values), SessionModality.IN_PERSON),
        "clinicians": [request.user.pk],
    }
    form = SessionBookForm(request.POST or None, patient=patient, clinicians=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The one booking leads the session when they hold it.
        chosen = sorted(data["clinicians"], key=lambda user: user.pk != request.user.pk)
        try:
            sessions = services.session_book(
                patient=patient,
                clinicians=chosen,
                starts_at=data["starts_at"],
                modality=data["modality"],
                video_link=data["video_link"].strip(),
                every_weeks=data["every_weeks"],
                count=data["count"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            label = SessionModality(data["modality"]).label.lower()
            messages.success(
                request,
                ngettext(
                    "Booked %(count)d %(modality)s session.",
                    "Booked %(count)d %(modality)s sessions.",
                    len(sessions),
                )
                % {"count": len(sessions), "modality": label},
            )
            if preferred and data["modality"] not in preferred:
                messages.warning(request, _preference_warning(patient, data["modality"], preferred))
            return redirect(
                f"{reverse('session_book', kwargs={'patient_id': patient.pk})}?booked={sessions[0].pk}"
            )
    booked = request.GET.get("booked", "")
    modality = form.data.get("modality") if form.is_bound else initial["modality"]
    return render(
        request,
        "adherence/session_book.html",
        {
            "patient": patient,
            "form": form,
            "preferred": [Modality(m).label for m in preferred if m in Modality.values],
            # One warning per modality the patient does not prefer; the page shows the chosen one's.
            "warnings": [
                (value, _preference_warning(patient, value, preferred), value == modality)
                for value in SessionModality.values
                if preferred and value not in preferred
            ],
            "booked": selectors.booked_sessions(patient=patient, session_id=int(booked))
            if booked.isdigit()
            else [],
        },
    )


def _preference_warning(patient: Patient, modality: str, preferred: list[str]) -> str:
    labels = ", ".join(Modality(m).label.lower() for m in preferred if m in Modality.values)
    return _(
        "%(name)s's care preferences do not include %(modality)s "
        "sessions (they prefer: %(preferred)s). The booking is allowed; talk it over with them."
    ) % {"name": patient.given_name, "modality": SessionModality(modality).label.lower(), "preferred": labels}


# --- caregivers ---

CAREGIVER_MESSAGES_LISTED = 10


@patient_scoped
def caregiver_send(request: AuthenticatedRequest, patient: Patient, caregiver_id: int) -> HttpResponse:
    """Send a caregiver what the patient consented they receive: the page offers only the scopes covered
    today, and the consent is checked again when the message goes."""
    caregiver = careplan_selectors.caregiver_of_patient(patient=patient, caregiver_id=caregiver_id)
    if caregiver is None:
        raise Http404(_("No such caregiver for this patient."))
    today = timezone.localdate()
    scopes = scopes_open(caregiver, today)
    form = caregivers.CaregiverSendForm(request.POST or None, scopes=scopes, items=caregiver_items())
    if request.method == "POST" and form.is_valid():
        try:
            message = caregivers.caregiver_send(
                caregiver=caregiver,
                patient=patient,
                scope=form.cleaned_data["scope"],
                item=form.cleaned_data.get("item"),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "“%(subject)s” queued for %(name)s: it goes only if the consent still "
                    "covers it when it is sent. Its status is under Caregivers and support."
                )
                % {"subject": message.subject, "name": caregiver.name},
            )
            return redirect(f"{caregiver.plan.get_absolute_url()}#caregivers-heading")
    refusals = [
        (label, refusal(caregiver, value, today))
        for value, label in CaregiverScope.choices
        if value not in scopes
    ]
    return render(
        request,
        "adherence/caregiver_send.html",
        {
            "patient": patient,
            "caregiver": caregiver,
            "form": form,
            "refusals": refusals,
            "sent": caregiver.messages.select_related("queued_by")[:CAREGIVER_MESSAGES_LISTED],
            "contact_ok": bool(contact_kind(caregiver.contact)),
        },
    )
