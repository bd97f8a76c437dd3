"""The team page's skill mix (issue 22): each competency × each member with the level in words, lapsed
renewals and renewals due soon with their dates, links to each member's training page, and who practising
under supervision had less than expected last month; every member's training audited as viewed; a fixed
number of queries however many members and records. The clock is frozen on 15 November 2026 (London)."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from teams.models import AuditEvent
from training.models import Competency, Level
from training.seed import competencies_ensure

from ..factories import MembershipFactory, UserFactory
from ..training.factories import LONDON, SupervisionSessionFactory, TrainingRecordFactory, competency

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=LONDON)
CBT = "cbt-informed-practice"


@pytest.fixture(autouse=True)
def seeded_competencies(db):
    competencies_ensure(Competency)  # a transactional test before may have emptied the seeded ones


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def page(client, team):
    return client.get(reverse("team_detail", kwargs={"team_id": team.pk}))


def cell(response, member, code: str):
    mix = response.context["skill_mix"]
    row = next(row for row in mix.rows if row.competency.code == code)
    return row.cells[[m.pk for m in mix.members].index(member.pk)]


def test_a_member_sees_who_holds_what_with_lapsed_and_due_soon_marks(
    login, north, clinician, colleague, lead, settings
):
    settings.TRAINING_RENEWAL_WARNING_DAYS = 60
    TrainingRecordFactory(user=clinician, level=Level.INDEPENDENT, renews_on=date(2026, 9, 30))  # lapsed
    TrainingRecordFactory(user=colleague, level=Level.INDEPENDENT, renews_on=date(2026, 12, 20))  # soon
    TrainingRecordFactory(user=colleague, competency=competency(CBT), renews_on=date(2028, 1, 1))
    response = page(login(clinician), north)
    assert response.status_code == 200
    members = response.context["skill_mix"].members
    assert members == response.context["t"].members  # the members table's people, in its order
    text = response.content.decode()
    assert "Skill mix" in text
    assert "Renewal lapsed 30 Sep 2026" in text and "(recorded: Independent)" in text
    assert "Renewal due soon: 20 Dec 2026" in text and "renews 1 Jan 2028" in text
    assert cell(response, clinician, "motivational-interviewing").level == Level.UNDER_SUPERVISION
    assert cell(response, colleague, "motivational-interviewing").level == Level.INDEPENDENT
    assert cell(response, lead, "motivational-interviewing") is None
    for member in members:
        assert reverse("training_person", kwargs={"user_id": member.pk}) in text


def test_the_page_names_who_had_too_little_supervision_last_month(login, north, clinician, colleague, lead):
    TrainingRecordFactory(user=clinician, competency=competency(CBT), level=Level.UNDER_SUPERVISION)
    TrainingRecordFactory(user=colleague, level=Level.UNDER_SUPERVISION)
    # 23:30 on 31 October is October's; the hour on 1 November is this month's, not counted yet.
    SupervisionSessionFactory(
        supervisor=lead,
        supervisees=[clinician],
        held_at=datetime(2026, 10, 31, 23, 30, tzinfo=LONDON),
        minutes=30,
    )
    SupervisionSessionFactory(
        supervisor=lead, supervisees=[clinician], held_at=datetime(2026, 11, 1, 9, tzinfo=LONDON), minutes=60
    )
    SupervisionSessionFactory(
        supervisor=lead, supervisees=[colleague], held_at=datetime(2026, 10, 12, 9, tzinfo=LONDON), minutes=60
    )
    response = page(login(lead), north)
    statuses = {
        s.user.username: (s.minutes, s.expected, s.below) for s in response.context["skill_mix"].supervision
    }
    assert statuses == {"physio": (30, 60, True), "psych": (60, 60, False)}
    text = " ".join(response.content.decode().split())
    assert "Supervision in Oct 2026, the last full month" in text
    assert "practising CBT-informed practice under supervision: 30 of 60 minutes" in text
    assert "below the expected amount" in text


def test_every_members_training_is_audited_as_viewed(login, north, clinician, colleague, lead):
    page(login(clinician), north)
    viewed = set(
        AuditEvent.objects.filter(
            actor=clinician, action=AuditEvent.Action.VIEW, object_type="training records"
        ).values_list("object_id", flat=True)
    )
    assert viewed == {str(clinician.pk), str(colleague.pk), str(lead.pk)}


def test_the_skill_mix_does_not_grow_queries_with_members_or_records(
    login, north, lead, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            person = UserFactory()
            MembershipFactory(team=north, user=person)
            for code in ("motivational-interviewing", CBT, "graded-exposure"):
                TrainingRecordFactory(user=person, competency=competency(code), level=Level.UNDER_SUPERVISION)
            SupervisionSessionFactory(
                supervisor=lead, supervisees=[person], held_at=datetime(2026, 10, 5, 9, tzinfo=LONDON)
            )

    client = login(lead)
    add(2)
    with django_assert_max_num_queries(20) as few:
        assert page(client, north).status_code == 200
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = page(client, north)
    assert len(response.context["skill_mix"].supervision) == 12


def test_an_outsider_does_not_see_the_team_page(login, north, outsider, clinician):
    TrainingRecordFactory(user=clinician)
    assert page(login(outsider), north).status_code == 404
    assert not AuditEvent.objects.filter(actor=outsider, object_type="training records").exists()
