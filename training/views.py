"""Training and supervision pages: "My training", a colleague's training (leads verify from it), adding and
correcting one's own records, logging supervision and reading its notes. Thin: check access
(``teams.policy``, through the selectors), call a selector or service, render.

Someone who may not see a clinician's training, or a session's notes, gets 404 as if it did not exist; the
attempt is audited. Every page that shows training records or supervision sessions audits the reading.

A training record has no version counter: only its owner (or a clinic admin) edits it, and the service
locks the row (``select_for_update``), so the last save wins, which is the owner's own later word.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import day
from core.forms import refusal_shown
from teams import policy
from teams.access import AuthenticatedRequest
from teams.models import AuditEvent, User
from teams.services import audit_record

from . import selectors, services
from .forms import SupervisionForm, TrainingRecordForm
from .models import SupervisionSession, TrainingRecord

SESSIONS_PER_PAGE = 20


def _not_found(request: AuthenticatedRequest, object_type: str, object_id: int, message: str) -> Http404:
    audit_record(
        actor=request.user, action=AuditEvent.Action.DENIED, object_type=object_type, object_id=str(object_id)
    )
    return Http404(message)


def _sessions_page(request: AuthenticatedRequest, sessions):
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    selectors.supervision_sessions_viewed(user=request.user, sessions=page.object_list)
    return page


def _training(request: AuthenticatedRequest, clinician: User, template: str, extra: dict) -> HttpResponse:
    data = selectors.training_page(user=request.user, clinician=clinician, on=timezone.localdate())
    if data is None:
        raise _not_found(
            request, "training records", clinician.pk, _("No clinician matches the given query.")
        )
    sessions = _sessions_page(
        request, selectors.supervision_sessions_of(user=request.user, clinician=clinician)
    )
    return render(request, template, {"t": data, "page": sessions, **extra})


@login_required
def training_mine(request: AuthenticatedRequest) -> HttpResponse:
    return _training(request, request.user, "training/mine.html", {})


@login_required
def training_person(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    if user_id == request.user.pk:
        return redirect("training_mine")
    clinician = User.objects.filter(pk=user_id, is_active=True).first()
    if clinician is None:  # and one the user may not see: the same 404, from _training
        raise _not_found(request, "training records", user_id, _("No clinician matches the given query."))
    return _training(
        request,
        clinician,
        "training/person.html",
        {"may_verify": policy.may_verify_training(request.user, clinician)},
    )


@login_required
def training_record_add(request: AuthenticatedRequest) -> HttpResponse:
    form = TrainingRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.training_record_add(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            refusal_shown(error, form)
        else:
            messages.success(
                request,
                _("%(competency)s added. It awaits verification by a lead of your team.")
                % {"competency": record.competency},
            )
            return redirect("training_mine")
    return render(request, "training/record_form.html", {"form": form, "record": None})


def _own_record(request: AuthenticatedRequest, record_id: int) -> TrainingRecord:
    record = selectors.training_record_for(user=request.user, record_id=record_id)
    if record is None:
        raise _not_found(
            request, "trainingrecord", record_id, _("No training record matches the given query.")
        )
    if not policy.may_add_training_for(request.user, record.user):
        raise PermissionDenied(_("Clinicians change their own training records."))
    return record


@login_required
def training_record_edit(request: AuthenticatedRequest, record_id: int) -> HttpResponse:
    record = _own_record(request, record_id)
    was_verified = record.verified_at is not None
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=record)
    form = TrainingRecordForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            saved = services.training_record_update(user=request.user, record=record, data=data)
        except ValidationError as error:
            refusal_shown(error, form)
        else:
            if was_verified and saved.verified_at is None:
                messages.warning(
                    request,
                    _(
                        "Saved. The record changed, so it is no longer verified: "
                        "a lead of your team verifies it again."
                    ),
                )
            else:
                messages.success(request, _("Saved."))
            # A clinic admin correcting someone's record goes back to that person's training.
            return redirect("training_person", user_id=record.user_id)
    return render(
        request, "training/record_form.html", {"form": form, "record": record, "was_verified": was_verified}
    )


@require_POST
@login_required
def training_record_verify(request: AuthenticatedRequest, record_id: int) -> HttpResponse:
    record = selectors.training_record_for(user=request.user, record_id=record_id)
    if record is None:
        raise _not_found(
            request, "trainingrecord", record_id, _("No training record matches the given query.")
        )
    services.training_record_verify(user=request.user, record=record)  # refuses with 403 unless a lead
    messages.success(
        request,
        _("%(competency)s of %(name)s verified.") % {"competency": record.competency, "name": record.user},
    )
    return redirect("training_person", user_id=record.user_id)


@login_required
def supervision_list(request: AuthenticatedRequest) -> HttpResponse:
    page = _sessions_page(request, selectors.supervision_sessions_visible(request.user))
    return render(request, "training/supervision_list.html", {"page": page})


@login_required
def supervision_new(request: AuthenticatedRequest) -> HttpResponse:
    people = selectors.training_people_for(request.user)
    form = SupervisionForm(request.POST or None, user=request.user, people=people)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            session = services.supervision_log(
                user=request.user,
                supervisor=data.pop("supervisor"),
                supervisees=list(data.pop("supervisees")),
                **data,
            )
        except ValidationError as error:
            refusal_shown(error, form)
        except PermissionDenied as refusal:
            form.add_error("supervisor", str(refusal))
        else:
            messages.success(request, _("Supervision on %(day)s logged.") % {"day": day(session.held_at)})
            return redirect("supervision_detail", supervision_id=session.pk)
    return render(request, "training/supervision_form.html", {"form": form})


@login_required
def supervision_detail(request: AuthenticatedRequest, supervision_id: int) -> HttpResponse:
    session: SupervisionSession | None = selectors.supervision_session_for(
        user=request.user, session_id=supervision_id
    )
    if session is None:
        raise _not_found(
            request,
            "supervisionsession",
            supervision_id,
            _("No supervision session matches the given query."),
        )
    return render(
        request, "training/supervision_detail.html", {"session": session, "back": reverse("supervision_list")}
    )
