"""The demo shows reviews in every state, opened by the rules from the demo's own screenings."""

import pytest
from django.core.management import call_command

from routing.models import Review

pytestmark = pytest.mark.slow


def test_the_demo_has_reviews_in_every_state(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    states = set(Review.objects.values_list("state", flat=True))
    assert states == {"open", "in_progress", "resolved"}
    resolutions = set(Review.objects.exclude(resolution="").values_list("resolution", flat=True))
    assert {"referred", "no_action", "declined", "plan_updated"} <= resolutions
    # The one resolved with plan changes: its work is in the plan with the review as the reason, and the
    # plan names who delivers the psychological support.
    planned = Review.objects.get(resolution="plan_updated")
    (added,) = planned.responsibilities.all()
    # Its first version; the demo's care preferences may have moved it to a preferred modality since.
    added_first = added.history.order_by("history_date").first()
    assert added_first.history_change_reason.startswith("Psychosocial review: ")
    assert added.plan.support_by == planned.owner and added.plan.support_modality == "telehealth"
    assert Review.objects.filter(owner__username="physio", discipline="psychologist").exists()  # reassigned
    assert Review.objects.filter(owner__username="psych").exists()
    count = Review.objects.count()
    call_command("seed_demo")
    assert Review.objects.count() == count
