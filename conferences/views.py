"""Case conferences, the team page and "my tasks". Thin: check access, call a selector or service, render.

A conference is reached only through ``CaseConference.objects.visible_to`` (its team's members
and clinic admins; anyone else gets 404, audited). A patient's discussion page also goes
through ``teams.access.patient_for_request``, the one patient check. Leads of the team (and
clinic admins) run the conference: start, reorder, add patients, close.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careplans import selectors as careplans_selectors
from careplans import services as careplans_services
from careplans.forms import BarrierReviewForm
from careplans.models import Barrier
from core.dates import day
from core.forms import refusal_shown
from teams import policy
from teams import selectors as team_selectors
from teams.access import AuthenticatedRequest, patient_for_request
from teams.models import AuditEvent, Patient, Team
from teams.redirects import local_path
from teams.services import audit_record, audit_record_many
from training.skillmix import team_skill_mix, training_viewed

from . import selectors, services
from .agenda import agenda_order, agenda_window, reason_groups, reasons_explained, with_patients
from .forms import (
    ActionForm,
    AgendaAddForm,
    AmendmentForm,
    CloseForm,
    ConferenceForm,
    ConferenceSeriesForm,
    NoteForm,
)
from .models import AgendaItem, CaseConference
from .plan_changes import plan_change_form

CONFERENCES_PER_PAGE = 20
TASKS_PER_PAGE = 25
# A long agenda comes a page at a time, most pressing first; only the patients shown are audited.
AGENDA_PER_PAGE = 50


def _conference(request: AuthenticatedRequest, conference_id: int) -> CaseConference:
    conference = selectors.conference_for(user=request.user, conference_id=conference_id)
    if conference is None:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.DENIED,
            object_type="caseconference",
            object_id=str(conference_id),
        )
        raise Http404(_("No conference matches the given query."))
    return conference


def _team(request: AuthenticatedRequest, team_id: int) -> Team:
    team = team_selectors.team_available(user=request.user, team_id=team_id)
    if team is None:
        raise Http404(_("No team matches the given query."))
    return team


def _require_runner(request: AuthenticatedRequest, conference: CaseConference) -> None:
    if not policy.may_run_conference(request.user, conference):
        raise PermissionDenied(_("Only a lead of the team runs its conferences."))


def _item(request: AuthenticatedRequest, conference: CaseConference, item_id: int) -> AgendaItem:
    item = selectors.agenda_item_of(conference=conference, item_id=item_id)
    if item is None:
        raise Http404(_("No agenda item matches the given query."))
    # The discussion shows the patient's record: the one patient check, as on every patient page.
    item.patient = patient_for_request(request, item.patient_id)
    item.conference = conference
    return item


@login_required
def conference_list(request: AuthenticatedRequest) -> HttpResponse:
    upcoming, past_all = selectors.conference_lists(user=request.user)
    past = Paginator(past_all, CONFERENCES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "conferences/conference_list.html",
        {"upcoming": upcoming, "page": past, "led_teams": list(policy.led_teams(request.user).distinct())},
    )


@login_required
def conference_new(request: AuthenticatedRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    if not policy.leads_team(request.user, team.pk):
        raise PermissionDenied(_("Only a lead of the team plans its conferences."))
    form = ConferenceForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            conference = services.conference_plan(team=team, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            refusal_shown(error, form)
        else:
            messages.success(
                request, _("The conference on %(day)s is planned.") % {"day": day(conference.starts_at)}
            )
            return redirect(conference)
    return render(request, "conferences/conference_form.html", {"form": form, "team": team})


@login_required
def conference_detail(request: AuthenticatedRequest, conference_id: int) -> HttpResponse:
    conference = _conference(request, conference_id)
    window = agenda_window(conference)
    entries = agenda_order(conference, window)
    page = Paginator(entries, AGENDA_PER_PAGE).get_page(request.GET.get("page"))
    with_patients(page.object_list)
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[entry.patient.pk for entry in page.object_list],
        obj=conference,
    )
    return render(
        request,
        "conferences/conference_detail.html",
        {
            "conference": conference,
            "entries": page.object_list,
            "page": page,
            "window": window,
            "undiscussed": sum(1 for e in entries if e.item is not None and e.item.discussed_at is None),
            "explained": reasons_explained(window.thresholds),
            "may_run": policy.may_run_conference(request.user, conference),
            "add_form": AgendaAddForm(team=conference.team),
            "attendees": selectors.attendees_of(conference=conference),
        },
    )


@require_POST
@login_required
def conference_start(request: AuthenticatedRequest, conference_id: int) -> HttpResponse:
    conference = _conference(request, conference_id)
    _require_runner(request, conference)
    services.conference_start(conference=conference, user=request.user)
    messages.success(request, _("The conference has started: its agenda is fixed, and you can add to it."))
    return redirect(conference)


# The confirmation names this many of the patients not discussed, and counts the rest.
CLOSE_NAMES_SHOWN = 10


@require_POST
@login_required
def conference_close(request: AuthenticatedRequest, conference_id: int) -> HttpResponse:
    """Close, unless patients are left undiscussed that the lead did not agree to: then the page asks
    (how many of how many, and who), and its "Close anyway" posts back the count it showed."""
    conference = _conference(request, conference_id)
    _require_runner(request, conference)
    form = CloseForm(request.POST)
    leave = form.cleaned_data["leave_undiscussed"] if form.is_valid() else 0
    try:
        services.conference_close(conference=conference, user=request.user, leave_undiscussed=leave or 0)
    except services.CloseNotConfirmed as unconfirmed:
        undiscussed = selectors.undiscussed_items(conference=conference, limit=CLOSE_NAMES_SHOWN)
        audit_record_many(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            patient_ids=[item.patient_id for item in undiscussed],
            obj=conference,
        )
        return render(
            request,
            "conferences/conference_close_confirm.html",
            {
                "conference": conference,
                "question": unconfirmed.messages[0],
                "undiscussed": undiscussed,
                "count": unconfirmed.undiscussed,
                "more": unconfirmed.undiscussed - len(undiscussed),
                "total": unconfirmed.total,
            },
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(conference)
    messages.success(
        request, _("The conference is closed: notes are locked, and attendees are sent the summary.")
    )
    return redirect("conference_summary", conference_id=conference.pk)


@require_POST
@login_required
def agenda_add(request: AuthenticatedRequest, conference_id: int) -> HttpResponse:
    conference = _conference(request, conference_id)
    _require_runner(request, conference)
    form = AgendaAddForm(request.POST, team=conference.team)
    if form.is_valid():
        patient: Patient = form.cleaned_data["mrn"]
        try:
            services.agenda_item_add(conference=conference, patient=patient, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is on the agenda.") % {"name": patient.full_name})
    else:
        messages.error(request, " ".join(str(message) for message in form.errors["mrn"]))
    return redirect(conference)


@require_POST
@login_required
def agenda_move(request: AuthenticatedRequest, conference_id: int, item_id: int) -> HttpResponse:
    conference = _conference(request, conference_id)
    _require_runner(request, conference)
    item = get_object_or_404(AgendaItem, conference=conference, pk=item_id)
    item.conference = conference
    try:
        services.agenda_item_move(item=item, up=request.POST.get("direction") == "up")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    page = request.POST.get("page", "")
    return redirect(conference.get_absolute_url() + (f"?page={page}" if page.isdigit() else ""))


@require_POST
@login_required
def agenda_discussed(request: AuthenticatedRequest, conference_id: int, item_id: int) -> HttpResponse:
    conference = _conference(request, conference_id)
    item = _item(request, conference, item_id)
    try:
        services.agenda_item_discussed(item=item, discussed=request.POST.get("discussed") != "no")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(conference)


def _item_page(
    request: AuthenticatedRequest,
    item: AgendaItem,
    *,
    note_form: NoteForm | None = None,
    action_form: ActionForm | None = None,
    plan_form=None,
    amend_form: AmendmentForm | None = None,
    barrier_form: BarrierReviewForm | None = None,
) -> HttpResponse:
    conference = item.conference
    note = getattr(item, "note", None)
    if conference.is_open:
        if note_form is None:
            initial = {name: getattr(note, name) for name in services.NOTE_FIELDS} if note else None
            note_form = NoteForm(initial=initial)
        action_form = action_form or ActionForm(team=conference.team)
        if plan_form is None:
            plan_form = plan_change_form(patient=item.patient)
    else:
        amend_form = amend_form or AmendmentForm()
    actions, amendments = selectors.item_discussion(item=item)
    barriers = _barrier_reviews(item, barrier_form)
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, patient=item.patient, obj=item)
    return render(
        request,
        "conferences/agenda_item.html",
        {
            "conference": conference,
            "item": item,
            "reason_groups": reason_groups(item.reasons),
            "patient": item.patient,
            "note": note,
            "amendments": amendments,
            "actions": actions,
            "note_form": note_form,
            "action_form": action_form,
            "plan_form": plan_form,
            "amend_form": amend_form,
            "barriers": barriers,
        },
    )


@login_required
def agenda_item(request: AuthenticatedRequest, conference_id: int, item_id: int) -> HttpResponse:
    conference = _conference(request, conference_id)
    item = _item(request, conference, item_id)
    if request.method != "POST":
        return _item_page(request, item)
    if not conference.is_open:
        messages.error(request, _("The conference is closed: its notes can only be amended."))
        return redirect(item)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_save(item=item, data=form.cleaned_data, user=request.user)
        except ValidationError as error:
            refusal_shown(error, form)
        else:
            messages.success(request, _("Note on %(name)s saved.") % {"name": item.patient.full_name})
            return redirect(item)
    return _item_page(request, item, note_form=form)


@require_POST
@login_required
def action_new(request: AuthenticatedRequest, conference_id: int, item_id: int) -> HttpResponse:
    conference = _conference(request, conference_id)
    item = _item(request, conference, item_id)
    form = ActionForm(request.POST, team=conference.team)
    plan_form = plan_change_form(patient=item.patient, data=request.POST)
    if form.is_valid() and plan_form.is_valid():
        try:
            action = services.action_add(
                item=item,
                user=request.user,
                plan_change=plan_form.cleaned_data,
                **form.cleaned_data,
            )
        except ValidationError as error:
            refusal_shown(error, form, plan_form)
        else:
            done = f" {action.plan_change}." if action.plan_change else ""
            messages.success(request, _("Action for %(owner)s added.") % {"owner": action.owner} + done)
            return redirect(item)
    return _item_page(request, item, action_form=form, plan_form=plan_form)


@require_POST
@login_required
def note_amend(request: AuthenticatedRequest, conference_id: int, item_id: int) -> HttpResponse:
    conference = _conference(request, conference_id)
    item = _item(request, conference, item_id)
    form = AmendmentForm(request.POST)
    if form.is_valid():
        try:
            services.note_amend(item=item, text=form.cleaned_data["text"], user=request.user)
        except ValidationError as error:
            refusal_shown(error, form)
        else:
            messages.success(request, _("Amendment added."))
            return redirect(item)
    return _item_page(request, item, amend_form=form)


@login_required
def conference_summary(request: AuthenticatedRequest, conference_id: int) -> HttpResponse:
    conference = _conference(request, conference_id)
    lines = selectors.summary_items(conference=conference)
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[line.item.patient_id for line in lines],
        obj=conference,
    )
    return render(
        request,
        "conferences/conference_summary.html",
        {
            "conference": conference,
            "lines": lines,
            "attendees": selectors.attendees_of(conference=conference),
        },
    )


@login_required
def my_tasks(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.my_tasks(user=request.user), TASKS_PER_PAGE).get_page(request.GET.get("page"))
    # --- directory and referrals: the referrals I follow up whose follow-up (or review) has come ---
    referrals = careplans_selectors.my_referrals_due(user=request.user, day=timezone.localdate())
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[action.patient_id for action in page] + [r.plan.patient_id for r in referrals],
        object_type="my tasks",
    )
    return render(
        request,
        "conferences/my_tasks.html",
        {"page": page, "referrals": referrals, "today": timezone.localdate()},
    )


@require_POST
@login_required
def action_done(request: AuthenticatedRequest, action_id: int) -> HttpResponse:
    action = selectors.action_for(user=request.user, action_id=action_id)
    if action is None:
        raise Http404(_("No action matches the given query."))
    try:
        services.action_complete(action=action, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Done: %(action)s") % {"action": action.description})
    return redirect(local_path(request, request.POST.get("next", "")) or reverse("my_tasks"))


@login_required
def team_detail(request: AuthenticatedRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    page = selectors.team_page(team=team, user=request.user)
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[action.patient_id for action in page.open_actions],
        object_type="team page",
    )
    # Skill mix (issue 22): every member's training is shown, so each is audited as a view of it.
    skill_mix = team_skill_mix(members=page.members, on=timezone.localdate())
    training_viewed(user=request.user, clinician_ids=[member.pk for member in page.members])
    return render(request, "conferences/team_detail.html", {"t": page, "skill_mix": skill_mix})


@login_required
def team_settings(request: AuthenticatedRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    if not policy.leads_team(request.user, team.pk):
        raise PermissionDenied(_("Only a lead of the team changes its conference settings."))
    series = getattr(team, "conference_series", None)
    form = ConferenceSeriesForm(request.POST or None, instance=series, team=team)
    if request.method == "POST" and form.is_valid():
        upcoming = services.conference_series_save(series=form.save(commit=False), user=request.user)
        messages.success(
            request, _("Saved. Next conference: %(next)s.") % {"next": upcoming or _("none planned")}
        )
        return redirect("team_detail", team_id=team.pk)
    return render(request, "conferences/team_settings.html", {"form": form, "team": team})


# --- activation ---


def _barrier_reviews(
    item: AgendaItem, posted: BarrierReviewForm | None
) -> list[tuple[Barrier, BarrierReviewForm | None]]:
    """The patient's barrier log (their current plan's, pending first), each pending barrier with its
    review form while the conference is open (the one just posted, with its errors, kept)."""
    plan = careplans_selectors.plan_current(patient=item.patient)
    if plan is None:
        return []
    rows: list[tuple[Barrier, BarrierReviewForm | None]] = []
    for barrier in careplans_selectors.barrier_log(plan=plan):
        form = None
        if item.conference.is_open and barrier.outcome == barrier.Outcome.PENDING:
            form = posted if posted is not None and posted.barrier.pk == barrier.pk else None
            form = form or BarrierReviewForm(barrier=barrier)
        rows.append((barrier, form))
    return rows


@require_POST
@login_required
def barrier_review(request: AuthenticatedRequest, conference_id: int, item_id: int) -> HttpResponse:
    """Record at the conference whether the plan agreed for a barrier (posted as ``barrier``) worked: an
    edit of the plan's barrier from the version shown, so a change made meanwhile is merged or shown,
    never undone."""
    conference = _conference(request, conference_id)
    item = _item(request, conference, item_id)
    barrier_id = request.POST.get("barrier", "")
    barrier = (
        careplans_selectors.barrier_of_patient(patient=item.patient, barrier_id=int(barrier_id))
        if barrier_id.isdigit()
        else None
    )
    if barrier is None:
        raise Http404(_("No barrier of this patient matches the given query."))
    if not conference.is_open:
        messages.error(request, _("The conference is closed: review the barrier from the care plan."))
        return redirect(item)
    form = BarrierReviewForm(request.POST, barrier=barrier)
    if form.is_valid():
        data = {
            "outcome": form.cleaned_data["outcome"],
            "review_note": form.cleaned_data["review_note"],
            "reviewed_on": timezone.localdate(conference.starts_at),
        }
        try:
            saved = careplans_services.part_update(
                instance=barrier,
                data=data,
                expected_version=form.cleaned_data["version"],
                user=request.user,
                reason=f"Reviewed at the case conference of {day(conference.starts_at)}",
            )
        except careplans_services.EditConflict as conflict:
            messages.warning(
                request,
                _(
                    "%(user)s changed this barrier's review while you were looking "
                    "at it: theirs is shown below, and nothing of yours was saved."
                )
                % {"user": conflict.changed_by or _("Someone")},
            )
            return redirect(item)
        except ValidationError as error:
            refusal_shown(error, form)
        else:
            messages.success(
                request,
                _("Barrier “%(barrier)s” reviewed: %(outcome)s.")
                % {"barrier": saved.barrier, "outcome": saved.get_outcome_display()},
            )
            return redirect(item)
    return _item_page(request, item, barrier_form=form)
