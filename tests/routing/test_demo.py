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
    assert {"referred", "no_action", "declined"} <= resolutions
    assert Review.objects.filter(owner__username="physio", discipline="psychologist").exists()  # reassigned
    assert Review.objects.filter(owner__username="psych").exists()
    count = Review.objects.count()
    call_command("seed_demo")
    assert Review.objects.count() == count
