"""The printable plan, as a patient and family read it: who to call, no placeholders, a draft says so."""

import pytest
from django.urls import reverse

from careplans.models import Caregiver, CarePlan, PlanTemplate, Responsibility
from careplans.services import FREQUENCY_TO_AGREE, part_create, part_update

from .factories import make_exercise, make_goal, make_plan


def _print(client, plan) -> str:
    url = reverse("careplan_print", kwargs={"patient_id": plan.patient_id, "plan_id": plan.pk})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def clinic(settings):
    settings.CLINIC_NAME = "Riverside MSK Clinic"
    settings.CLINIC_PHONE = "020 7946 0123"


def test_the_print_carries_the_clinics_name_and_phone(clinic, login, clinician, patient):
    plan = make_plan(patient, clinician)
    text = _print(login(clinician), plan)
    assert "Riverside MSK Clinic" in text
    assert '<a href="tel:02079460123">020 7946 0123</a>' in text
    assert "contact Riverside MSK Clinic on 020 7946 0123 or your GP" in text


def test_a_draft_is_marked_as_a_draft_and_an_agreed_plan_is_not(login, clinician, patient):
    plan = make_plan(patient, clinician)
    assert plan.status == CarePlan.Status.DRAFT
    client = login(clinician)
    text = _print(client, plan)
    assert "DRAFT — not yet agreed." in text
    assert "<title>Draft: My rehabilitation plan" in text

    part_update(instance=plan, data={"status": "active"}, expected_version=plan.version, user=clinician)
    text = _print(client, plan)
    assert "DRAFT" not in text and "Draft" not in text and "(draft)" not in text


def test_template_placeholders_never_reach_the_family(login, clinician, colleague, patient):
    plan = make_plan(patient, clinician, template=PlanTemplate.objects.get(stratum="high"))
    proposed = list(plan.responsibilities.order_by("id"))
    assert proposed and all(r.frequency == FREQUENCY_TO_AGREE for r in proposed)
    client = login(clinician)

    text = _print(client, plan)
    assert FREQUENCY_TO_AGREE not in text
    # The template's own wording (its summary for the team) stays off the print too.
    assert plan.summary_psychological and plan.summary_psychological not in text
    # Who helps and how is still there, without the placeholder.
    first = proposed[0]
    assert f"{first.owner.get_full_name()} ({first.owner.get_discipline_display().lower()}): " in text
    assert f"{first.get_intervention_display()}</li>" in text

    # Once agreed, the frequency is shown.
    part_update(instance=first, data={"frequency": "weekly"}, expected_version=first.version, user=clinician)
    assert f"{first.get_intervention_display()}, weekly</li>" in _print(client, plan)


def test_stopped_help_and_caregivers_without_a_role_are_left_out(login, clinician, patient):
    plan = make_plan(patient, clinician, template=PlanTemplate.objects.get(stratum="low"))
    stopped = plan.responsibilities.order_by("id").first()
    part_update(
        instance=stopped,
        data={"status": Responsibility.Status.STOPPED},
        expected_version=stopped.version,
        user=clinician,
    )
    part_create(instance=Caregiver(plan=plan, name="Sam Okafor", relationship="son"), user=clinician)
    text = _print(login(clinician), plan)
    assert stopped.get_intervention_display() not in text
    assert "Sam Okafor" not in text


def test_the_print_shows_the_goals_and_exercises_in_plain_words(login, clinician, patient):
    plan = make_plan(patient, clinician)
    goal = make_goal(plan, clinician, words="Back to gardening")
    make_exercise(plan, clinician, goal=goal, lighter_alternative="2 sets from a higher chair")
    text = _print(login(clinician), plan)
    assert "“Back to gardening”" in text
    assert "On a bad day: 2 sets from a higher chair" in text


def test_an_outsider_gets_404_for_the_print(login, clinician, outsider, patient):
    plan = make_plan(patient, clinician)
    url = reverse("careplan_print", kwargs={"patient_id": patient.pk, "plan_id": plan.pk})
    assert login(outsider).get(url).status_code == 404
