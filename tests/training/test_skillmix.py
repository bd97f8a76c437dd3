"""training.skillmix: supervision summed per supervisee across month boundaries on the clinic's clock
(23:30 on the 31st, the nights the clocks change), the expected amount from the team or the clinic,
lapsed renewals, renewals due soon, and competence for many clinicians at once agreeing with
training.competence. Every day is given; nothing reads today."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from training.competence import competence_gaps, expected_minutes, last_full_month, supervision_minutes
from training.models import Competency, Level
from training.seed import competencies_ensure
from training.skillmix import (
    Competence,
    expected_minutes_for,
    holdings_for,
    lapsed_renewals,
    supervision_below,
    supervision_minutes_for,
    team_skill_mix,
)

from ..factories import MembershipFactory, TeamFactory, UserFactory
from .factories import LONDON, SupervisionSessionFactory, TrainingRecordFactory, competency

MI = "motivational-interviewing"
CBT = "cbt-informed-practice"
GE = "graded-exposure"
UTC = ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def seeded_competencies(db):
    competencies_ensure(Competency)  # a transactional test before may have emptied the seeded ones


def session(supervisees, at: datetime, minutes: int):
    return SupervisionSessionFactory(supervisees=supervisees, held_at=at, minutes=minutes)


def test_a_session_at_2330_on_the_last_day_counts_in_that_month_winter_and_summer(clinician, colleague):
    # January (GMT): 23:30 on the 31st is 23:30 UTC; 00:15 on 1 February is February's.
    session([clinician], datetime(2026, 1, 31, 23, 30, tzinfo=LONDON), 30)
    session([clinician], datetime(2026, 2, 1, 0, 15, tzinfo=LONDON), 45)
    # August (BST): 23:30 on the 31st is 22:30 UTC; 00:30 on 1 September is still 31 August in UTC.
    session([clinician, colleague], datetime(2026, 8, 31, 23, 30, tzinfo=LONDON), 50)
    session([clinician], datetime(2026, 9, 1, 0, 30, tzinfo=LONDON), 20)
    assert datetime(2026, 9, 1, 0, 30, tzinfo=LONDON).astimezone(UTC).month == 8

    ids = [clinician.pk, colleague.pk]
    assert supervision_minutes_for(ids, month=date(2026, 1, 1)) == {clinician.pk: 30}
    assert supervision_minutes_for(ids, month=date(2026, 2, 1)) == {clinician.pk: 45}
    # A group session counts its whole length for each supervisee.
    assert supervision_minutes_for(ids, month=date(2026, 8, 1)) == {clinician.pk: 50, colleague.pk: 50}
    assert supervision_minutes_for(ids, month=date(2026, 9, 1)) == {clinician.pk: 20}
    for month in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 8, 1), date(2026, 9, 1)):
        found = supervision_minutes_for(ids, month=month)
        assert found.get(clinician.pk, 0) == supervision_minutes(clinician, month=month)


def test_months_that_hold_a_clock_change_keep_their_local_bounds(clinician):
    # 29 March 2026 the clocks go forward, 25 October back: each month still runs midnight to midnight.
    session([clinician], datetime(2026, 3, 1, 0, 0, tzinfo=LONDON), 10)  # first instant of March (GMT)
    session([clinician], datetime(2026, 3, 29, 3, 0, tzinfo=LONDON), 15)  # just after the change
    session([clinician], datetime(2026, 3, 31, 23, 30, tzinfo=LONDON), 20)  # 22:30 UTC
    session([clinician], datetime(2026, 4, 1, 0, 30, tzinfo=LONDON), 25)  # 23:30 UTC on 31 March
    session([clinician], datetime(2026, 10, 1, 0, 30, tzinfo=LONDON), 30)  # 23:30 UTC on 30 September
    session([clinician], datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON), 35)  # the second 01:30
    session([clinician], datetime(2026, 10, 31, 23, 30, tzinfo=LONDON), 40)  # GMT again
    session([clinician], datetime(2026, 11, 1, 0, 0, tzinfo=LONDON), 45)
    minutes = {
        month: supervision_minutes_for([clinician.pk], month=month).get(clinician.pk, 0)
        for month in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1), date(2026, 9, 1))
        + (date(2026, 10, 1), date(2026, 11, 1))
    }
    assert minutes == {
        date(2026, 2, 1): 0,
        date(2026, 3, 1): 10 + 15 + 20,
        date(2026, 4, 1): 25,
        date(2026, 9, 1): 0,
        date(2026, 10, 1): 30 + 35 + 40,
        date(2026, 11, 1): 45,
    }


def test_minutes_for_many_supervisees_are_one_grouped_query(django_assert_num_queries, north):
    people = [UserFactory() for _ in range(6)]
    for n, person in enumerate(people):
        for day in range(1, 4 + n):
            session([person], datetime(2026, 10, day, 10, tzinfo=LONDON), 15)
    with django_assert_num_queries(1):
        found = supervision_minutes_for([p.pk for p in people], month=date(2026, 10, 1))
    assert found == {person.pk: 15 * (3 + n) for n, person in enumerate(people)}


def test_expected_minutes_come_from_the_team_else_the_clinic(db, settings, django_assert_num_queries):
    settings.SUPERVISION_MINUTES_PER_MONTH = 45
    demanding, relaxed, silent = (
        TeamFactory(name="A", supervision_minutes_per_month=90),
        TeamFactory(name="B", supervision_minutes_per_month=30),
        TeamFactory(name="C"),
    )
    only_demanding, in_two, in_silent, in_none = (UserFactory() for _ in range(4))
    MembershipFactory(team=demanding, user=only_demanding)
    MembershipFactory(team=demanding, user=in_two)
    MembershipFactory(team=relaxed, user=in_two)
    MembershipFactory(team=silent, user=in_silent)
    people = [only_demanding, in_two, in_silent, in_none]
    with django_assert_num_queries(1):
        found = expected_minutes_for([p.pk for p in people])
    assert found == {only_demanding.pk: 90, in_two.pk: 30, in_silent.pk: 45, in_none.pk: 45}
    assert all(found[p.pk] == expected_minutes(p) for p in people)


def test_a_lapsed_renewal_counts_as_under_supervision_and_the_renewal_day_still_holds(clinician):
    TrainingRecordFactory(user=clinician, level=Level.INDEPENDENT, renews_on=date(2026, 10, 31))
    on_the_day = holdings_for([clinician.pk], on=date(2026, 10, 31))[clinician.pk][MI]
    assert (on_the_day.level, on_the_day.lapsed) == (Level.INDEPENDENT, False)
    after = holdings_for([clinician.pk], on=date(2026, 11, 1))[clinician.pk][MI]
    assert (after.level, after.recorded, after.lapsed) == (Level.UNDER_SUPERVISION, Level.INDEPENDENT, True)
    assert not after.renewal_due_soon


def test_a_renewal_within_the_warning_days_is_due_soon(clinician, settings):
    settings.TRAINING_RENEWAL_WARNING_DAYS = 60
    on = date(2026, 11, 15)
    TrainingRecordFactory(user=clinician, renews_on=on + timedelta(days=60))
    TrainingRecordFactory(user=clinician, competency=competency(CBT), renews_on=on + timedelta(days=61))
    TrainingRecordFactory(user=clinician, competency=competency(GE), renews_on=None)
    held = holdings_for([clinician.pk], on=on)[clinician.pk]
    assert [held[code].renewal_due_soon for code in (MI, CBT, GE)] == [True, False, False]
    settings.TRAINING_RENEWAL_WARNING_DAYS = 90
    assert holdings_for([clinician.pk], on=on)[clinician.pk][CBT].renewal_due_soon


def test_the_renewed_record_is_the_one_shown_beside_a_lapsed_one(clinician):
    TrainingRecordFactory(user=clinician, level=Level.INDEPENDENT, renews_on=date(2026, 6, 30))
    renewed = TrainingRecordFactory(
        user=clinician, level=Level.INDEPENDENT, completed_on=date(2026, 7, 1), renews_on=date(2028, 7, 1)
    )
    held = holdings_for([clinician.pk], on=date(2026, 11, 15))[clinician.pk][MI]
    assert (held.record_id, held.lapsed, held.level) == (renewed.pk, False, Level.INDEPENDENT)


def test_lapsed_renewals_leave_out_the_renewed_the_retired_and_other_teams(
    clinician, colleague, outsider, north
):
    on = date(2026, 11, 15)
    lapsed = TrainingRecordFactory(user=clinician, level=Level.INDEPENDENT, renews_on=date(2026, 9, 30))
    TrainingRecordFactory(user=clinician, competency=competency(CBT), renews_on=on)  # renews today: holds
    # Renewed: the old record lapsed, a later one replaced it (itself current).
    TrainingRecordFactory(user=colleague, competency=competency(GE), renews_on=date(2026, 3, 1))
    TrainingRecordFactory(user=colleague, competency=competency(GE), completed_on=date(2026, 3, 2))
    # A competency the clinic retired.
    retired = competency("sleep-intervention-cbt-i")
    retired.active = False
    retired.save()
    TrainingRecordFactory(user=colleague, competency=retired, renews_on=date(2026, 5, 1))
    TrainingRecordFactory(user=outsider, renews_on=date(2026, 5, 1))  # another team's

    members = north.memberships.values("user_id")
    rows = list(lapsed_renewals(user_ids=members, on=on))
    assert [row.pk for row in rows] == [lapsed.pk]
    assert rows[0].total == 1


def test_lapsed_renewals_count_every_row_in_the_same_query(north, django_assert_num_queries):
    people = [UserFactory() for _ in range(5)]
    for person in people:
        MembershipFactory(team=north, user=person)
        TrainingRecordFactory(user=person, renews_on=date(2026, 1, 31))
    with django_assert_num_queries(1):
        rows = list(lapsed_renewals(user_ids=north.memberships.values("user_id"), on=date(2026, 11, 15))[:2])
    assert len(rows) == 2 and rows[0].total == 5


def test_supervision_below_lists_whoever_practises_under_supervision_with_too_little(
    clinician, colleague, lead, north, settings
):
    settings.SUPERVISION_MINUTES_PER_MONTH = 60
    on = date(2026, 11, 15)  # the last full month: October
    TrainingRecordFactory(user=clinician, competency=competency(CBT), level=Level.UNDER_SUPERVISION)
    session([clinician], datetime(2026, 10, 31, 23, 30, tzinfo=LONDON), 30)  # October's, in GMT
    session([clinician], datetime(2026, 11, 1, 9, 0, tzinfo=LONDON), 60)  # November's: not counted
    # Lapsed, so under supervision, but with the hour expected.
    TrainingRecordFactory(user=colleague, level=Level.INDEPENDENT, renews_on=date(2026, 8, 31))
    session([colleague], datetime(2026, 10, 1, 0, 30, tzinfo=LONDON), 60)  # 23:30 UTC on 30 September
    # Independent and current: no supervision expected.
    TrainingRecordFactory(user=lead, level=Level.INDEPENDENT)

    (status,) = supervision_below(user_ids=north.memberships.values("user_id"), on=on)
    assert (status.user, status.minutes, status.expected, status.month) == (
        clinician,
        30,
        60,
        date(2026, 10, 1),
    )
    assert status.names == ("CBT-informed practice",)

    north.supervision_minutes_per_month = 30
    north.save()
    assert supervision_below(user_ids=north.memberships.values("user_id"), on=on) == []


def test_supervision_below_does_not_grow_queries_with_people(north, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            person = UserFactory()
            MembershipFactory(team=north, user=person)
            TrainingRecordFactory(user=person, level=Level.UNDER_SUPERVISION)
            TrainingRecordFactory(user=person, competency=competency(CBT), renews_on=date(2026, 2, 1))

    add(2)
    with django_assert_max_num_queries(6) as few:
        assert (
            len(supervision_below(user_ids=north.memberships.values("user_id"), on=date(2026, 11, 15))) == 2
        )
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert (
            len(supervision_below(user_ids=north.memberships.values("user_id"), on=date(2026, 11, 15))) == 10
        )


@pytest.mark.parametrize("minutes", [0, 59, 60])
def test_competence_for_many_agrees_with_competence_gaps(clinician, colleague, lead, minutes):
    on = date(2026, 11, 15)
    TrainingRecordFactory(user=clinician, competency=competency(CBT), level=Level.UNDER_SUPERVISION)
    TrainingRecordFactory(user=clinician, level=Level.TRAINED)
    TrainingRecordFactory(user=colleague, level=Level.INDEPENDENT, renews_on=date(2026, 2, 1))  # lapsed
    TrainingRecordFactory(user=colleague, competency=competency(GE), completed_on=date(2026, 12, 1))  # later
    if minutes:
        session([clinician, colleague], datetime(2026, 10, 20, 12, tzinfo=LONDON), minutes)
    people = [clinician, colleague, lead]
    competence = Competence.of([p.pk for p in people], on=on)
    for person in people:
        for needs in ([MI], [CBT], [GE], [MI, CBT], [CBT, GE], []):
            assert competence.gaps(person.pk, needs) == competence_gaps(person, needs, on=on), (person, needs)


def test_the_team_skill_mix_reads_a_fixed_number_of_queries(north, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            person = UserFactory()
            MembershipFactory(team=north, user=person)
            for code in (MI, CBT, GE):
                TrainingRecordFactory(user=person, competency=competency(code), level=Level.UNDER_SUPERVISION)
            session([person], datetime(2026, 10, 3, 9, tzinfo=LONDON), 20)

    def mix():
        members = list(north.memberships.order_by("pk").values_list("user", flat=True))
        from teams.models import User

        people = list(User.objects.filter(pk__in=members).order_by("pk"))
        return people, team_skill_mix(members=people, on=date(2026, 11, 15))

    add(2)
    people, _ = mix()
    with django_assert_max_num_queries(4):
        found = team_skill_mix(members=people, on=date(2026, 11, 15))
    add(6)
    people, _ = mix()
    with django_assert_max_num_queries(4):
        found = team_skill_mix(members=people, on=date(2026, 11, 15))
    assert len(found.rows) == Competency.objects.filter(active=True).count()
    mi_row = next(row for row in found.rows if row.competency.code == MI)
    assert mi_row.held_by == 8
    assert {status.minutes for status in found.supervision} == {20}
    assert all(status.below for status in found.supervision)


def test_today_reads_last_months_sessions_to_its_last_local_minute(clinician, colleague, north):
    """Relative to today (the Makefile runs this file again at moved clocks: New Year's Eve at 23:30, the
    nights the clocks change): the last full month's first and last local minutes count, the minute
    after it does not."""
    from django.utils import timezone

    on = timezone.localdate()
    first = last_full_month(on)
    last_day = on.replace(day=1) - timedelta(days=1)
    TrainingRecordFactory(user=clinician, level=Level.UNDER_SUPERVISION, completed_on=first)
    session([clinician], datetime.combine(first, datetime.min.time(), tzinfo=LONDON), 25)
    session([clinician], datetime(last_day.year, last_day.month, last_day.day, 23, 30, tzinfo=LONDON), 30)
    session([clinician], datetime(on.year, on.month, 1, 0, 0, tzinfo=LONDON), 50)  # this month's
    mix = team_skill_mix(members=[clinician, colleague], on=on)
    (status,) = mix.supervision
    assert (status.user, status.month, status.minutes) == (clinician, first, 55)
    assert status.minutes == supervision_minutes(clinician, month=first)
