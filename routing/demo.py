"""The demo's psychosocial reviews: the demo's screenings went through the services, so the routing
rules opened reviews as a clinic's would; this step works some of them, so the queue, a review's page
and the overview show every state (open and overdue, in progress, reassigned, resolved three ways).
Idempotent: once any review has moved on, it changes nothing."""

from __future__ import annotations

from teams.demo import DemoCalendar
from teams.models import User

from . import services
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
    """Start two reviews, reassign one, resolve three; leave the rest open (some overdue)."""
    reviews = Review.objects.select_related("patient", "owner").order_by("patient__mrn", "id")
    if reviews.exclude(state=Review.State.OPEN).exists() or not reviews.exists():
        return Review.objects.count()
    chosen = list(reviews.filter(patient__team__name="North MSK", discipline="psychologist")[:6])
    for review, (resolution, note) in zip(chosen[:3], RESOLVED, strict=False):
        services.review_resolve(
            review=review,
            user=review.owner,
            expected_version=review.version,
            resolution=resolution,
            note=note,
        )
    for review in chosen[3:5]:
        services.review_start(review=review, user=review.owner, expected_version=review.version)
    physio = User.objects.filter(username="physio").first()
    if len(chosen) > 5 and physio is not None:
        review = chosen[5]
        services.review_reassign(
            review=review, owner=physio, user=review.owner, expected_version=review.version
        )
    return Review.objects.count()
