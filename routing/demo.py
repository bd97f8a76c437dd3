"""The demo's psychosocial reviews: the demo's screenings went through the services, so the routing
rules opened reviews as a clinic's would; this step works some of them, so the queue, a review's page
and the overview show every state (open and overdue, in progress, reassigned, resolved three ways).
Idempotent: once any review has moved on, it changes nothing."""

from __future__ import annotations

from datetime import timedelta

from careplans.models import Responsibility, SupportModality
from teams.demo import DemoCalendar
from teams.models import User

from . import resolution, services
from .models import Review

RESOLVED = (
    (Review.Resolution.REFERRED, "Referred to the community mental-health team; the GP informed."),
    (Review.Resolution.NO_ACTION, "Seen together: coping well with the plan as it is; re-screen as planned."),
    (
        Review.Resolution.DECLINED,
        "Offered CBT-informed pain coping; the patient prefers to wait until after work.",
    ),
)


def demo_reviews_seed(calendar: DemoCalendar) -> int:
    """Start two reviews, reassign one, resolve three and one more with plan changes; leave the rest open
    (some overdue)."""
    reviews = Review.objects.select_related("patient", "owner").order_by("patient__mrn", "id")
    if reviews.exclude(state=Review.State.OPEN).exists() or not reviews.exists():
        return Review.objects.count()
    chosen = list(reviews.filter(patient__team__name="North MSK", discipline="psychologist")[:9])
    for review, (outcome, note) in zip(chosen[:3], RESOLVED, strict=False):
        services.review_resolve(
            review=review,
            user=review.owner,
            expected_version=review.version,
            resolution=outcome,
            note=note,
        )
    for review in chosen[3:5]:
        services.review_start(review=review, user=review.owner, expected_version=review.version)
    physio = User.objects.filter(username="physio").first()
    if len(chosen) > 5 and physio is not None:
        review = chosen[5]
        services.review_reassign(
            review=review,
            owner=physio,
            user=review.owner,
            expected_version=review.version,
            # Kept only if the physiotherapist lacks what the rule's interventions need (training.gate).
            reason="Covering while the psychologist is on leave; discussed in supervision.",
        )
    _resolve_one_with_plan(chosen[6:], calendar)
    return Review.objects.count()


def _resolve_one_with_plan(reviews: list[Review], calendar: DemoCalendar) -> None:
    """The first of ``reviews`` whose patient has a plan and whose rule proposes work is resolved into it:
    the rule's first intervention, owned by the reviewer, the re-screen, and the plan's support."""
    for review in reviews:
        plan = resolution.plan_to_update(patient_id=review.patient_id)
        if plan is None or not review.rule.interventions:
            continue
        days = review.rule.rescreen_days
        resolution.review_resolve_with_plan(
            review=review,
            user=review.owner,
            expected_version=review.version,
            responsibilities=[
                Responsibility(
                    plan=plan,
                    intervention=review.rule.interventions[0],
                    owner=review.owner,
                    discipline=review.discipline,
                    frequency="weekly for 6 weeks",
                    starts_on=calendar.today,
                    # Kept only if the reviewer lacks what the intervention needs (training.gate).
                    competence_override_reason="Agreed at the review; supervised by the team's lead.",
                )
            ],
            milestones=[],
            rescreen_on=calendar.today + timedelta(days=days) if days else None,
            support=resolution.SupportChange(
                support_by=review.owner,
                support_modality=SupportModality.TELEHEALTH,
                support_frequency="weekly for 6 weeks, then fortnightly",
                expected_version=plan.version,
            ),
            note="Agreed with the patient at the review.",
        )
        return
