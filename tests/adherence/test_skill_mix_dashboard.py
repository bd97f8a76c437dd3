"""The dashboard's share of psychological interventions delivered by competent owners, per team (issue 22):
active or done in the window, competence on its last day (supervision up to date in the month before),
an intervention that names no competency counting as competent; the lead's teams only; a fixed number of
queries. The clock is frozen on Sunday 15 November 2026 (London): the window is the 12 weeks from
Monday 24 August, competence is read on 15 November, supervision in October."""

import re
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from careplans.catalogue import InterventionCode
from careplans.models import Responsibility
from teams.models import Membership
from training.models import Competency, Level
from training.seed import competencies_ensure

from ..careplans.factories import make_plan
from ..factories import MembershipFactory, PatientFactory, UserFactory
from ..training.factories import LONDON, SupervisionSessionFactory, TrainingRecordFactory, competency

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=LONDON)
DASHBOARD = reverse("clinic_dashboard")
# The share is worked out from the raw rows: the page fetches it as soon as it is shown.
SHARE = {"part": "competent-share"}
CBT = "cbt-informed-practice"


@pytest.fixture(autouse=True)
def seeded_competencies(db):
    competencies_ensure(Competency)  # a transactional test before may have emptied the seeded ones


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def owned(patient, owner, intervention, status=Responsibility.Status.ACTIVE, **dates):
    plan = patient.care_plans.first() or make_plan(patient, owner)
    return Responsibility.objects.create(
        plan=plan,
        intervention=intervention,
        owner=owner,
        discipline=owner.discipline,
        frequency="weekly",
        status=status,
        starts_on=dates.get("starts_on", date(2026, 9, 1)),
        ends_on=dates.get("ends_on"),
    )


def shares(response):
    return {row.team: (row.competent, row.total) for row in response.context["competent_share"]}


def test_the_share_counts_psychological_work_of_competent_owners_per_team(
    login, lead, clinician, colleague, patient, clinic_admin, south_patient, outsider
):
    TrainingRecordFactory(user=colleague, competency=competency(CBT), level=Level.INDEPENDENT)
    TrainingRecordFactory(user=clinician, competency=competency("pain-neuroscience-education"))
    # Under supervision in CBT, with too little supervision in October.
    TrainingRecordFactory(user=clinician, competency=competency(CBT), level=Level.UNDER_SUPERVISION)
    SupervisionSessionFactory(
        supervisor=colleague,
        supervisees=[clinician],
        held_at=datetime(2026, 10, 8, 9, tzinfo=LONDON),
        minutes=30,
    )
    owned(patient, colleague, InterventionCode.CBT_REFRAMING)  # competent
    owned(patient, colleague, InterventionCode.CBT_PAIN_COPING, Responsibility.Status.DONE)  # competent, done
    owned(patient, clinician, InterventionCode.PAIN_EDUCATION)  # competent (trained)
    owned(patient, clinician, InterventionCode.RELAXATION)  # names no competency: competent
    owned(patient, clinician, InterventionCode.CBT_REFRAMING)  # supervision short: not competent
    owned(patient, clinician, InterventionCode.GRADED_EXPOSURE)  # no record: not competent
    # Not counted: not psychological, stopped, planned, or over before the window.
    owned(patient, clinician, InterventionCode.EXERCISE_THERAPY)
    owned(patient, clinician, InterventionCode.GRADED_EXPOSURE, Responsibility.Status.STOPPED)
    owned(patient, clinician, InterventionCode.GRADED_EXPOSURE, Responsibility.Status.PLANNED)
    owned(
        patient,
        clinician,
        InterventionCode.GRADED_EXPOSURE,
        Responsibility.Status.DONE,
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 8, 23),
    )
    owned(south_patient, outsider, InterventionCode.MINDFULNESS)

    page = login(lead).get(DASHBOARD)
    assert "Psychological work delivered by competent owners" in page.text
    assert 'hx-get="?part=competent-share"' in page.text
    response = login(lead).get(DASHBOARD, SHARE)
    assert shares(response) == {"North MSK": (4, 6)}
    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "North MSK 4 of 6 (67%)" in text
    assert shares(login(clinic_admin).get(DASHBOARD, SHARE)) == {"North MSK": (4, 6), "South MSK": (1, 1)}

    # An hour of supervision in October makes the supervised CBT competent.
    SupervisionSessionFactory(
        supervisor=colleague,
        supervisees=[clinician],
        held_at=datetime(2026, 10, 31, 23, 30, tzinfo=LONDON),
        minutes=30,
    )
    assert shares(login(lead).get(DASHBOARD, SHARE)) == {"North MSK": (5, 6)}


def test_the_team_filter_narrows_the_share(
    login, clinic_admin, clinician, patient, north, south_patient, outsider
):
    owned(patient, clinician, InterventionCode.CBT_REFRAMING)
    owned(south_patient, outsider, InterventionCode.CBT_REFRAMING)
    response = login(clinic_admin).get(DASHBOARD, {"team": north.pk, **SHARE})
    assert shares(response) == {"North MSK": (0, 1)}


def test_the_share_keeps_a_fixed_number_of_queries(
    login, lead, north, clinician, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            owner = UserFactory()
            MembershipFactory(team=north, user=owner, role=Membership.Role.MEMBER)
            TrainingRecordFactory(user=owner, competency=competency(CBT), level=Level.UNDER_SUPERVISION)
            SupervisionSessionFactory(
                supervisor=clinician, supervisees=[owner], held_at=datetime(2026, 10, 8, 9, tzinfo=LONDON)
            )
            patient = PatientFactory(team=north, primary_clinician=clinician)
            owned(patient, owner, InterventionCode.CBT_REFRAMING)
            owned(patient, owner, InterventionCode.GRADED_EXPOSURE)

    client = login(lead)
    add(2)
    with django_assert_max_num_queries(60) as few:
        client.get(DASHBOARD, SHARE)
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(DASHBOARD, SHARE)
    assert shares(response) == {"North MSK": (10, 20)}
