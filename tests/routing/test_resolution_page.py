"""The review_plan page: the rule's proposals pre-filled, nothing ticked, each item accepted, edited or
dropped; errors next to their field; a stale review or a missing plan said plainly."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careplans.models import Goal, Responsibility
from careplans.services import FREQUENCY_TO_AGREE
from routing.models import Condition, Rescreen, Review, RoutingRule
from teams.models import AuditEvent, Discipline

from ..careplans.factories import make_goal, make_plan
from ..factories import MembershipFactory, UserFactory
from ..screening.factories import record
from .helpers import answers_for

TODAY = date(2026, 10, 5)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-10-05 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def rule(db):
    RoutingRule.objects.update(is_active=False)
    return RoutingRule.objects.create(
        name="Test: high catastrophizing",
        instrument="PCS",
        condition=Condition.SCORE,
        low=30,
        discipline=Discipline.PSYCHOLOGIST,
        due_days=7,
        interventions=["graded_exposure", "cbt_reframing", "exercise_therapy"],
        rescreen_days=42,
        rationale="Catastrophizing predicts poor recovery.",
        source="Sullivan 1995",
        is_active=False,
    )


@pytest.fixture
def review(patient, clinician, colleague, rule):
    screening = record(patient, clinician, code="PCS", answers=answers_for("PCS", 34))
    return Review.objects.create(
        patient=patient,
        screening=screening,
        rule=rule,
        reason="PCS total 34: high catastrophizing",
        discipline=Discipline.PSYCHOLOGIST,
        owner=colleague,
        due_on=TODAY + timedelta(days=7),
    )


@pytest.fixture
def plan(patient, clinician):
    return make_plan(patient, clinician)


def _url(review):
    return reverse("review_plan", kwargs={"patient_id": review.patient_id, "review_id": review.pk})


def _post_data(page_response, **changes):
    """What the page's form would send as loaded (nothing ticked), with ``changes``."""
    data = {}
    for form in (
        *page_response.context["responsibility_forms"],
        page_response.context["responsibility_forms"].management_form,
        page_response.context["rescreen_form"],
        page_response.context["support_form"],
        page_response.context["resolve_form"],
        *([page_response.context["milestone_form"]] if page_response.context["milestone_form"] else []),
    ):
        for name, field in form.fields.items():
            if name == "accept":
                continue
            value = form.initial.get(name, field.initial)
            if hasattr(value, "pk"):
                value = value.pk
            if isinstance(value, date):
                value = value.isoformat()
            data[form.add_prefix(name)] = "" if value is None else value
    return data | changes


def test_the_page_proposes_the_rules_work_filled_in_and_nothing_ticked(
    login, review, plan, colleague, clinician
):
    make_goal(plan, clinician)
    response = login(colleague).get(_url(review))
    assert response.status_code == 200
    proposals = [form.initial for form in response.context["responsibility_forms"]]
    # The rule's three, and a blank one for work it did not think of.
    assert [p["intervention"] for p in proposals] == [
        "graded_exposure",
        "cbt_reframing",
        "exercise_therapy",
        "",
    ]
    proposals = proposals[:3]
    # The reviewer takes their own discipline's work; the physiotherapy goes to the team's physio.
    assert [(p["owner"], p["discipline"]) for p in proposals] == [
        (colleague, Discipline.PSYCHOLOGIST),
        (colleague, Discipline.PSYCHOLOGIST),
        (clinician, Discipline.PHYSIOTHERAPIST),
    ]
    assert {p["frequency"] for p in proposals} == {FREQUENCY_TO_AGREE}
    assert {p["starts_on"] for p in proposals} == {TODAY}
    milestone = response.context["milestone_form"].initial
    assert milestone["description"] == "PCS re-screen shows reliable improvement"
    assert milestone["due_date"] == date(2026, 11, 16)
    assert response.context["rescreen_form"].initial["rescreen_on"] == date(2026, 11, 16)
    assert response.context["support_form"].initial["support_by"] == colleague
    assert "checked" not in response.text.split('name="csrfmiddlewaretoken"')[1]
    assert "Add graded exposure to the plan" in response.text
    assert "Add CBT-informed reframing to the plan" in response.text
    assert "Sullivan 1995" in response.text


def test_keeping_graded_exposure_and_the_rescreen_drops_the_rest(login, review, plan, colleague):
    client = login(colleague)
    page = client.get(_url(review))
    data = _post_data(
        page,
        **{
            "responsibility-0-accept": "on",
            "responsibility-0-frequency": "weekly, 6 sessions",
            "rescreen-accept": "on",
            "note": "Agreed with the patient.",
        },
    )
    response = client.post(_url(review), data)
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    added = Responsibility.objects.get(plan=plan)
    assert (added.intervention, added.owner, added.frequency) == (
        "graded_exposure",
        colleague,
        "weekly, 6 sessions",
    )
    assert Rescreen.objects.get(patient=review.patient, state="due").due_on == date(2026, 11, 16)
    review.refresh_from_db()
    assert review.resolution == Review.Resolution.PLAN_UPDATED
    assert list(review.responsibilities.all()) == [added]
    plan.refresh_from_db()
    assert plan.support_by is None  # not ticked: not changed
    followed = client.get(response.url)
    assert "Review resolved: the plan is updated. PCS re-screen due 16 Nov 2026." in followed.text
    assert "Reason: Psychosocial review: PCS total 34: high catastrophizing" in followed.text


def test_an_edited_proposal_is_saved_as_edited(login, review, plan, colleague, clinician):
    client = login(colleague)
    data = _post_data(
        client.get(_url(review)),
        **{
            "responsibility-1-accept": "on",
            "responsibility-1-intervention": "relaxation",
            "responsibility-1-owner": clinician.pk,
            "responsibility-1-discipline": Discipline.PHYSIOTHERAPIST,
            "support-accept": "on",
            "support-support_modality": "telehealth",
            "support-support_frequency": "fortnightly",
        },
    )
    assert client.post(_url(review), data).status_code == 302
    added = Responsibility.objects.get(plan=plan)
    assert (added.intervention, added.owner) == ("relaxation", clinician)
    plan.refresh_from_db()
    assert (plan.support_by, plan.support_modality, plan.support_frequency) == (
        colleague,
        "telehealth",
        "fortnightly",
    )


def test_errors_are_answered_per_field_and_nothing_is_saved(login, review, plan, colleague, outsider):
    client = login(colleague)
    data = _post_data(
        client.get(_url(review)),
        **{
            "responsibility-0-accept": "on",
            "responsibility-0-frequency": "",
            "responsibility-2-accept": "on",
            "responsibility-2-owner": outsider.pk,
            "rescreen-accept": "on",
            "rescreen-rescreen_on": "2026-10-01",
        },
    )
    response = client.post(_url(review), data)
    assert response.status_code == 200
    assert "Nothing was saved: see the items marked below." in response.text
    forms = response.context["responsibility_forms"]
    assert forms[0].errors["frequency"] == ["Say how often (or “to agree with the patient”)."]
    assert forms[2].errors["owner"] == ["Choose a member of the patient's team."]
    assert not forms[1].errors  # not ticked: not checked
    assert not Responsibility.objects.filter(plan=plan).exists()
    review.refresh_from_db()
    assert review.state == Review.State.OPEN

    # Fields right, but the day is past: the service's refusal lands on its field.
    data |= {"responsibility-0-frequency": "weekly", "responsibility-2-accept": ""}
    response = client.post(_url(review), data)
    assert response.context["rescreen_form"].errors["rescreen_on"] == ["The re-screen cannot be in the past."]
    assert not Responsibility.objects.filter(plan=plan).exists()


def test_a_review_changed_meanwhile_says_so_and_saves_nothing(login, review, plan, colleague, clinician):
    client = login(colleague)
    data = _post_data(client.get(_url(review)), **{"responsibility-0-accept": "on"})
    Review.objects.filter(pk=review.pk).update(version=2, owner=clinician)
    response = client.post(_url(review), data)
    assert response.status_code == 200
    assert "Someone changed this review since you opened it" in response.text
    assert not Responsibility.objects.filter(plan=plan).exists()
    # Saving again, having read it, goes ahead from what is stored now.
    assert response.context["resolve_form"].data["version"] == "2"


def test_without_a_plan_the_page_says_so_and_links_to_creating_it(login, review, colleague, patient):
    response = login(colleague).get(_url(review))
    assert "has no active or draft care plan" in response.text
    assert reverse("careplan_new", kwargs={"patient_id": patient.pk}) in response.text
    assert "responsibility_forms" not in response.context


def test_without_a_goal_no_milestone_is_proposed_and_it_says_why(login, review, plan, colleague):
    response = login(colleague).get(_url(review))
    assert response.context["milestone_form"] is None
    assert "the plan has no goal yet" in response.text


def test_a_resolved_review_shows_its_resolution_not_the_form(login, review, plan, colleague):
    client = login(colleague)
    data = _post_data(client.get(_url(review)), **{"responsibility-0-accept": "on"})
    client.post(_url(review), data)
    response = client.get(_url(review))
    assert "This review is resolved (plan updated)" in response.text
    assert "responsibility_forms" not in response.context


def test_an_outsider_gets_404_and_changes_nothing(login, review, plan, outsider):
    client = login(outsider)
    assert client.get(_url(review)).status_code == 404
    response = client.post(_url(review), {"version": 1, "responsibility-TOTAL_FORMS": 1})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(actor=outsider, action=AuditEvent.Action.DENIED).exists()


def test_a_review_of_another_patient_is_not_found_through_this_one(
    login, review, plan, colleague, north, clinician
):
    from ..factories import PatientFactory

    other = PatientFactory(team=north, primary_clinician=clinician)
    url = reverse("review_plan", kwargs={"patient_id": other.pk, "review_id": review.pk})
    assert login(colleague).get(url).status_code == 404


def test_the_page_runs_the_same_queries_for_1_or_12_goals_and_members(
    login, review, plan, colleague, clinician, north, django_assert_max_num_queries
):
    client = login(colleague)
    make_goal(plan, clinician)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(review)).status_code == 200
        return len(captured)

    few = queries()
    for number in range(11):
        make_goal(plan, clinician, words=f"Goal {number}")
        MembershipFactory(team=north, user=UserFactory(username=f"member{number}"))
    assert Goal.objects.filter(plan=plan).count() == 12
    assert queries() == few
    with django_assert_max_num_queries(30):
        client.get(_url(review))


def test_under_emergency_access_the_page_reads_and_changes_nothing(login, review, plan, outsider):
    client = login(outsider)
    reason = "Patient collapsed in the south gym; need the risk history now."
    response = client.post(reverse("emergency_access"), {"mrn": review.patient.mrn, "reason": reason})
    assert response.status_code == 302
    page = client.get(_url(review))
    assert page.status_code == 200
    assert "Only Amelia's team resolves this review" in page.text
    assert "responsibility_forms" not in page.context
    posted = client.post(_url(review), {"version": 1, "responsibility-TOTAL_FORMS": 0})
    assert posted.status_code == 403
    assert not Responsibility.objects.filter(plan=plan).exists()


def test_a_physiotherapists_review_with_psychology_support_proposes_the_teams_psychologist(
    login, review, plan, rule, clinician, colleague
):
    RoutingRule.objects.filter(pk=rule.pk).update(
        discipline=Discipline.PHYSIOTHERAPIST, support_discipline=Discipline.PSYCHOLOGIST
    )
    Review.objects.filter(pk=review.pk).update(owner=clinician, discipline=Discipline.PHYSIOTHERAPIST)
    response = login(clinician).get(_url(review))
    assert response.context["support_form"].initial["support_by"] == colleague
    # The physiotherapist reviewing takes the physiotherapy; the psychologist the psychological work.
    owners = [form.initial["owner"] for form in response.context["responsibility_forms"]]
    assert owners == [colleague, colleague, clinician, clinician]


def test_work_the_rule_did_not_propose_is_added_on_the_blank_item(login, review, plan, colleague):
    client = login(colleague)
    page = client.get(_url(review))
    assert "Another responsibility, if you want one" in page.text
    data = _post_data(page, **{"responsibility-3-accept": "on"})
    response = client.post(_url(review), data)
    assert response.context["responsibility_forms"][3].errors["intervention"] == ["Choose the intervention."]
    data["responsibility-3-intervention"] = "relaxation"
    assert client.post(_url(review), data).status_code == 302
    added = Responsibility.objects.get(plan=plan)
    assert (added.intervention, added.owner, added.discipline) == ("relaxation", colleague, "psychologist")
