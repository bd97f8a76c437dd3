"""Care plan pages: the plan, its parts, the printable version, and each clinician's responsibilities."""

from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from teams import policy
from teams.access import AuthenticatedRequest, patient_scoped
from teams.models import AuditEvent, Patient
from teams.services import audit_record, audit_record_many

from . import directory, literacy, selectors, services
from . import preferences as steering
from .education import choice_label, paragraphs, plain_chosen, reading_level_label
from .forms import (
    CaregiverWithdrawForm,
    EducationAssignForm,
    PlanCreateForm,
    PlanForm,
    PlanSupportForm,
    PreferencesForm,
    ResourceForm,
    VersionedForm,
)
from .models import (
    CaregiverScope,
    CarePlan,
    CarePreferences,
    CommunityResource,
    ResourceCategory,
    ResourceCost,
    Responsibility,
    SupportModality,
)
from .parts import PARTS, PlanPart


def _plan_or_404(patient: Patient, plan_id: int) -> CarePlan:
    plan = selectors.plan_of_patient(patient=patient, plan_id=plan_id)
    if plan is None:
        raise Http404(_("No such plan."))
    return plan


def _part_or_404(key: str) -> PlanPart:
    if key not in PARTS:
        raise Http404(_("No such part of a plan."))
    return PARTS[key]


@patient_scoped
def careplan_home(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    plan = selectors.plan_current(patient=patient)
    if plan is None:
        return redirect("careplan_new", patient_id=patient.pk)
    return redirect(plan)


@patient_scoped
def careplan_new(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    suggested = selectors.suggested_template(patient=patient)
    stratum = selectors.suggested_stratum(patient=patient)
    today = timezone.localdate()
    form = PlanCreateForm(
        request.POST or None,
        plan=CarePlan(patient=patient),
        initial={
            "template": suggested,
            "risk_stratum": stratum,
            "start_date": today,
            "review_date": today + timedelta(weeks=6),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            plan = services.plan_create(patient=patient, user=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Draft plan created. Add goals in the patient's words, then activate it.")
            )
            # --- competence gate ---
            left_out = services.plan_proposals_left_out(plan=plan)
            if left_out:
                messages.warning(
                    request,
                    _(
                        "Not proposed, as nobody in the team holds the competencies they need: %(names)s. "
                        "Add them once someone is trained, or refer."
                    )
                    % {"names": ", ".join(left_out)},
                )
            return redirect(plan)
    return render(
        request,
        "careplans/plan_new.html",
        {"patient": patient, "form": form, "suggested": suggested, "stratum": stratum},
    )


@patient_scoped
def careplan_detail(request: AuthenticatedRequest, patient: Patient, plan_id: int) -> HttpResponse:
    plan = _plan_or_404(patient, plan_id)
    page = selectors.plan_page(plan=plan)
    preferences = selectors.preferences_of_plan(plan=plan)
    steering.flag_responsibilities(
        [r for goal in page.goals for r in goal.responsibilities.all()] + page.unlinked_responsibilities,
        preferences,
    )
    # --- competence gate ---
    selectors.flag_kept_without(
        [r for goal in page.goals for r in goal.responsibilities.all()] + page.unlinked_responsibilities
    )
    return render(
        request,
        "careplans/plan_detail.html",
        {
            "patient": patient,
            "page": page,
            "plan": plan,
            # --- preferences ---
            "preferences_summary": steering.summary(preferences) if preferences else None,
            "support_conflict": steering.support_conflict(plan.support_modality, preferences),
            "parts": PARTS,
            "activation": selectors.plan_activation(plan=plan),
            "education": selectors.plan_education(plan=plan),
            "education_choices": [
                (item.pk, choice_label(item)) for item in selectors.education_assignable(plan=plan)
            ],
            "caregiver_messages": selectors.caregiver_messages_latest(patient=patient, plan=plan),
            "caregiver_scopes": CaregiverScope.choices,
            "today": timezone.localdate(),
            "referrals": selectors.plan_referrals(plan=plan),
        },
    )


# The modality of psychological support as the patient reads it ("... will support you <words>").
SUPPORT_IN_PLAIN_WORDS: dict[str, str] = {
    SupportModality.IN_PERSON: "in one-to-one sessions, in person",
    SupportModality.TELEHEALTH: "in one-to-one sessions, by video or phone",
    SupportModality.GROUP: "in a group programme",
    SupportModality.INTEGRATED: "as part of your physiotherapy sessions",
    SupportModality.DIGITAL: "with a programme you follow online, and regular check-ins",
}


@patient_scoped
def careplan_print(request: AuthenticatedRequest, patient: Patient, plan_id: int) -> HttpResponse:
    """The plan as the patient and family read it: the clinic's name and phone at the top, a draft marked
    as one, and nothing of the team's own placeholders (a frequency still to agree) or stopped help."""
    plan = _plan_or_404(patient, plan_id)
    page = selectors.plan_page(plan=plan)
    linked = [r for goal in page.goals for r in goal.responsibilities.all()]
    stopped = Responsibility.Status.STOPPED
    helpers = [r for r in linked + page.unlinked_responsibilities if r.status != stopped]
    # --- preferences ---
    # Limited health literacy: the plain-language version, each intervention in everyday words.
    preferences = selectors.preferences_of_plan(plan=plan)
    plain = preferences is not None and preferences.literacy_limited
    steering.name_for_print(helpers, plain=plain)
    return render(
        request,
        "careplans/plan_print.html",
        {
            "patient": patient,
            "page": page,
            "plan": plan,
            "plain": plain,
            "helpers": helpers,
            "caregivers": [c for c in page.caregivers if c.role_in_plan],
            "frequency_to_agree": services.FREQUENCY_TO_AGREE,
            "support_modality_words": SUPPORT_IN_PLAIN_WORDS.get(plan.support_modality, ""),
            "activation": selectors.plan_activation(plan=plan),
        },
    )


def _conflict_form(form: VersionedForm, conflict: services.EditConflict) -> None:
    """Base the editor's input on the version now stored: a field only the other person changed shows
    their value (saving again never undoes it), the editor's own changes stay, and each field both
    changed asks which value to keep before the save is accepted."""
    data = cast(QueryDict, form.data).copy()
    data["version"] = str(conflict.current.version)
    clashes = {clash.field: clash for clash in conflict.clashes}
    stored = model_to_dict(conflict.current, fields=[change.field for change in conflict.changes])
    for name, value in stored.items():
        if name in clashes or name not in form.fields:
            continue
        if isinstance(value, list):
            data.setlist(name, [str(item) for item in value])
        elif isinstance(value, bool):
            data[name] = "on" if value else ""
        else:
            data[name] = "" if value is None else str(value)
    data["clashes"] = ",".join(clashes)
    form.data = data
    form.clash_choices(list(clashes), theirs={name: clash.theirs for name, clash in clashes.items()})


def _save_form(
    request: AuthenticatedRequest, form: VersionedForm, instance: Any
) -> tuple[Any, services.EditConflict | None]:
    """Create or update through the services; a conflict or refusal goes back onto the form."""
    try:
        if instance.pk is None:
            return services.part_create(instance=form.save(commit=False), user=request.user), None
        expected = form.cleaned_data.get("version") or 0
        saved = services.part_update(
            instance=instance, data=form.changes(), expected_version=expected, user=request.user
        )
        if saved.version > expected + 1:
            messages.info(
                request, _("Someone else changed this while you were editing: both changes are kept.")
            )
        return saved, None
    except services.EditConflict as conflict:
        _conflict_form(form, conflict)
        return None, conflict
    except ValidationError as error:
        form.add_error(None, error)
        return None, None


@patient_scoped
def careplan_edit(request: AuthenticatedRequest, patient: Patient, plan_id: int) -> HttpResponse:
    plan = _plan_or_404(patient, plan_id)
    stored = selectors.plan_as_stored(plan=plan)
    form = PlanForm(request.POST or None, instance=plan, plan=plan)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = _save_form(request, form, stored)
        if saved is not None:
            messages.success(request, _("Plan saved."))
            return redirect(saved)
    return render(
        request,
        "careplans/part_form.html",
        {"patient": patient, "plan": plan, "form": form, "title": _("Plan details"), "conflict": conflict},
    )


@patient_scoped
def plan_support(request: AuthenticatedRequest, patient: Patient, plan_id: int) -> HttpResponse:
    """The plan's psychological support: who delivers it, in what modality, how often."""
    plan = _plan_or_404(patient, plan_id)
    stored = selectors.plan_as_stored(plan=plan)
    form = PlanSupportForm(request.POST or None, instance=plan, plan=plan)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = _save_form(request, form, stored)
        if saved is not None:
            messages.success(request, _("Psychological support saved."))
            return redirect(saved)
    return render(
        request,
        "careplans/part_form.html",
        {
            "patient": patient,
            "plan": plan,
            "form": form,
            "title": _("Psychological support"),
            "intro": _(
                "Who delivers the patient's psychological support, in what modality and how often. "
                "Leave it empty until the team and the patient have agreed it."
            ),
            "conflict": conflict,
        },
    )


@patient_scoped
def part_new(request: AuthenticatedRequest, patient: Patient, plan_id: int, part: str) -> HttpResponse:
    plan = _plan_or_404(patient, plan_id)
    kind = _part_or_404(part)
    existing = selectors.plan_single_part(part=kind, plan=plan) if kind.single else None
    if existing is not None:
        return redirect(
            "careplan_part_edit", patient_id=patient.pk, plan_id=plan.pk, part=part, part_id=existing.pk
        )
    instance = kind.model(plan=plan) if kind.plan_lookup == "plan" else kind.model()
    form = kind.form(request.POST or None, instance=instance, plan=plan, initial=_initial(request, plan))
    if request.method == "POST" and form.is_valid():
        saved, _conflict = _save_form(request, form, instance)
        if saved is not None:
            messages.success(request, _("%(part)s added.") % {"part": kind.title})
            return redirect(plan)
    return render(
        request,
        "careplans/part_form.html",
        {
            "patient": patient,
            "plan": plan,
            "form": form,
            "title": _("Add %(part)s") % {"part": kind.title.lower()},
        },
    )


def _initial(request: AuthenticatedRequest, plan: CarePlan) -> dict[str, Any]:
    """Sensible starting values for a new part; each form uses the ones it has fields for."""
    today = max(timezone.localdate(), plan.start_date)
    goal = request.GET.get("goal", "")
    return {
        "goal": int(goal) if goal.isdigit() else None,
        "target_date": plan.review_date,
        "due_date": plan.review_date,
        "starts_on": today,
        "agreed_on": today,
        "review_date": plan.review_date,
        "sessions_per_week": 3,
        "owner": request.user.pk,
        "discipline": request.user.discipline,
        "phase": 1,
        "resource": int(resource) if (resource := request.GET.get("resource", "")).isdigit() else None,
    }


@patient_scoped
def part_edit(
    request: AuthenticatedRequest, patient: Patient, plan_id: int, part: str, part_id: int
) -> HttpResponse:
    plan = _plan_or_404(patient, plan_id)
    kind = _part_or_404(part)
    stored = selectors.plan_part(part=kind, plan=plan, part_id=part_id)
    if stored is None:
        raise Http404(_("No such part of this plan."))
    # The form changes a copy of its own; the service compares the edit with the stored row.
    editing = selectors.plan_part(part=kind, plan=plan, part_id=part_id)
    form = kind.form(request.POST or None, instance=editing, plan=plan)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = _save_form(request, form, stored)
        if saved is not None:
            messages.success(request, _("%(part)s saved.") % {"part": kind.title})
            return redirect(plan)
    return render(
        request,
        "careplans/part_form.html",
        {
            "patient": patient,
            "plan": plan,
            "form": form,
            "title": _("Edit %(part)s") % {"part": kind.title.lower()},
            "conflict": conflict,
        },
    )


@patient_scoped
@require_POST
def careplan_status(request: AuthenticatedRequest, patient: Patient, plan_id: int) -> HttpResponse:
    plan = _plan_or_404(patient, plan_id)
    status = request.POST.get("status", "")
    if status not in (CarePlan.Status.ACTIVE, CarePlan.Status.COMPLETED):
        messages.error(request, _("Choose to activate or to complete the plan."))
        return redirect(plan)
    version = request.POST.get("version", "")
    try:
        services.plan_set_status(
            plan=plan,
            status=status,
            expected_version=int(version) if version.isdigit() else 0,
            user=request.user,
        )
    except services.EditConflict as conflict:
        messages.error(
            request,
            _("The plan was changed by %(user)s meanwhile: check it and try again.")
            % {"user": conflict.changed_by},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Plan activated.") if status == CarePlan.Status.ACTIVE else _("Plan completed.")
        )
    return redirect(plan)


@patient_scoped
@require_POST
def milestone_achieved(
    request: AuthenticatedRequest, patient: Patient, plan_id: int, milestone_id: int
) -> HttpResponse:
    """Mark a milestone reached, in place (htmx) or with a full page load."""
    plan = _plan_or_404(patient, plan_id)
    milestone = selectors.plan_milestone(plan=plan, milestone_id=milestone_id)
    if milestone is None:
        raise Http404(_("No such milestone."))
    version = request.POST.get("version", "")
    error = ""
    try:
        milestone = services.milestone_mark_achieved(
            milestone=milestone,
            expected_version=int(version) if version.isdigit() else 0,
            user=request.user,
        )
    except services.EditConflict as conflict:
        milestone = conflict.current  # type: ignore[assignment]
        error = f"Changed by {conflict.changed_by} meanwhile: check it and try again."
    if request.headers.get("HX-Request"):
        return render(
            request,
            "careplans/partials/milestone.html",
            {"milestone": milestone, "plan": plan, "patient": patient, "error": error},
        )
    if error:
        messages.error(request, error)
    return redirect(plan)


RESPONSIBILITIES_PER_PAGE = 30


@login_required
def my_responsibilities(request: AuthenticatedRequest) -> HttpResponse:
    rows = selectors.my_responsibilities(user=request.user)
    page = Paginator(rows, RESPONSIBILITIES_PER_PAGE).get_page(request.GET.get("page"))
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[responsibility.plan.patient_id for responsibility in page],
        object_type="my responsibilities",
    )
    return render(request, "careplans/my_responsibilities.html", {"page": page})


# --- education ---


@patient_scoped
@require_POST
def education_assign(request: AuthenticatedRequest, patient: Patient, plan_id: int) -> HttpResponse:
    """Assign an item of the library from the plan page; the patient reads it through their link."""
    plan = _plan_or_404(patient, plan_id)
    form = EducationAssignForm(request.POST, items=selectors.education_assignable(plan=plan))
    if form.is_valid():
        try:
            assignment = services.education_assign(
                plan=plan, item=form.cleaned_data["item"], user=request.user
            )
        except ValidationError as error:
            form.add_error("item" if hasattr(error, "error_dict") else None, error)
        else:
            messages.success(
                request,
                _("“%(title)s” assigned: it is on the patient's next link.")
                % {"title": assignment.item.title},
            )
            return redirect(f"{plan.get_absolute_url()}#education-heading")
    for problems in form.errors.values():
        messages.error(request, " ".join(str(problem) for problem in problems))
    return redirect(f"{plan.get_absolute_url()}#education-heading")


@patient_scoped
def education_print(request: AuthenticatedRequest, patient: Patient, assignment_id: int) -> HttpResponse:
    """An assigned item printed for the patient: the plain-language version when their literacy is
    limited, with a link to the other version."""
    assignment = selectors.education_assignment_of_patient(patient=patient, assignment_id=assignment_id)
    if assignment is None:
        raise Http404(_("No such education item for this patient."))
    limited = selectors.plain_language_preferred(patient=patient)
    plain = plain_chosen(request.GET.get("version"), limited=limited)
    item = assignment.item
    return render(
        request,
        "careplans/education_print.html",
        {
            "patient": patient,
            "assignment": assignment,
            "item": item,
            "plain": plain,
            "limited": limited,
            "paragraphs": paragraphs(item.plain_body if plain else item.body),
            "reading_level": reading_level_label(item.plain_reading_grade if plain else item.reading_grade),
        },
    )


# --- caregivers ---


@patient_scoped
def caregiver_withdraw(
    request: AuthenticatedRequest, patient: Patient, plan_id: int, caregiver_id: int
) -> HttpResponse:
    """The patient withdraws their consent for a caregiver: confirmed here, it stops everything at once."""
    plan = _plan_or_404(patient, plan_id)
    caregiver = selectors.caregiver_of_patient(patient=patient, caregiver_id=caregiver_id)
    if caregiver is None or caregiver.plan_id != plan.pk:
        raise Http404(_("No such caregiver on this plan."))
    form = CaregiverWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            withdrawal = services.caregiver_consent_withdraw(
                caregiver=caregiver, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            refused = withdrawal.refused
            also = (
                " "
                + ngettext("%(count)d queued message refused.", "%(count)d queued messages refused.", refused)
                % {"count": refused}
                if refused
                else ""
            )
            messages.success(
                request,
                _("Consent withdrawn: nothing more is sent to %(name)s.") % {"name": caregiver.name} + also,
            )
        return redirect(f"{plan.get_absolute_url()}#caregivers-heading")
    return render(
        request,
        "careplans/caregiver_withdraw.html",
        {"patient": patient, "plan": plan, "caregiver": caregiver, "form": form},
    )


# --- preferences ---


@patient_scoped
def care_preferences(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    """Record or change how the patient wants to be cared for (versioned, merged, audited), with the
    literacy item's source and every change made so far."""
    stored = selectors.preferences_of(patient=patient)
    # The form changes a copy of its own; the service compares the edit with the stored row.
    editing = selectors.preferences_of(patient=patient) or CarePreferences(patient=patient)
    form = PreferencesForm(request.POST or None, instance=editing)
    conflict = None
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("version") or 0
        try:
            saved = services.preferences_save(
                patient=patient, user=request.user, data=form.changes(), expected_version=expected
            )
        except services.EditConflict as clash:
            conflict = clash
            _conflict_form(form, clash)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if expected and saved.version > expected + 1:
                messages.info(
                    request, _("Someone else changed these while you were editing: both changes are kept.")
                )
            messages.success(request, _("Preferences saved.") if stored else _("Preferences recorded."))
            # Back to the plan they steer (its top panel shows them), else to this page and its history.
            plan = selectors.plan_current(patient=patient)
            if plan is not None:
                return redirect(plan)
            return redirect("care_preferences", patient_id=patient.pk)
    answered = stored.forms_confidence if stored else ""
    return render(
        request,
        "careplans/preferences.html",
        {
            "patient": patient,
            "preferences": stored,
            "plan": selectors.plan_current(patient=patient),
            "form": form,
            "conflict": conflict,
            "literacy_question": literacy.QUESTION,
            "literacy_sources": literacy.SOURCES,
            "literacy_limited": literacy.is_limited(answered),
            "history": selectors.preferences_history(patient=patient),
        },
    )


# --- directory and referrals ---

RESOURCES_PER_PAGE = 25


def _refer_target(request: AuthenticatedRequest) -> dict[str, int] | None:
    """The plan a clinician came from to pick a resource ("Refer" on the plan page): ids only, checked
    by the referral page itself when they follow the link."""
    patient, plan = request.GET.get("patient", ""), request.GET.get("plan", "")
    if patient.isdigit() and plan.isdigit():
        return {"patient_id": int(patient), "plan_id": int(plan)}
    return None


@login_required
def resource_list(request: AuthenticatedRequest) -> HttpResponse:
    """The directory: search and filters, paginated, each resource's re-verify mark; in "refer" mode
    (from a plan) each resource links to the referral form."""
    query = directory.DirectoryQuery.from_params(request.GET)
    page = Paginator(directory.resources_search(query), RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "careplans/resources_list.html",
        {
            "page": page,
            "search": query,
            "query": params.urlencode(),
            "choices": directory.filter_choices(),
            "categories": ResourceCategory.choices,
            "costs": ResourceCost.choices,
            "refer": _refer_target(request),
            "reverify_before": directory.reverify_before(timezone.localdate()),
            "may_manage": policy.may_manage_resources(request.user),
        },
    )


def _manager_or_403(request: AuthenticatedRequest) -> None:
    if not policy.may_manage_resources(request.user):
        raise PermissionDenied(_("Leads and clinic admins keep the directory."))


def _resource_or_404(resource_id: int) -> CommunityResource:
    resource = CommunityResource.objects.select_related("verified_by").filter(pk=resource_id).first()
    if resource is None:
        raise Http404(_("No such resource."))
    return resource


@login_required
def resource_detail(request: AuthenticatedRequest, resource_id: int) -> HttpResponse:
    resource = _resource_or_404(resource_id)
    return render(
        request,
        "careplans/resources_detail.html",
        {
            "resource": resource,
            "verify_again": resource.verify_again(timezone.localdate()),
            "may_manage": policy.may_manage_resources(request.user),
            "refer": _refer_target(request),
        },
    )


def _resource_form(request: AuthenticatedRequest, resource: CommunityResource) -> HttpResponse:
    _manager_or_403(request)
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.resource_save(
                resource=form.save(commit=False),
                user=request.user,
                seen_updated_at=form.cleaned_data.get("seen_updated_at"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(name)s” saved.") % {"name": saved.name})
            return redirect(saved)
    title = _("Edit %(name)s") % {"name": resource.name} if resource.pk else _("Add a community resource")
    return render(
        request, "careplans/resources_form.html", {"form": form, "resource": resource, "title": title}
    )


@login_required
def resource_new(request: AuthenticatedRequest) -> HttpResponse:
    return _resource_form(request, CommunityResource())


@login_required
def resource_edit(request: AuthenticatedRequest, resource_id: int) -> HttpResponse:
    return _resource_form(request, _resource_or_404(resource_id))


@login_required
@require_POST
def resource_verify(request: AuthenticatedRequest, resource_id: int) -> HttpResponse:
    """The "verified today" action: details checked with the service; the reminder starts again."""
    _manager_or_403(request)
    resource = services.resource_verify(resource=_resource_or_404(resource_id), user=request.user)
    messages.success(request, _("“%(name)s” marked verified today.") % {"name": resource.name})
    return redirect(resource)


@patient_scoped
def referral_letter(
    request: AuthenticatedRequest, patient: Patient, plan_id: int, referral_id: int
) -> HttpResponse:
    """The referral letter as a PDF, from its template (templates/careplans/referral_letter.html)."""
    plan = _plan_or_404(patient, plan_id)
    referral = selectors.referral_of_plan(plan=plan, referral_id=referral_id)
    if referral is None:
        raise Http404(_("No such referral on this plan."))
    html = render(
        request,
        "careplans/referral_letter.html",
        {
            "patient": patient,
            "plan": plan,
            "referral": referral,
            "goals": list(plan.goals.all()),
            "today": timezone.localdate(),
        },
    ).content.decode()
    try:
        from core.pdf import pdf_from_html
    except OSError:  # WeasyPrint is installed but the system's Pango is not
        messages.error(request, _("PDF letters need the Pango library on the server."))
        return redirect(plan)
    pdf = pdf_from_html(html)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        patient=patient,
        obj=referral,
        object_type="referral letter",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.pk}.pdf"'
    return response
