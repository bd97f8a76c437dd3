"""Conference actions and competence (issue 22): an action that adds a responsibility, or reschedules
one, passes the gate for its intervention (a reason in warn mode, recorded on the action and on the
responsibility it adds; refused in strict mode, nothing saved); other actions need no competence. The
clock is frozen on 19 November 2026."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils.html import strip_tags

from careplans.models import CarePlan, Responsibility
from careplans.services import part_create, part_update
from conferences import services
from conferences.models import ActionItem
from teams.models import Discipline
from training.models import Competency
from training.seed import competencies_ensure

from ..careplans.factories import make_plan
from ..factories import MembershipFactory, UserFactory
from ..training.factories import TrainingRecordFactory, competency

pytestmark = pytest.mark.untrained

NOW = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
STARTS = datetime(2026, 11, 19, 13, 0, tzinfo=UTC)
REASON = "Only psychologist until January; supervised by the lead"


@pytest.fixture(autouse=True)
def seeded_competencies(db):
    competencies_ensure(Competency)  # a transactional test before may have emptied the seeded ones


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rosa(north):
    user = UserFactory(
        username="rosa", first_name="Rosa", last_name="Diaz", discipline=Discipline.PSYCHOLOGIST
    )
    MembershipFactory(team=north, user=user)
    return user


@pytest.fixture
def conference(north, lead, clinician, rosa):
    conference = services.conference_plan(
        team=north, starts_at=STARTS, chair=lead, attendees=[rosa], user=lead
    )
    return services.conference_start(conference=conference, user=lead)


@pytest.fixture
def item(conference, patient, lead):
    return services.agenda_item_add(conference=conference, patient=patient, user=lead)


@pytest.fixture
def plan(patient, clinician):
    plan = make_plan(patient, clinician)
    return part_update(
        instance=plan, data={"status": CarePlan.Status.ACTIVE}, expected_version=plan.version, user=clinician
    )


def _url(conference, item):
    return reverse("action_new", kwargs={"conference_id": conference.pk, "item_id": item.pk})


def _post(owner, **fields):
    return {
        "description": "Graded exposure to bending, 6 sessions",
        "owner": owner.pk,
        "due_on": "2026-12-03",
        "plan-change": "add_responsibility",
        "plan-intervention": "graded_exposure",
        "plan-frequency": "weekly",
        **fields,
    }


def test_adding_work_for_an_owner_without_the_competence_asks_for_a_reason(
    login, conference, item, plan, lead, rosa
):
    response = login(lead).post(_url(conference, item), _post(rosa))
    assert response.status_code == 200
    assert response.context["action_form"].errors == {
        "competence_override_reason": [
            "Rosa Diaz lacks Graded exposure (no training record): give a reason to keep them as owner, or "
            "choose someone else."
        ]
    }
    assert not ActionItem.objects.exists() and not Responsibility.objects.exists()


def test_with_a_reason_the_action_and_its_responsibility_record_it(login, conference, item, plan, lead, rosa):
    client = login(lead)
    response = client.post(_url(conference, item), _post(rosa, competence_override_reason=REASON))
    assert response.status_code == 302
    action = ActionItem.objects.get()
    responsibility = Responsibility.objects.get(plan=plan)
    assert (action.owner, action.competence_override_reason) == (rosa, REASON)
    assert (responsibility.owner, responsibility.competence_override_reason) == (rosa, REASON)
    assert action.part == responsibility
    page = " ".join(strip_tags(client.get(item.get_absolute_url()).content.decode()).split())
    assert f"Owner without the competence: {REASON}" in page
    tasks = " ".join(strip_tags(login(rosa).get(reverse("my_tasks")).content.decode()).split())
    assert f"Owner without the competence: {REASON}" in tasks


@override_settings(COMPETENCE_GATE="strict")
def test_strict_refuses_the_owner_and_saves_nothing(login, conference, item, plan, lead, rosa):
    response = login(lead).post(_url(conference, item), _post(rosa, competence_override_reason=REASON))
    assert response.status_code == 200
    assert response.context["action_form"].errors == {
        "owner": [
            "Rosa Diaz lacks Graded exposure (no training record); the clinic assigns this work to "
            "competent owners only."
        ]
    }
    assert not ActionItem.objects.exists() and not Responsibility.objects.exists()


def test_a_competent_owner_needs_no_reason_and_none_is_kept(conference, item, plan, lead, rosa):
    TrainingRecordFactory(user=rosa, competency=competency("graded-exposure"), completed_on=date(2025, 5, 1))
    action = services.action_add(
        item=item,
        description="Graded exposure to bending",
        owner=rosa,
        due_on=date(2026, 12, 3),
        user=lead,
        plan_change={
            "change": "add_responsibility",
            "intervention": "graded_exposure",
            "frequency": "weekly",
        },
        competence_override_reason=REASON,
    )
    assert action.competence_override_reason == ""
    assert Responsibility.objects.get().competence_override_reason == ""


def test_rescheduling_a_responsibility_asks_for_its_interventions_competence(
    conference, item, plan, lead, rosa, clinician
):
    TrainingRecordFactory(
        user=clinician, competency=competency("cbt-informed-practice"), completed_on=date(2025, 5, 1)
    )
    responsibility = part_create(
        instance=Responsibility(
            plan=plan,
            intervention="cbt_reframing",
            owner=clinician,
            discipline=clinician.discipline,
            frequency="weekly",
            starts_on=date(2026, 11, 20),
        ),
        user=clinician,
    )
    change = {
        "change": "reschedule",
        "part": f"responsibility:{responsibility.pk}:1",
        "new_date": date(2027, 1, 8),
    }
    with pytest.raises(ValidationError) as refused:
        services.action_add(
            item=item,
            description="Carry on after Christmas",
            owner=rosa,
            due_on=date(2026, 12, 3),
            user=lead,
            plan_change=change,
        )
    assert (
        "Rosa Diaz lacks CBT-informed practice" in refused.value.message_dict["competence_override_reason"][0]
    )
    action = services.action_add(
        item=item,
        description="Carry on after Christmas",
        owner=clinician,
        due_on=date(2026, 12, 3),
        user=lead,
        plan_change=change,
    )
    assert action.competence_override_reason == ""
    responsibility.refresh_from_db()
    assert responsibility.ends_on == date(2027, 1, 8)


@override_settings(COMPETENCE_GATE="strict")
def test_an_action_that_does_not_touch_a_responsibility_needs_no_competence(
    conference, item, plan, lead, rosa
):
    action = services.action_add(
        item=item,
        description="Phone the patient about sleep",
        owner=rosa,
        due_on=date(2026, 12, 3),
        user=lead,
    )
    assert (action.owner, action.competence_override_reason) == (rosa, "")
