"""FHIR R4: a review as a Task (status mapping, owner, for, focus, due day, reason, how it was resolved,
the plan parts it changed) and a plan as a CarePlan with its psychological support as an activity; each
validates with fhir.resources (R4B models); outsiders get the not-found OperationOutcome, audited."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan as FHIRCarePlan
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.task import Task

from careplans.models import Responsibility, SupportModality
from careplans.services import part_create, part_update
from routing.models import Review
from teams.models import AuditEvent

from ..careplans.factories import make_goal, make_milestone, make_plan
from .reporting_factories import make_review

FHIR_JSON = "application/fhir+json"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def fhir(response, model):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(FHIR_JSON), response["Content-Type"]
    return model.model_validate(response.json())


def task_url(review):
    return reverse("fhir_task", kwargs={"review_id": review.pk})


@pytest.fixture
def plan(patient, clinician, colleague):
    plan = make_plan(patient, clinician, summary_psychological="Fear of bending; avoids lifting.")
    return part_update(
        instance=plan,
        data={
            "support_by": colleague,
            "support_modality": SupportModality.TELEHEALTH,
            "support_frequency": "weekly for 6 weeks, then fortnightly",
        },
        expected_version=plan.version,
        user=clinician,
    )


@pytest.fixture
def graded_exposure(plan, colleague):
    return part_create(
        instance=Responsibility(
            plan=plan,
            intervention="graded_exposure",
            owner=colleague,
            discipline=colleague.discipline,
            frequency="weekly, 6 sessions",
            starts_on=date(2026, 11, 20),
            status=Responsibility.Status.ACTIVE,
        ),
        user=colleague,
    )


@pytest.mark.parametrize(
    ("state", "status"),
    [(Review.State.OPEN, "ready"), (Review.State.IN_PROGRESS, "in-progress")],
)
def test_an_unresolved_review_is_a_task_to_do(api_as, clinician, colleague, patient, state, status):
    review = make_review(patient, colleague, due_on=date(2026, 11, 30), state=state)
    task = fhir(api_as(clinician).get(task_url(review)), Task)
    assert task.status == status
    assert task.intent == "order"
    assert task.for_fhir.reference == f"Patient/{patient.pk}"
    assert task.focus.reference == f"QuestionnaireResponse/{review.screening_id}"
    assert task.owner.display == str(colleague)
    assert task.performerType[0].coding[0].code == "psychologist"
    assert task.restriction.period.end.isoformat().startswith("2026-11-30")
    assert task.reasonCode.text == "PCS 34 (high)"
    assert task.businessStatus is None and task.output is None


def test_a_review_resolved_into_plan_work_is_a_completed_task_with_its_outputs(
    api_as, clinician, colleague, patient, plan, graded_exposure
):
    milestone = make_milestone(make_goal(plan, clinician), clinician, due_date=date(2027, 1, 10))
    review = make_review(
        patient,
        colleague,
        due_on=date(2026, 11, 20),
        resolved_at=datetime(2026, 11, 18, 15, tzinfo=UTC),
        resolution_note="Graded exposure agreed.",
    )
    review.responsibilities.add(graded_exposure)
    review.milestones.add(milestone)
    task = fhir(api_as(clinician).get(task_url(review)), Task)
    assert task.status == "completed"
    assert task.businessStatus.coding[0].code == "plan_updated"
    assert task.businessStatus.text == "Plan updated"
    assert task.note[0].text == "Graded exposure agreed."
    assert task.executionPeriod.end is not None
    assert [(o.type.text, o.valueReference.reference) for o in task.output] == [
        ("Responsibility added or changed", f"CarePlan/{plan.pk}"),
        ("Milestone added or changed", f"CarePlan/{plan.pk}"),
    ]


def test_a_patients_tasks_are_a_searchset_in_pages(api_as, clinician, colleague, patient):
    reviews = [make_review(patient, colleague, due_on=date(2026, 12, n)) for n in (1, 2, 3)]
    client = api_as(clinician)
    bundle = fhir(client.get(reverse("fhir_task_list"), {"patient": patient.pk, "_count": 2}), Bundle)
    assert bundle.total == 3
    assert [e.resource.id for e in bundle.entry] == [str(reviews[2].pk), str(reviews[1].pk)]
    assert [link.relation for link in bundle.link] == ["self", "next"]
    assert AuditEvent.objects.filter(actor=clinician, patient=patient, action="view").exists()


def test_a_task_search_needs_a_patient(api_as, clinician):
    response = api_as(clinician).get(reverse("fhir_task_list"))
    assert response.status_code == 400
    assert OperationOutcome.model_validate(response.json()).issue[0].expression == ["patient"]


def test_an_outsider_gets_not_found_for_the_task_the_search_and_the_care_plan(
    api_as, outsider, colleague, patient, plan
):
    review = make_review(patient, colleague, due_on=date(2026, 11, 30))
    client = api_as(outsider)
    for url, params in (
        (task_url(review), {}),
        (reverse("fhir_task_list"), {"patient": patient.pk}),
        (reverse("fhir_care_plan", kwargs={"plan_id": plan.pk}), {}),
    ):
        response = client.get(url, params)
        assert response.status_code == 404, url
        assert OperationOutcome.model_validate(response.json()).issue[0].code == "not-found"
        assert patient.family_name not in response.content.decode()
    denied = AuditEvent.objects.filter(actor=outsider, action="denied", object_id=str(patient.pk))
    assert denied.count() == 3


def test_a_task_or_plan_that_does_not_exist_is_not_found(api_as, clinician):
    client = api_as(clinician)
    assert client.get(reverse("fhir_task", kwargs={"review_id": 999999})).status_code == 404
    assert client.get(reverse("fhir_care_plan", kwargs={"plan_id": 999999})).status_code == 404


def test_the_care_plan_carries_its_psychological_support_as_an_activity(
    api_as, clinician, colleague, patient, plan, graded_exposure
):
    resource = fhir(
        api_as(clinician).get(reverse("fhir_care_plan", kwargs={"plan_id": plan.pk})), FHIRCarePlan
    )
    assert resource.status == "draft" and resource.intent == "plan"
    assert resource.subject.reference == f"Patient/{patient.pk}"
    support, responsibility = (activity.detail for activity in resource.activity)
    assert support.code.coding[0].code == "telehealth"
    assert support.code.text == "Psychological support: One-to-one, by video or phone"
    assert support.performer[0].display == str(colleague)
    assert support.scheduledString == "weekly for 6 weeks, then fortnightly"
    assert responsibility.code.coding[0].code == "graded_exposure"
    assert (responsibility.status, responsibility.scheduledString) == ("in-progress", "weekly, 6 sessions")
    assert [note.text for note in resource.note] == ["Psychological: Fear of bending; avoids lifting."]
    assert AuditEvent.objects.filter(actor=clinician, patient=patient, action="view").exists()


def test_a_plan_whose_support_is_not_agreed_has_no_support_activity(api_as, clinician, patient):
    plan = make_plan(patient, clinician)
    body = api_as(clinician).get(reverse("fhir_care_plan", kwargs={"plan_id": plan.pk})).json()
    FHIRCarePlan.model_validate(body)
    assert "activity" not in body
