"""The audits page's competence sections (issue 22): lapsed training renewals, supervision below the expected
amount, and responsibilities owned without the competence their intervention needs (with any reason
recorded); only the viewer's teams; who and which patients are shown, audited; a fixed number of queries
however many rows. The clock is frozen on 15 November 2026 (London): last full month, October."""

import re
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from careplans.catalogue import InterventionCode
from careplans.models import CarePlan, Responsibility
from teams.models import AuditEvent, Membership
from training.models import Competency, Level
from training.seed import competencies_ensure

from ..careplans.factories import make_plan
from ..factories import MembershipFactory, PatientFactory, UserFactory
from ..training.factories import LONDON, SupervisionSessionFactory, TrainingRecordFactory, competency

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=LONDON)
AUDITS = reverse("audits")
CBT = "cbt-informed-practice"
MI = "motivational-interviewing"


@pytest.fixture(autouse=True)
def seeded_competencies(db):
    competencies_ensure(Competency)  # a transactional test before may have emptied the seeded ones


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def sections(response):
    return {section.key: section for section in response.context["skill_gaps"]}


def text_of(response):
    """The page's words, as read: tags left out, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def active_plan(patient, user):
    plan = make_plan(patient, user)
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.ACTIVE)
    return plan


def owned(plan, owner, intervention=InterventionCode.CBT_REFRAMING, **fields):
    # Written straight to the table: the page audits what is stored, however it got there (the gate on
    # the plan page is helper B's and tested there).
    return Responsibility.objects.create(
        plan=plan,
        intervention=intervention,
        owner=owner,
        discipline=owner.discipline,
        frequency="weekly",
        starts_on=date(2026, 10, 1),
        status=fields.pop("status", Responsibility.Status.ACTIVE),
        **fields,
    )


def test_a_lapsed_renewal_is_listed_with_its_date_until_renewed(login, lead, clinician, colleague):
    lapsed = TrainingRecordFactory(user=clinician, level=Level.INDEPENDENT, renews_on=date(2026, 10, 31))
    TrainingRecordFactory(user=colleague, competency=competency(CBT), renews_on=date(2026, 11, 15))  # today
    TrainingRecordFactory(user=colleague, renews_on=date(2026, 4, 1))
    TrainingRecordFactory(user=colleague, completed_on=date(2026, 4, 2))  # renewed
    response = login(lead).get(AUDITS)
    found = sections(response)["lapsed-renewals"]
    assert [row.pk for row in found.rows] == [lapsed.pk] and found.count == 1
    text = text_of(response)
    assert "Training renewals lapsed" in text
    assert f"{clinician} — Motivational interviewing (Independent): renewal due 31 Oct 2026, lapsed" in text
    assert reverse("training_person", kwargs={"user_id": clinician.pk}) in response.content.decode()


def test_supervision_below_the_expected_amount_is_listed_with_minutes_and_month(
    login, lead, clinician, colleague, north
):
    TrainingRecordFactory(user=clinician, competency=competency(CBT), level=Level.UNDER_SUPERVISION)
    SupervisionSessionFactory(
        supervisor=colleague,
        supervisees=[clinician],
        held_at=datetime(2026, 10, 31, 23, 30, tzinfo=LONDON),
        minutes=40,
    )
    SupervisionSessionFactory(
        supervisor=colleague,
        supervisees=[clinician],
        held_at=datetime(2026, 11, 2, 9, tzinfo=LONDON),
        minutes=60,
    )
    response = login(lead).get(AUDITS)
    (row,) = sections(response)["supervision-below"].rows
    assert (row.user, row.minutes, row.expected) == (clinician, 40, 60)
    assert (
        f"{clinician} — practising CBT-informed practice under supervision: 40 of 60 minutes in Oct 2026"
        in text_of(response)
    )
    north.supervision_minutes_per_month = 40
    north.save()
    assert sections(login(lead).get(AUDITS))["supervision-below"].rows == []


def test_responsibilities_owned_without_the_competence_are_listed_with_the_reason(
    login, lead, clinician, colleague, patient
):
    plan = active_plan(patient, lead)
    lacking = owned(plan, clinician, competence_override_reason="Only physio free until January")
    silent = owned(plan, clinician, InterventionCode.MOTIVATIONAL_INTERVIEWING)
    owned(plan, colleague)  # competent, below
    owned(plan, clinician, InterventionCode.CBT_PAIN_COPING, status=Responsibility.Status.STOPPED)
    owned(plan, clinician, InterventionCode.EXERCISE_THERAPY)  # needs no competency
    TrainingRecordFactory(user=colleague, competency=competency(CBT), level=Level.INDEPENDENT)
    # Under supervision with October's hour: competent.
    TrainingRecordFactory(user=clinician, competency=competency(MI), level=Level.UNDER_SUPERVISION)
    response = login(lead).get(AUDITS)
    found = sections(response)["owned-without-competence"]
    assert [(row.responsibility.pk, row.lacking) for row in found.rows] == [
        (lacking.pk, ["CBT-informed practice"]),
        (silent.pk, ["Motivational interviewing"]),
    ]
    text = text_of(response)
    assert "who lacks CBT-informed practice. Reason recorded: “Only physio free until January”" in text
    assert "who lacks Motivational interviewing. No reason recorded." in text
    SupervisionSessionFactory(
        supervisor=colleague,
        supervisees=[clinician],
        held_at=datetime(2026, 10, 9, 9, tzinfo=LONDON),
        minutes=60,
    )
    found = sections(login(lead).get(AUDITS))["owned-without-competence"]
    assert [row.responsibility.pk for row in found.rows] == [lacking.pk]


def test_work_of_a_completed_plan_is_not_listed(login, lead, clinician, patient):
    plan = active_plan(patient, lead)
    owned(plan, clinician)
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.COMPLETED)
    assert sections(login(lead).get(AUDITS))["owned-without-competence"].rows == []


def test_a_lead_of_another_team_sees_none_of_them(login, clinician, patient, lead, south, outsider):
    Membership.objects.filter(user=outsider).update(role=Membership.Role.LEAD)
    TrainingRecordFactory(user=clinician, renews_on=date(2026, 1, 31))
    TrainingRecordFactory(user=clinician, competency=competency(CBT), level=Level.UNDER_SUPERVISION)
    owned(active_plan(patient, lead), clinician, InterventionCode.GRADED_EXPOSURE)
    theirs = sections(login(outsider).get(AUDITS))
    assert all(section.rows == [] and section.count == 0 for section in theirs.values())
    ours = sections(login(lead).get(AUDITS))
    assert all(section.count == 1 for section in ours.values())


def test_the_people_and_patients_shown_are_audited_as_viewed(login, lead, clinician, colleague, patient):
    TrainingRecordFactory(user=colleague, renews_on=date(2026, 1, 31))
    owned(active_plan(patient, lead), clinician)
    login(lead).get(AUDITS)
    viewed = set(
        AuditEvent.objects.filter(actor=lead, object_type="training records").values_list(
            "object_id", flat=True
        )
    )
    assert viewed == {str(colleague.pk), str(clinician.pk)}
    assert AuditEvent.objects.filter(actor=lead, patient=patient, object_type="audits").exists()


def test_the_sections_cap_their_rows_and_keep_a_fixed_number_of_queries(
    login, lead, north, clinician, django_assert_max_num_queries, monkeypatch
):
    from adherence import audits

    monkeypatch.setattr(audits, "SKILL_ROWS", 3)

    def add(count):
        for _ in range(count):
            person = UserFactory()
            MembershipFactory(team=north, user=person)
            TrainingRecordFactory(user=person, renews_on=date(2026, 2, 1))
            TrainingRecordFactory(user=person, competency=competency(CBT), level=Level.UNDER_SUPERVISION)
            owned(active_plan(PatientFactory(team=north, primary_clinician=clinician), person), person)

    client = login(lead)
    add(2)
    with django_assert_max_num_queries(80) as few:
        client.get(AUDITS)
    add(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(AUDITS)
    found = sections(response)
    assert [(s.count, len(s.rows), s.more) for s in found.values()] == [(8, 3, 5)] * 3
    assert "5 more not shown." in text_of(response)
