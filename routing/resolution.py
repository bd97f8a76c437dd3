"""One step from a review to the plan: resolving a review as *plan updated* writes the plan work it
accepted through the plan's own services (validation, audit, version check, history with the review as
the reason), schedules the re-screen, and resolves the review, all in one transaction.

The other resolutions (referred, declined, no action needed) are ``routing.services.review_resolve``.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, When
from django.utils import timezone

from careplans.models import CarePlan, Milestone, Responsibility
from careplans.services import EditConflict, part_create, part_update, responsibility_gate
from teams.models import User

from . import rescreens
from .models import Review
from .services import review_lock, review_resolved

# The plan work a review may be resolved into goes to a plan still being worked on.
OPEN_PLAN_STATES = (CarePlan.Status.ACTIVE, CarePlan.Status.DRAFT)
SUPPORT_FIELDS = ("support_by", "support_modality", "support_frequency")

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class SupportChange:
    """The plan's psychological support as the review agreed it, and the plan's version it was read at."""

    support_by: User | None
    support_modality: str
    support_frequency: str
    expected_version: int


class PlanWorkRefused(Exception):
    """Something of the plan work was refused; nothing was saved. Errors per item and field: each
    responsibility and milestone by its position in what was passed, the support, the re-screen day,
    and what concerns the whole."""

    def __init__(
        self,
        *,
        responsibilities: dict[int, Errors] | None = None,
        milestones: dict[int, Errors] | None = None,
        support: Errors | None = None,
        rescreen_on: list[str] | None = None,
        general: list[str] | None = None,
    ) -> None:
        self.responsibilities = responsibilities or {}
        self.milestones = milestones or {}
        self.support = support or {}
        self.rescreen_on = rescreen_on or []
        self.general = general or []
        super().__init__()

    def __str__(self) -> str:
        return "; ".join(self.messages())

    def messages(self) -> list[str]:
        found = [*self.general, *self.rescreen_on]
        for errors in [*self.responsibilities.values(), *self.milestones.values(), self.support]:
            found.extend(message for messages in errors.values() for message in messages)
        return found

    def __bool__(self) -> bool:
        return bool(self.messages())


def plan_to_update(*, patient_id: int, lock: bool = False) -> CarePlan | None:
    """The plan a review's work goes to: the patient's active plan, else their newest draft."""
    plans = CarePlan.objects.filter(patient_id=patient_id, status__in=OPEN_PLAN_STATES)
    if lock:
        plans = plans.select_for_update()
    return (
        plans.annotate(active_first=Case(When(status=CarePlan.Status.ACTIVE, then=0), default=1))
        .order_by("active_first", "-created_at", "-id")
        .first()
    )


def review_reason(review: Review) -> str:
    """What the plan's history says of a change the review made."""
    return f"Psychosocial review: {review.reason}"


def _errors_of(error: ValidationError) -> Errors:
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def _refusals(
    *,
    plan: CarePlan,
    responsibilities: list[Responsibility],
    milestones: list[Milestone],
    rescreen_on: date | None,
    support: SupportChange | None,
) -> PlanWorkRefused:
    """Everything the work would be refused for, found before anything is written, so the page can
    answer every item at once."""
    refused = PlanWorkRefused()
    for position, responsibility in enumerate(responsibilities):
        responsibility.plan = plan
        try:
            responsibility.full_clean(exclude=["version"])
            responsibility_gate(responsibility)  # the owner's competence, as part_create will ask
        except ValidationError as error:
            refused.responsibilities[position] = _errors_of(error)
    for position, milestone in enumerate(milestones):
        if milestone.goal_id is not None and milestone.goal.plan_id != plan.pk:
            refused.milestones[position] = {"goal": ["Choose a goal of this plan."]}
            continue
        try:
            milestone.full_clean(exclude=["version"])
        except ValidationError as error:
            refused.milestones[position] = _errors_of(error)
    if support is not None:
        proposed = copy(plan)
        for name in SUPPORT_FIELDS:
            setattr(proposed, name, getattr(support, name))
        try:
            proposed.full_clean(exclude=["version"])
        except ValidationError as error:
            refused.support = {
                field: messages
                for field, messages in _errors_of(error).items()
                if field in SUPPORT_FIELDS or field == "__all__"
            }
    if rescreen_on is not None and rescreen_on < timezone.localdate():
        refused.rescreen_on = ["The re-screen cannot be in the past."]
    return refused


@transaction.atomic
def review_resolve_with_plan(
    *,
    review: Review,
    user: User,
    expected_version: int,
    responsibilities: list[Responsibility],
    milestones: list[Milestone],
    rescreen_on: date | None,
    support: SupportChange | None,
    note: str = "",
) -> Review:
    """Resolve ``review`` as *plan updated*: add the accepted responsibilities and milestones to the
    patient's current plan (active, else draft), set the plan's psychological support if given, and
    schedule (or bring forward) the re-screen. Each part is written by ``careplans``' services with the
    review as its reason, and linked to the review. A stale review raises ``services.ReviewChanged``, a
    resolved one ``ValidationError``; anything refused raises ``PlanWorkRefused`` with its errors, and
    nothing is saved."""
    current = review_lock(review=review, user=user, expected_version=expected_version)
    plan = plan_to_update(patient_id=current.patient_id, lock=True)
    if plan is None:
        raise PlanWorkRefused(
            general=["The patient has no active or draft care plan to add this to: create the plan first."]
        )
    if not (responsibilities or milestones or support is not None):
        raise PlanWorkRefused(
            general=[
                "Accept at least one change to the plan (a responsibility, a milestone or the "
                "psychological support), or resolve the review another way."
            ]
        )
    refused = _refusals(
        plan=plan,
        responsibilities=responsibilities,
        milestones=milestones,
        rescreen_on=rescreen_on,
        support=support,
    )
    if refused:
        raise refused

    reason = review_reason(current)
    added_responsibilities = [
        part_create(instance=responsibility, user=user, reason=reason) for responsibility in responsibilities
    ]
    added_milestones = [part_create(instance=milestone, user=user, reason=reason) for milestone in milestones]
    if support is not None:
        try:
            part_update(
                instance=plan,
                data={name: getattr(support, name) for name in SUPPORT_FIELDS},
                expected_version=support.expected_version,
                user=user,
                reason=reason,
            )
        except EditConflict as conflict:
            who = conflict.changed_by or "Someone"
            raise PlanWorkRefused(
                support={
                    clash.field: [
                        f"{who} changed this meanwhile to “{clash.theirs}”: check it and choose again."
                    ]
                    for clash in conflict.clashes
                }
                or {"__all__": [f"{who} changed the plan meanwhile: check it and try again."]}
            ) from None
    if rescreen_on is not None:
        rescreens.rescreen_schedule(review=current, due_on=rescreen_on, user=user)
    review_resolved(current, user=user, resolution=Review.Resolution.PLAN_UPDATED, note=note.strip())
    current.responsibilities.add(*added_responsibilities)
    current.milestones.add(*added_milestones)
    return current
