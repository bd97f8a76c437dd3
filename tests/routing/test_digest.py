"""The daily digest lists the clinician's own reviews, overdue first, without naming the patient."""

from datetime import timedelta

from django.utils import timezone

from checkins.services import digest_for
from routing import services
from routing.models import Review
from tests.factories import PatientFactory
from tests.screening.factories import record

from .helpers import answers_for, psychologist


def test_the_digest_lists_my_open_reviews_overdue_first(patient, clinician, north, time_machine):
    psych = psychologist(north, first_name="Ada")
    record(patient, clinician, code="PCS", answers=answers_for("PCS", 34))  # due in 14 days
    time_machine.move_to(timezone.now() + timedelta(days=10))
    other = PatientFactory(team=north, primary_clinician=clinician)
    record(other, clinician, code="PHQ-9", answers=answers_for("PHQ-9", 22))  # due in 3 days
    done = PatientFactory(team=north, primary_clinician=clinician)
    record(done, clinician, code="GAD-7", answers=answers_for("GAD-7", 16))
    resolved = Review.objects.get(patient=done)
    services.review_resolve(
        review=resolved, user=psych, expected_version=resolved.version, resolution="no_action", note="Seen"
    )
    time_machine.move_to(timezone.now() + timedelta(days=4))  # day 14: the PHQ-9's was due yesterday

    body = digest_for(user=psych)
    lines = [line for line in body.splitlines() if line.startswith("  - ")]
    assert "Your psychosocial reviews to do: 2" in body
    assert lines[0].startswith("  - OVERDUE, was due") and "PHQ-9 22" in lines[0]
    assert lines[1].startswith("  - due") and "PCS 34" in lines[1]
    assert "GAD-7" not in body
    assert Review.objects.get(patient=other).get_absolute_url() in lines[0]
    for who in (patient, other):
        assert who.family_name not in body and who.mrn not in body


def test_a_colleagues_reviews_are_not_in_my_digest(patient, clinician, north):
    psychologist(north)
    record(patient, clinician, code="PCS", answers=answers_for("PCS", 34))
    assert "PCS 34" not in digest_for(user=clinician)
