"""The competence gate (``training.gate``): the one check every path that gives work an owner calls. A
competent owner passes; one without a needed competency is asked for a reason (warn) or refused (strict);
a lapsed renewal and practice under supervision without the month's supervision are gaps. Days are given
explicitly, so nothing here depends on today's date."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from careplans.catalogue import InterventionCode, competencies_for
from training.gate import automatic_reason, competent_first, kept_without, owner_check
from training.models import Competency, Level
from training.seed import competencies_ensure

from ..factories import UserFactory
from .factories import LONDON, SupervisionSessionFactory, TrainingRecordFactory, competency

CBT = "cbt-informed-practice"
EXPOSURE = "graded-exposure"
NOV_15 = date(2026, 11, 15)


@pytest.fixture(autouse=True)
def seeded_competencies(db):
    competencies_ensure(Competency)  # a transactional test before may have emptied the seeded ones


@pytest.fixture
def sam(db):
    return UserFactory(username="sam", first_name="Sam", last_name="Jones")


def trained(user, code=CBT, **fields):
    return TrainingRecordFactory(user=user, competency=competency(code), **fields)


def message(error, field):
    return " ".join(error.value.message_dict[field])


def test_a_competent_owner_passes_without_a_reason(sam):
    trained(sam)
    assert owner_check(sam, [CBT], on=NOV_15) == []


def test_work_that_needs_no_competency_passes_anyone(sam):
    assert owner_check(sam, competencies_for([InterventionCode.MANUAL_THERAPY]), on=NOV_15) == []


def test_warn_without_a_reason_asks_for_one_naming_the_competency_and_why(sam):
    with pytest.raises(ValidationError) as error:
        owner_check(sam, [CBT], on=NOV_15, reason="  ")
    assert set(error.value.message_dict) == {"competence_override_reason"}
    assert message(error, "competence_override_reason") == (
        "Sam Jones lacks CBT-informed practice (no training record): give a reason to keep them as owner, "
        "or choose someone else."
    )


def test_warn_with_a_reason_keeps_the_owner_and_says_what_they_lack(sam):
    trained(sam)
    assert owner_check(sam, [CBT, EXPOSURE], on=NOV_15, reason="Only psychologist this month") == [EXPOSURE]


@override_settings(COMPETENCE_GATE="strict")
def test_strict_refuses_on_the_owner_field_even_with_a_reason(sam):
    with pytest.raises(ValidationError) as error:
        owner_check(sam, [EXPOSURE], on=NOV_15, reason="Only psychologist this month")
    assert set(error.value.message_dict) == {"owner"}
    assert message(error, "owner") == (
        "Sam Jones lacks Graded exposure (no training record); the clinic assigns this work to competent "
        "owners only."
    )


@override_settings(COMPETENCE_GATE="strict")
def test_strict_puts_the_refusal_on_the_field_the_caller_names(sam):
    with pytest.raises(ValidationError) as error:
        owner_check(sam, [EXPOSURE], on=NOV_15, field="support_by")
    assert set(error.value.message_dict) == {"support_by"}


def test_a_renewal_holds_on_its_day_and_lapses_the_day_after(sam):
    trained(sam, completed_on=date(2024, 11, 30), renews_on=date(2026, 11, 30))
    assert owner_check(sam, [CBT], on=date(2026, 11, 30)) == []
    with pytest.raises(ValidationError) as error:
        owner_check(sam, [CBT], on=date(2026, 12, 1))
    assert "renewal lapsed on 30 Nov 2026" in message(error, "competence_override_reason")


def test_a_lapsed_renewal_counts_as_under_supervision_so_the_months_supervision_covers_it(sam):
    trained(sam, completed_on=date(2024, 10, 1), renews_on=date(2026, 10, 1))
    SupervisionSessionFactory(held_at=datetime(2026, 10, 20, 10, 0, tzinfo=LONDON), supervisees=[sam])
    # November: October's 60 minutes reach the clinic's expected 60.
    assert owner_check(sam, [CBT], on=date(2026, 11, 30)) == []
    # December: November had none.
    with pytest.raises(ValidationError) as error:
        owner_check(sam, [CBT], on=date(2026, 12, 1))
    assert "renewal lapsed on 1 Oct 2026" in message(error, "competence_override_reason")


def test_under_supervision_is_covered_by_last_full_months_supervision_across_the_month_boundary(sam):
    trained(sam, level=Level.UNDER_SUPERVISION, completed_on=date(2026, 1, 10))
    # 23:30 on 31 October in London is October's (00:30 on 1 November in UTC would read November's).
    SupervisionSessionFactory(held_at=datetime(2026, 10, 31, 23, 30, tzinfo=LONDON), supervisees=[sam])
    assert owner_check(sam, [CBT], on=date(2026, 11, 1)) == []
    assert owner_check(sam, [CBT], on=date(2026, 11, 30)) == []
    with pytest.raises(ValidationError) as error:
        owner_check(sam, [CBT], on=date(2026, 12, 1))
    assert message(error, "competence_override_reason") == (
        "Sam Jones lacks CBT-informed practice (practising under supervision without supervision up to "
        "date): give a reason to keep them as owner, or choose someone else."
    )


def test_under_supervision_with_too_little_supervision_is_a_gap(sam):
    trained(sam, level=Level.UNDER_SUPERVISION, completed_on=date(2026, 1, 10))
    SupervisionSessionFactory(
        held_at=datetime(2026, 10, 20, 10, 0, tzinfo=LONDON), minutes=45, supervisees=[sam]
    )
    with pytest.raises(ValidationError):
        owner_check(sam, [CBT], on=NOV_15)


def test_a_record_completed_after_the_day_asked_about_does_not_count_yet(sam):
    trained(sam, completed_on=date(2026, 11, 20))
    with pytest.raises(ValidationError, match="no training record"):
        owner_check(sam, [CBT], on=NOV_15)
    assert owner_check(sam, [CBT], on=date(2026, 11, 20)) == []


def test_several_gaps_are_named_together_each_with_why(sam):
    trained(sam, completed_on=date(2024, 1, 1), renews_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        owner_check(sam, [CBT, EXPOSURE], on=NOV_15)
    assert message(error, "competence_override_reason").startswith(
        "Sam Jones lacks CBT-informed practice (renewal lapsed on 1 Jan 2026, so under supervision without "
        "supervision up to date) and Graded exposure (no training record): "
    )


def test_the_messages_use_the_clinics_name_for_a_competency(sam):
    renamed = competency(CBT)
    renamed.name = "CBT-informed physiotherapy"
    renamed.save()
    with pytest.raises(ValidationError, match="lacks CBT-informed physiotherapy"):
        owner_check(sam, [CBT], on=NOV_15)


def test_the_first_competent_candidate_is_chosen_else_the_first_with_its_gaps(db):
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    trained(second, EXPOSURE)
    trained(third, EXPOSURE)
    assert competent_first([first, second, third], [EXPOSURE], on=NOV_15) == (second, [])
    assert competent_first([first, second], [CBT], on=NOV_15) == (first, [CBT])
    assert competent_first([first], [], on=NOV_15) == (first, [])


@pytest.mark.parametrize("others", [1, 6])
def test_choosing_among_candidates_reads_their_competence_at_once(db, others, django_assert_max_num_queries):
    """A routed review's owner is chosen with every candidate's training read together: the same
    queries for a team of two as for a team of seven (supervision read too: one practises under it)."""
    untrained = [UserFactory() for _ in range(others)]
    supervised = UserFactory()
    trained(supervised, EXPOSURE, level=Level.UNDER_SUPERVISION)
    competent = UserFactory()
    trained(competent, EXPOSURE)
    with django_assert_max_num_queries(3):
        assert competent_first([*untrained, supervised, competent], [EXPOSURE], on=NOV_15) == (competent, [])


def test_the_automatic_reason_and_a_kept_reason_read_in_words(db):
    assert automatic_reason("North MSK", [CBT, EXPOSURE], by="assigned by discipline") == (
        "No member of North MSK holds CBT-informed practice and Graded exposure; assigned by discipline."
    )
    assert kept_without([CBT], "Only psychologist this month") == (
        "kept without CBT-informed practice: Only psychologist this month"
    )


def test_the_catalogue_gives_the_needs_of_several_interventions_once_each():
    codes = [
        InterventionCode.CBT_REFRAMING,
        InterventionCode.PROBLEM_SOLVING,
        InterventionCode.GRADED_EXPOSURE,
    ]
    assert competencies_for(codes) == [CBT, EXPOSURE]
    assert competencies_for(["manual_therapy", "not-in-the-catalogue"]) == []


def test_the_gate_reads_a_fixed_number_of_queries_however_many_records(sam, django_assert_max_num_queries):
    for code in (CBT, EXPOSURE, "motivational-interviewing"):
        trained(sam, code)
        trained(sam, code, completed_on=date(2025, 1, 1))
    with django_assert_max_num_queries(1):
        owner_check(sam, [CBT, EXPOSURE], on=NOV_15)
    # A refusal names the competencies and says why: two more.
    with django_assert_max_num_queries(3), pytest.raises(ValidationError):
        owner_check(sam, ["behavioural-activation"], on=NOV_15)
