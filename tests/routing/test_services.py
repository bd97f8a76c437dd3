"""Reviews: who owns one, how a newer result is covered, and the states with their required notes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from routing import services
from routing.models import Review
from teams.models import AuditEvent, Discipline
from tests.factories import MembershipFactory, UserFactory
from tests.screening.factories import record

from .helpers import answers_for, psychologist

LONDON = ZoneInfo("Europe/London")


def pcs(patient, user, total, **kwargs):
    return record(patient, user, code="PCS", answers=answers_for("PCS", total), **kwargs)


@pytest.fixture
def psych(north):
    return psychologist(north, first_name="Ada", last_name="Byrne")


def test_high_pcs_opens_a_review_for_the_team_psychologist(patient, clinician, psych):
    # 00:30 in London on 1 July is still 30 June in UTC.
    with time_machine.travel(datetime(2026, 7, 1, 0, 30, tzinfo=LONDON), tick=False):
        screening = pcs(patient, clinician, 34)
    review = Review.objects.get(patient=patient)
    assert review.owner == psych
    assert review.discipline == Discipline.PSYCHOLOGIST
    assert review.reason == "PCS 34 (clinically relevant): high pain catastrophizing"
    # Due 14 days from the result's local day (not the UTC day).
    assert review.due_on.isoformat() == "2026-07-15"
    assert review.rule_version == review.rule.history.latest().history_id
    assert review.screening == screening
    assert AuditEvent.objects.filter(object_type="review", object_id=str(review.pk), action="create").exists()


def test_owner_is_the_colleague_with_fewest_open_reviews(patient, clinician, north, psych):
    other = psychologist(north, username="psych2", first_name="Zed", last_name="Adams")
    first = pcs(patient, clinician, 34)
    assert Review.objects.get(screening=first).owner == other  # tie: name order (Adams before Byrne)
    second_patient = type(patient).objects.create(
        mrn="X1",
        given_name="B",
        family_name="C",
        date_of_birth=patient.date_of_birth,
        team=north,
        primary_clinician=clinician,
    )
    second = pcs(second_patient, clinician, 34)
    assert Review.objects.get(screening=second).owner == psych  # Adams has one open, Byrne none


def test_an_inactive_or_other_discipline_member_is_not_chosen(patient, clinician, north):
    psychologist(north, username="gone", is_active=False)
    pcs(patient, clinician, 34)
    # No active psychologist: the patient's primary clinician.
    assert Review.objects.get(patient=patient).owner == clinician


def test_an_open_review_covers_a_newer_result(patient, clinician, psych):
    pcs(patient, clinician, 34)
    pcs(patient, clinician, 36)
    assert Review.objects.filter(patient=patient).count() == 1


def test_a_newer_result_due_sooner_brings_the_review_forward(patient, clinician, psych):
    with time_machine.travel(datetime(2026, 11, 2, 10, tzinfo=LONDON), tick=False):
        record(patient, clinician, answers=answers_for("PHQ-9", 12))
    review = Review.objects.get(patient=patient)
    assert review.due_on.isoformat() == "2026-11-16"
    with time_machine.travel(datetime(2026, 11, 4, 10, tzinfo=LONDON), tick=False):
        severe = record(patient, clinician, answers=answers_for("PHQ-9", 22))
    review.refresh_from_db()
    assert Review.objects.filter(patient=patient).count() == 1
    assert review.due_on.isoformat() == "2026-11-07"
    assert review.screening == severe
    assert review.rule.name == "Severe depressive symptoms (PHQ-9 ≥ 20)"
    assert review.owner == psych
    event = AuditEvent.objects.filter(object_type="review", object_id=str(review.pk), action="update").get()
    assert "due_on" in event.changed_fields


def test_a_resolved_review_does_not_cover_a_newer_result(patient, clinician, psych):
    pcs(patient, clinician, 34)
    review = Review.objects.get(patient=patient)
    services.review_resolve(
        review=review, user=psych, expected_version=review.version, resolution="no_action", note="Coping well"
    )
    pcs(patient, clinician, 35)
    assert Review.objects.filter(patient=patient).count() == 2


def test_a_rise_under_the_reliable_change_opens_nothing(patient, clinician, psych):
    record(patient, clinician, answers=answers_for("PHQ-9", 2))
    record(patient, clinician, answers=answers_for("PHQ-9", 7))  # +5: under the reliable change of 6
    assert not Review.objects.filter(patient=patient).exists()
    # Judged against the previous result (7), not the first: +2.
    record(patient, clinician, answers=answers_for("PHQ-9", 9))
    assert not Review.objects.filter(patient=patient).exists()


def test_reliable_deterioration_against_the_previous_result(patient, clinician, psych):
    record(patient, clinician, answers=answers_for("PHQ-9", 2))
    record(patient, clinician, answers=answers_for("PHQ-9", 8))  # +6: the reliable change
    review = Review.objects.get(patient=patient)
    assert review.rule.condition == "deterioration"
    assert review.reason == "PHQ-9 8 (mild): reliable deterioration from 2"


def test_deterioration_in_the_band_is_the_more_urgent_finding(patient, clinician, psych):
    record(patient, clinician, code="GAD-7", answers=answers_for("GAD-7", 4))
    # The moderate band (due in 14 days) and a rise of 7, beyond the reliable change (due in 7).
    record(patient, clinician, code="GAD-7", answers=answers_for("GAD-7", 11))
    review = Review.objects.get(patient=patient)
    assert review.rule.condition == "deterioration"


def test_improvement_opens_nothing(patient, clinician, psych):
    pcs(patient, clinician, 40)
    pcs(patient, clinician, 20)
    assert Review.objects.filter(patient=patient).count() == 1


# --- states ---------------------------------------------------------------------------------------------


@pytest.fixture
def review(patient, clinician, psych):
    pcs(patient, clinician, 34)
    return Review.objects.get(patient=patient)


def test_start_then_resolve_as_referred(review, psych):
    started = services.review_start(review=review, user=psych, expected_version=review.version)
    assert started.state == Review.State.IN_PROGRESS and started.started_at is not None
    resolved = services.review_resolve(
        review=started,
        user=psych,
        expected_version=started.version,
        resolution=Review.Resolution.REFERRED,
        note="Referred to community mental-health team",
    )
    assert resolved.state == Review.State.RESOLVED
    assert (resolved.resolution, resolved.resolved_by) == (Review.Resolution.REFERRED, psych)
    assert resolved.resolution_note == "Referred to community mental-health team"


@pytest.mark.parametrize("resolution", ["referred", "declined", "no_action"])
def test_each_resolution_needs_a_note(review, psych, resolution):
    with pytest.raises(ValidationError) as refused:
        services.review_resolve(
            review=review, user=psych, expected_version=review.version, resolution=resolution, note="  "
        )
    assert list(refused.value.message_dict) == ["note"]
    review.refresh_from_db()
    assert review.state == Review.State.OPEN


def test_plan_updated_is_not_resolved_here(review, psych):
    with pytest.raises(ValidationError) as refused:
        services.review_resolve(
            review=review, user=psych, expected_version=review.version, resolution="plan_updated", note="x"
        )
    assert "resolution" in refused.value.message_dict


def test_a_stale_version_is_refused(review, psych, clinician):
    loaded_at = review.version
    services.review_reassign(review=review, owner=clinician, user=psych, expected_version=loaded_at)
    with pytest.raises(services.ReviewChanged) as refused:
        services.review_resolve(
            review=review, user=psych, expected_version=loaded_at, resolution="no_action", note="Fine"
        )
    assert "changed this review since you opened it" in refused.value.messages[0]
    review.refresh_from_db()
    assert review.state == Review.State.OPEN and review.owner == clinician


def test_reassign_to_a_team_member(review, psych, clinician):
    moved = services.review_reassign(
        review=review, owner=clinician, user=psych, expected_version=review.version
    )
    assert moved.owner == clinician
    event = AuditEvent.objects.filter(object_type="review", object_id=str(review.pk), action="update").get()
    assert event.changed_fields == ["owner"]


def test_reassign_to_a_non_member_is_refused(review, psych, outsider):
    with pytest.raises(ValidationError) as refused:
        services.review_reassign(review=review, owner=outsider, user=psych, expected_version=review.version)
    assert "owner" in refused.value.message_dict


def test_reassign_to_a_deactivated_member_is_refused(review, psych, north):
    gone = UserFactory(username="gone", is_active=False)
    MembershipFactory(team=north, user=gone)
    with pytest.raises(ValidationError):
        services.review_reassign(review=review, owner=gone, user=psych, expected_version=review.version)


def test_an_outsider_may_not_work_the_review(review, outsider):
    with pytest.raises(PermissionDenied):
        services.review_start(review=review, user=outsider, expected_version=review.version)


def test_a_resolved_review_cannot_be_started_or_resolved_again(review, psych):
    done = services.review_resolve(
        review=review, user=psych, expected_version=review.version, resolution="declined", note="Not now"
    )
    with pytest.raises(ValidationError):
        services.review_start(review=done, user=psych, expected_version=done.version)


def test_starting_twice_is_refused(review, psych):
    started = services.review_start(review=review, user=psych, expected_version=review.version)
    with pytest.raises(ValidationError):
        services.review_start(review=started, user=psych, expected_version=started.version)


def test_overdue_after_the_due_day(review):
    with time_machine.travel(
        datetime.combine(review.due_on, datetime.min.time(), LONDON) + timedelta(hours=9)
    ):
        assert not review.overdue
    with time_machine.travel(
        datetime.combine(review.due_on + timedelta(days=1), datetime.min.time(), LONDON) + timedelta(hours=9)
    ):
        assert review.overdue
