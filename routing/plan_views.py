"""Resolving a review into plan work (``review_plan``): the rule's proposals pre-filled, each with a tick,
written to the patient's current plan through ``routing.resolution``."""

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from careplans import preferences as steering
from careplans.catalogue import CATALOGUE, competencies_for
from careplans.models import CarePlan, CarePreferences, Milestone, Responsibility
from careplans.selectors import preferences_of
from careplans.services import FREQUENCY_TO_AGREE
from core import dates
from core.forms import refusal_shown
from teams import policy
from teams.access import AuthenticatedRequest, patient_scoped
from teams.models import Discipline, Patient, User
from training.competence import competence_gaps
from training.gate import automatic_reason

from . import resolution, selectors
from .models import Review
from .plan_forms import (
    MilestoneProposalForm,
    RescreenProposalForm,
    ResolveForm,
    ResponsibilityFormSet,
    SupportProposalForm,
    rescreen_default,
)
from .services import ReviewChanged, owner_for, owner_with_gaps


def _proposed_owner(review: Review, patient: Patient, discipline: str, code: str) -> tuple[User, str]:
    """The reviewer takes work of their own discipline when they hold what it needs; otherwise it goes
    to the team's member of that discipline with the fewest open reviews among those who do
    (``owner_for``). With nobody competent, today's choice stays (the reviewer, else ``owner_for``'s) and
    the reason is proposed with it: "No member of North MSK holds …" (``training.gate``)."""
    needs = competencies_for([code])
    today = timezone.localdate()
    if review.owner.discipline == discipline and not competence_gaps(review.owner, needs, on=today):
        return review.owner, ""
    owner, gaps = owner_with_gaps(patient=patient, discipline=discipline, needs=needs)
    if gaps and review.owner.discipline == discipline:
        owner, gaps = review.owner, competence_gaps(review.owner, needs, on=today)
    reason = automatic_reason(patient.team, gaps, by=_("proposed by discipline")) if gaps else ""
    return owner, reason


def _responsibility_initial(
    review: Review, patient: Patient, plan: CarePlan, preferences: CarePreferences | None
) -> list[dict[str, Any]]:
    """The rule's interventions, each in the patient's preferred modality where it is offered that way
    (else the usual one, with what it goes against)."""
    starts_on = max(timezone.localdate(), plan.start_date)
    proposals = []
    for code in review.rule.interventions:
        intervention = CATALOGUE.get(code)
        discipline = intervention.discipline if intervention else review.rule.discipline
        proposal = steering.modality_for(code, preferences)
        owner, reason = _proposed_owner(review, patient, discipline, code)
        proposals.append(
            {
                "intervention": code,
                "owner": owner,
                "competence_override_reason": reason,
                "discipline": discipline,
                "frequency": FREQUENCY_TO_AGREE,
                "starts_on": starts_on,
                "modality": proposal.modality,
                "preference_conflict": proposal.conflict,
            }
        )
    # One more, blank, for work the rule did not think of (the reviewer's own discipline by default).
    proposals.append(
        {
            "intervention": "",
            "owner": review.owner,
            "discipline": review.owner.discipline,
            "frequency": FREQUENCY_TO_AGREE,
            "starts_on": starts_on,
        }
    )
    return proposals


def _support_initial(
    review: Review, patient: Patient, plan: CarePlan, preferences: CarePreferences | None
) -> dict[str, Any]:
    """Who delivers the psychological support: the reviewer when a psychologist; else whoever the plan
    names, or, when the rule asks for a psychologist's support, the team's psychologist (``owner_for``).
    Its modality follows the patient's preferences, saying so when the plan's own goes against them."""
    psychologist = Discipline.PSYCHOLOGIST
    support_by = review.owner if review.owner.discipline == psychologist else plan.support_by
    if support_by is None and review.rule.support_discipline == psychologist:
        # The psychologist who holds what the rule's interventions need, when one does.
        support_by = owner_for(
            patient=patient, discipline=psychologist, needs=competencies_for(review.rule.interventions)
        )
    modality = steering.support_modality_for(plan.support_modality, preferences)
    return {
        "support_by": support_by,
        "support_modality": modality.modality,
        "preference_conflict": modality.conflict,
        "support_frequency": plan.support_frequency,
        "plan_version": plan.version,
    }


def _has_errors(form: forms.Form | forms.BaseFormSet) -> bool:
    if isinstance(form, forms.BaseFormSet):
        return bool(form.non_form_errors()) or any(member.errors for member in form)
    return bool(form.errors)


@patient_scoped
def review_plan(request: AuthenticatedRequest, patient: Patient, review_id: int) -> HttpResponse:
    review = selectors.review_of_patient(patient=patient, review_id=review_id)
    if review is None:
        raise Http404(_("No such review."))
    plan = resolution.plan_to_update(patient_id=patient.pk)
    may_act = policy.may_work_review(request.user, review)
    context: dict[str, Any] = {"patient": patient, "review": review, "plan": plan, "may_act": may_act}
    if review.state == Review.State.RESOLVED or plan is None or not may_act:
        return render(request, "routing/review_plan.html", context)

    today = timezone.localdate()
    instrument = review.screening.instrument
    members = User.objects.filter(memberships__team_id=patient.team_id, is_active=True).order_by(
        "last_name", "first_name"
    )
    goals = plan.goals.order_by("position", "id")
    goal_list = list(goals)
    rescreen_on = rescreen_default(today=today, days=review.rule.rescreen_days)
    due = max(rescreen_on or plan.review_date, plan.start_date)
    data = request.POST if request.method == "POST" else None
    preferences = preferences_of(patient=patient)

    responsibility_forms = ResponsibilityFormSet(
        data,
        prefix="responsibility",
        initial=_responsibility_initial(review, patient, plan, preferences),
        form_kwargs={"members": members, "goals": goals},
    )
    for form in responsibility_forms if data is not None else []:
        # A modality changed from the proposal is judged as chosen, when the page comes back.
        chosen = form.data.get(form.add_prefix("modality"), "")
        if chosen != form.initial.get("modality", ""):
            form.preference_conflict = steering.modality_conflict(chosen, preferences)
    milestone_form = (
        MilestoneProposalForm(
            data,
            prefix="milestone",
            goals=goals,
            initial={
                "goal": goal_list[0] if len(goal_list) == 1 else None,
                "description": f"{instrument} re-screen shows reliable improvement",
                "target": f"{instrument}: a reliable improvement on {review.screening.total}",
                "due_date": due,
            },
        )
        if goal_list
        else None
    )
    rescreen_form = RescreenProposalForm(
        data, prefix="rescreen", instrument=instrument, initial={"rescreen_on": rescreen_on}
    )
    support_form = SupportProposalForm(
        data, prefix="support", members=members, initial=_support_initial(review, patient, plan, preferences)
    )
    resolve_form = ResolveForm(data, initial={"version": review.version})
    stale = ""
    general: list[str] = []

    every = [responsibility_forms, rescreen_form, support_form, resolve_form]
    if milestone_form is not None:
        every.append(milestone_form)
    if request.method == "POST" and all(form.is_valid() for form in every):
        accepted = [form for form in responsibility_forms if form.accepted]
        responsibilities = [
            Responsibility(
                intervention=form.cleaned_data["intervention"],
                owner=form.cleaned_data["owner"],
                discipline=form.cleaned_data["discipline"],
                frequency=form.cleaned_data["frequency"],
                starts_on=form.cleaned_data["starts_on"],
                goal=form.cleaned_data["goal"],
                modality=form.cleaned_data["modality"],
                competence_override_reason=form.cleaned_data["competence_override_reason"],
            )
            for form in accepted
        ]
        milestones = []
        if milestone_form is not None and milestone_form.accepted:
            fields = ("goal", "description", "target", "due_date")
            milestones.append(Milestone(**{name: milestone_form.cleaned_data[name] for name in fields}))
        support = (
            resolution.SupportChange(
                support_by=support_form.cleaned_data["support_by"],
                support_modality=support_form.cleaned_data["support_modality"],
                support_frequency=support_form.cleaned_data["support_frequency"],
                expected_version=support_form.cleaned_data["plan_version"] or 0,
            )
            if support_form.accepted
            else None
        )
        chosen_rescreen = rescreen_form.cleaned_data["rescreen_on"] if rescreen_form.accepted else None
        try:
            resolved = resolution.review_resolve_with_plan(
                review=review,
                user=request.user,
                expected_version=resolve_form.cleaned_data["version"],
                responsibilities=responsibilities,
                milestones=milestones,
                rescreen_on=chosen_rescreen,
                support=support,
                note=resolve_form.cleaned_data["note"],
            )
        except ReviewChanged as changed:
            stale = changed.messages[0]
            # Saving again goes ahead from what is stored now, once the clinician has read what changed.
            resolve_form.data = resolve_form.data.copy()
            resolve_form.data["version"] = str(changed.current.version)
        except resolution.PlanWorkRefused as refused:
            for position, errors in refused.responsibilities.items():
                refusal_shown(errors, accepted[position])
            for errors in refused.milestones.values():
                if milestone_form is not None:
                    refusal_shown(errors, milestone_form)
            refusal_shown(refused.support, support_form)
            if refused.rescreen_on:
                rescreen_form.add_error("rescreen_on", refused.rescreen_on)
            general = refused.general
        except ValidationError as error:
            general = list(error.messages)
        else:
            messages.success(request, _resolved_message(resolved, instrument, chosen_rescreen))
            return redirect(plan)

    context |= {
        "refused": request.method == "POST" and any(_has_errors(form) for form in every),
        "responsibility_forms": responsibility_forms,
        "milestone_form": milestone_form,
        "rescreen_form": rescreen_form,
        "support_form": support_form,
        "resolve_form": resolve_form,
        "stale": stale,
        "general": general,
        "instrument": instrument,
    }
    return render(request, "routing/review_plan.html", context)


def _resolved_message(review: Review, instrument: str, rescreen_on: date | None) -> str:
    """What was done, and a re-screen already due sooner than the day chosen (it stays: never later)."""
    text = _("Review resolved: the plan is updated.")
    if rescreen_on is None:
        return text
    due = selectors.rescreen_due_of(patient_id=review.patient_id, instrument=instrument)
    if due is not None and due.due_on < rescreen_on:
        text += " " + _("A %(instrument)s re-screen was already due sooner, on %(day)s: it stays.") % {
            "instrument": instrument,
            "day": dates.day(due.due_on),
        }
    elif due is not None:
        text += " " + _("%(instrument)s re-screen due %(day)s.") % {
            "instrument": instrument,
            "day": dates.day(due.due_on),
        }
    return text
