"""Pages of psychosocial reviews: the queue of owned reviews and one review's page with its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import refusal_shown
from teams import policy
from teams.access import AuthenticatedRequest, patient_scoped
from teams.models import AuditEvent, Patient
from teams.services import audit_record_many
from training.gate import kept_without

from . import selectors, services
from .forms import ReviewFilterForm, ReviewReassignForm, ReviewResolveForm, ReviewVersionForm
from .models import Review

REVIEWS_PER_PAGE = 25


@login_required
def review_queue(request: AuthenticatedRequest) -> HttpResponse:
    """Owned reviews, filtered by whose, team, discipline, instrument, state and overdue."""
    form = ReviewFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    today = timezone.localdate()
    reviews = selectors.reviews_filtered(user=request.user, filters=filters, today=today)
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    audit_record_many(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        patient_ids=[review.patient_id for review in page],
        object_type="review queue",
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "routing/review_queue.html",
        {"page": page, "filters": form, "chosen": filters, "query": query.urlencode(), "today": today},
    )


def _plan_url(review: Review) -> str:
    """Where a review is resolved with plan changes (the page of ``routing.plan_views``)."""
    return reverse("review_plan", kwargs={"patient_id": review.patient_id, "review_id": review.pk})


def _act(request: AuthenticatedRequest, review: Review, forms: dict[str, Form]) -> str | None:
    """Run the posted action. Returns the success message, or None with the errors on ``forms``."""
    action = request.POST.get("action", "")
    if action == "start":
        form: Form = ReviewVersionForm(request.POST)
        forms["start"] = form
        if form.is_valid():
            services.review_start(
                review=review, user=request.user, expected_version=form.cleaned_data["version"]
            )
            return _("Review started: it shows as in progress.")
    elif action == "reassign":
        form = ReviewReassignForm(request.POST, patient=review.patient)
        forms["reassign"] = form
        if form.is_valid():
            owner = form.cleaned_data["owner"]
            services.review_reassign(
                review=review,
                owner=owner,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["competence_override_reason"],
            )
            return _("Review given to %(owner)s.") % {"owner": owner}
    elif action == "resolve":
        form = ReviewResolveForm(request.POST)
        forms["resolve"] = form
        if form.is_valid():
            resolved = services.review_resolve(
                review=review,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
            )
            return _("Review resolved: %(resolution)s.") % {
                "resolution": resolved.get_resolution_display().lower()
            }
    else:
        raise Http404(_("No such action."))
    return None


def _mark_invalid(form: Form) -> None:
    """A field refused is marked for assistive technology and styled, its message tied to it."""
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-describedby"] = f"{name}-errors"


@patient_scoped
def review_detail(request: AuthenticatedRequest, patient: Patient, review_id: int) -> HttpResponse:
    """The finding, its rule's rationale and source, owner, due day, state and story, and the actions."""
    review = selectors.review_for_patient(patient=patient, review_id=review_id)
    if review is None:
        raise Http404(_("No such review."))
    review.patient = patient
    forms: dict[str, Form] = {}
    if request.method == "POST":
        try:
            done = _act(request, review, forms)
        except services.ReviewChanged as stale:
            messages.error(request, stale.messages[0])
            return redirect(review.get_absolute_url())
        except PermissionDenied:
            raise
        except ValidationError as refused:
            refusal_shown(refused, next(iter(forms.values())))
            done = None
        if done is not None:
            messages.success(request, done)
            return redirect(review.get_absolute_url())
        for form in forms.values():
            _mark_invalid(form)
    initial = {"version": review.version}
    return render(
        request,
        "routing/review_detail.html",
        {
            "patient": patient,
            "review": review,
            "rule": selectors.review_rule_as_fired(review=review),
            "story": selectors.review_story(review=review),
            "may_act": review.is_open and policy.may_work_review(request.user, review),
            "start_form": forms.get("start") or ReviewVersionForm(initial=initial),
            "reassign_form": forms.get("reassign") or ReviewReassignForm(initial=initial, patient=patient),
            "resolve_form": forms.get("resolve") or ReviewResolveForm(initial=initial),
            "plan_url": _plan_url(review),
            "improvement": selectors.review_improvement(review=review) if review.improved_by_id else [],
            # --- competence gate ---
            "kept_without": kept_without(services.review_needs(review), review.competence_override_reason)
            if review.competence_override_reason
            else "",
        },
    )


def review_section_context(request: Any, patient: Patient) -> dict[str, Any]:
    """The overview's section of reviews (two queries)."""
    return {"section": selectors.review_section(patient=patient)}
