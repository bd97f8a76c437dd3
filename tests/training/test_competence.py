"""training.competence: effective levels (lapsed renewals), supervision a month on the clinic's clock, the
expected amount, and the gaps an owner would have. Every date is given; nothing reads today."""

from datetime import date, datetime

import pytest

from training.competence import (
    competence_gaps,
    expected_minutes,
    last_full_month,
    levels_of,
    supervision_minutes,
    supervision_up_to_date,
)
from training.models import Competency, Level

from ..factories import MembershipFactory, TeamFactory, UserFactory
from .factories import LONDON, SupervisionSessionFactory, TrainingRecordFactory, competency

MI = "motivational-interviewing"
CBT = "cbt-informed-practice"
GE = "graded-exposure"


def test_the_seed_lists_the_competencies_the_issue_names(db):
    codes = set(Competency.objects.values_list("code", flat=True))
    assert len(codes) == 10
    assert {MI, CBT, GE, "acceptance-commitment-therapy", "suicide-risk-assessment"} <= codes


def test_levels_count_from_completion_and_a_passed_renewal_lapses_to_under_supervision(clinician):
    TrainingRecordFactory(user=clinician, level=Level.INDEPENDENT, renews_on=date(2026, 6, 30))
    TrainingRecordFactory(user=clinician, competency=competency(CBT), completed_on=date(2026, 9, 1))
    assert levels_of(clinician, on=date(2026, 6, 30)) == {MI: Level.INDEPENDENT}  # the renewal day holds
    assert levels_of(clinician, on=date(2026, 7, 1)) == {MI: Level.UNDER_SUPERVISION}
    assert levels_of(clinician, on=date(2026, 9, 1)) == {MI: Level.UNDER_SUPERVISION, CBT: Level.TRAINED}


def test_a_renewed_record_beside_a_lapsed_one_counts(clinician):
    TrainingRecordFactory(user=clinician, level=Level.INDEPENDENT, renews_on=date(2026, 6, 30))
    TrainingRecordFactory(user=clinician, level=Level.TRAINED, completed_on=date(2026, 7, 5))
    assert levels_of(clinician, on=date(2026, 8, 1)) == {MI: Level.TRAINED}


def test_levels_of_reads_in_one_query_however_many_records(clinician, django_assert_max_num_queries):
    for position, code in enumerate(Competency.objects.values_list("code", flat=True)):
        for year in (2020, 2022, 2024):
            TrainingRecordFactory(
                user=clinician,
                competency=competency(code),
                completed_on=date(year, 1, 1 + position),
                level=Level.UNDER_SUPERVISION if year == 2024 else Level.TRAINED,
            )
    with django_assert_max_num_queries(1):
        levels = levels_of(clinician, on=date(2026, 1, 1))
    assert len(levels) == 10 and set(levels.values()) == {Level.TRAINED}
    with django_assert_max_num_queries(3):
        assert competence_gaps(clinician, [MI, CBT, "no-such-skill"], on=date(2026, 1, 1)) == [
            "no-such-skill"
        ]


def test_supervision_counts_in_the_month_of_its_date_on_the_clinic_clock(clinician, lead):
    # 23:30 on 31 January in London is January (UTC agrees in winter); 00:15 on 1 February is February.
    SupervisionSessionFactory(
        supervisor=lead,
        supervisees=[clinician],
        held_at=datetime(2027, 1, 31, 23, 30, tzinfo=LONDON),
        minutes=45,
    )
    SupervisionSessionFactory(
        supervisor=lead,
        supervisees=[clinician],
        held_at=datetime(2027, 2, 1, 0, 15, tzinfo=LONDON),
        minutes=30,
    )
    # Summer time: 00:30 on 1 April in London is still 31 March in UTC, and counts in April.
    SupervisionSessionFactory(
        supervisor=lead,
        supervisees=[clinician],
        held_at=datetime(2027, 3, 31, 23, 30, tzinfo=LONDON),
        minutes=20,
    )
    SupervisionSessionFactory(
        supervisor=lead,
        supervisees=[clinician],
        held_at=datetime(2027, 4, 1, 0, 30, tzinfo=LONDON),
        minutes=50,
    )
    # Given, not received: the supervisor's own minutes are not the clinician's.
    SupervisionSessionFactory(
        supervisor=clinician, supervisees=[lead], held_at=datetime(2027, 1, 15, 10, tzinfo=LONDON), minutes=90
    )
    assert supervision_minutes(clinician, month=date(2027, 1, 1)) == 45
    assert supervision_minutes(clinician, month=date(2027, 2, 14)) == 30
    assert supervision_minutes(clinician, month=date(2027, 3, 1)) == 20
    assert supervision_minutes(clinician, month=date(2027, 4, 1)) == 50
    assert supervision_minutes(clinician, month=date(2026, 12, 1)) == 0


def test_the_last_full_month_crosses_the_year():
    assert last_full_month(date(2027, 1, 31)) == date(2026, 12, 1)
    assert last_full_month(date(2027, 3, 1)) == date(2027, 2, 1)


def test_expected_minutes_the_lowest_team_setting_else_the_clinic(clinician, north, settings):
    settings.SUPERVISION_MINUTES_PER_MONTH = 60
    assert expected_minutes(clinician) == 60
    other = TeamFactory(name="Spinal", supervision_minutes_per_month=90)
    MembershipFactory(team=other, user=clinician)
    assert expected_minutes(clinician) == 90
    north.supervision_minutes_per_month = 30
    north.save(update_fields=["supervision_minutes_per_month"])
    assert expected_minutes(clinician) == 30
    assert expected_minutes(UserFactory(username="teamless")) == 60


def test_gaps_under_supervision_is_competent_only_with_supervision_up_to_date(clinician, lead, settings):
    settings.SUPERVISION_MINUTES_PER_MONTH = 60
    TrainingRecordFactory(user=clinician, competency=competency(MI), level=Level.INDEPENDENT)
    TrainingRecordFactory(user=clinician, competency=competency(CBT), level=Level.UNDER_SUPERVISION)
    needs = [MI, CBT, GE]
    on = date(2027, 2, 10)
    assert not supervision_up_to_date(clinician, on=on)
    assert competence_gaps(clinician, needs, on=on) == [CBT, GE]
    # January, the last full month, reaches the hour in two sessions.
    for day in (5, 19):
        SupervisionSessionFactory(
            supervisor=lead,
            supervisees=[clinician],
            held_at=datetime(2027, 1, day, 9, tzinfo=LONDON),
            minutes=30,
        )
    assert competence_gaps(clinician, needs, on=on) == [GE]
    # In March the last full month is February, which had none: the gap is back.
    assert competence_gaps(clinician, needs, on=date(2027, 3, 1)) == [CBT, GE]


def test_gaps_a_lapsed_renewal_needs_supervision_too(clinician, settings):
    settings.SUPERVISION_MINUTES_PER_MONTH = 60
    TrainingRecordFactory(user=clinician, competency=competency(GE), renews_on=date(2026, 12, 31))
    assert competence_gaps(clinician, [GE], on=date(2026, 12, 31)) == []
    assert competence_gaps(clinician, [GE], on=date(2027, 1, 1)) == [GE]
    settings.SUPERVISION_MINUTES_PER_MONTH = 0
    assert competence_gaps(clinician, [GE], on=date(2027, 1, 1)) == []


@pytest.mark.parametrize("needs", [[], [MI, MI]])
def test_gaps_of_nothing_and_of_repeats(clinician, needs):
    assert competence_gaps(clinician, needs, on=date(2027, 1, 1)) == ([MI] if needs else [])
