"""The competence gate on a plan's responsibilities (issue 22): the plan page's form, the API, and the
template's proposals. An owner without what the intervention needs is kept with a reason (warn, the
reason recorded and shown on the plan) or refused (strict, on the owner field); a competent owner needs
no reason. The clock is frozen on 15 November 2026 (London): last full month, October."""

from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careplans.catalogue import InterventionCode
from careplans.models import CarePlan, PlanTemplate, Responsibility
from careplans.services import part_create, part_update
from teams.models import AuditEvent, Discipline
from training.models import Competency
from training.seed import competencies_ensure

from ..factories import MembershipFactory, PatientFactory, UserFactory
from ..training.factories import LONDON, TrainingRecordFactory, competency
from .factories import make_plan

pytestmark = pytest.mark.untrained

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=LONDON)
CBT = "cbt-informed-practice"
REASON = "Only psychologist this month; supervised by Dr Reyes"


@pytest.fixture(autouse=True)
def seeded_competencies(db):
    competencies_ensure(Competency)  # a transactional test before may have emptied the seeded ones


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def psychologist(north):
    user = UserFactory(
        username="rosa", first_name="Rosa", last_name="Diaz", discipline=Discipline.PSYCHOLOGIST
    )
    MembershipFactory(team=north, user=user)
    return user


@pytest.fixture
def trained_psychologist(north):
    user = UserFactory(
        username="ana", first_name="Ana", last_name="Reyes", discipline=Discipline.PSYCHOLOGIST
    )
    MembershipFactory(team=north, user=user)
    TrainingRecordFactory(user=user, competency=competency(CBT), completed_on=date(2025, 3, 1))
    return user


@pytest.fixture
def plan(patient, clinician):
    return make_plan(patient, clinician)


def _url(plan, name, **kwargs):
    return reverse(name, kwargs={"patient_id": plan.patient_id, "plan_id": plan.pk, **kwargs})


def _form(owner, **fields):
    return {
        "intervention": InterventionCode.CBT_REFRAMING,
        "details": "Reframing fear of bending",
        "owner": owner.pk,
        "discipline": owner.discipline,
        "frequency": "weekly",
        "modality": "in_person",
        "starts_on": "2026-11-16",
        "status": "planned",
        **fields,
    }


def _responsibility(plan, owner, user, reason=""):
    return part_create(
        instance=Responsibility(
            plan=plan,
            intervention=InterventionCode.CBT_REFRAMING,
            owner=owner,
            discipline=owner.discipline,
            frequency="weekly",
            starts_on=date(2026, 11, 16),
            competence_override_reason=reason,
        ),
        user=user,
    )


# The plan page ---------------------------------------------------------------------------------------


def test_an_owner_without_the_competence_is_asked_for_a_reason_and_nothing_is_saved(
    login, clinician, psychologist, plan
):
    response = login(clinician).post(
        _url(plan, "careplan_part_new", part="responsibility"), _form(psychologist)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "competence_override_reason": [
            "Rosa Diaz lacks CBT-informed practice (no training record): give a reason to keep them as "
            "owner, or choose someone else."
        ]
    }
    assert 'name="competence_override_reason"' in response.content.decode()
    assert not Responsibility.objects.exists()


def test_with_a_reason_the_owner_is_kept_and_the_plan_shows_why(login, clinician, psychologist, plan):
    client = login(clinician)
    response = client.post(
        _url(plan, "careplan_part_new", part="responsibility"),
        _form(psychologist, competence_override_reason=REASON),
    )
    assert response.status_code == 302
    responsibility = Responsibility.objects.get()
    assert (responsibility.owner, responsibility.competence_override_reason) == (psychologist, REASON)
    assert responsibility.history.get().competence_override_reason == REASON
    page = " ".join(client.get(plan.get_absolute_url()).content.decode().split())
    assert f"Kept without CBT-informed practice: {REASON}" in page


@override_settings(COMPETENCE_GATE="strict")
def test_strict_refuses_the_owner_on_the_owner_field_whatever_the_reason(
    login, clinician, psychologist, plan
):
    response = login(clinician).post(
        _url(plan, "careplan_part_new", part="responsibility"),
        _form(psychologist, competence_override_reason=REASON),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "owner": [
            "Rosa Diaz lacks CBT-informed practice (no training record); the clinic assigns this work to "
            "competent owners only."
        ]
    }
    assert not Responsibility.objects.exists()


def test_a_competent_owner_saves_without_a_reason_and_a_reason_sent_is_not_kept(
    login, clinician, trained_psychologist, plan
):
    client = login(clinician)
    url = _url(plan, "careplan_part_new", part="responsibility")
    assert client.post(url, _form(trained_psychologist, competence_override_reason=REASON)).status_code == 302
    assert Responsibility.objects.get().competence_override_reason == ""


@override_settings(COMPETENCE_GATE="strict")
def test_strict_saves_a_competent_owner(login, clinician, trained_psychologist, plan):
    response = login(clinician).post(
        _url(plan, "careplan_part_new", part="responsibility"), _form(trained_psychologist)
    )
    assert response.status_code == 302 and Responsibility.objects.get().owner == trained_psychologist


def test_an_unrelated_edit_does_not_ask_again_and_keeps_the_reason(login, clinician, psychologist, plan):
    kept = _responsibility(plan, psychologist, clinician, reason=REASON)
    response = login(clinician).post(
        _url(plan, "careplan_part_edit", part="responsibility", part_id=kept.pk),
        _form(psychologist, frequency="fortnightly", version=kept.version),
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert (kept.frequency, kept.competence_override_reason, kept.version) == ("fortnightly", REASON, 2)


def test_a_new_owner_without_the_competence_needs_a_reason_of_their_own(
    login, clinician, psychologist, plan, north
):
    other = UserFactory(first_name="Tom", last_name="Hale", discipline=Discipline.PSYCHOLOGIST)
    MembershipFactory(team=north, user=other)
    kept = _responsibility(plan, psychologist, clinician, reason=REASON)
    url = _url(plan, "careplan_part_edit", part="responsibility", part_id=kept.pk)
    client = login(clinician)
    response = client.post(url, _form(other, version=kept.version))
    assert list(response.context["form"].errors) == ["competence_override_reason"]
    assert (
        "Tom Hale lacks CBT-informed practice"
        in response.context["form"].errors["competence_override_reason"][0]
    )
    kept.refresh_from_db()
    assert (kept.owner, kept.version) == (psychologist, 1)
    response = client.post(
        url, _form(other, version=kept.version, competence_override_reason="Covering Rosa")
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert (kept.owner, kept.competence_override_reason) == (other, "Covering Rosa")


def test_a_competent_new_owner_clears_the_reason(login, clinician, psychologist, trained_psychologist, plan):
    kept = _responsibility(plan, psychologist, clinician, reason=REASON)
    response = login(clinician).post(
        _url(plan, "careplan_part_edit", part="responsibility", part_id=kept.pk),
        _form(trained_psychologist, version=kept.version),
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert (kept.owner, kept.competence_override_reason) == (trained_psychologist, "")
    assert (
        "competence_override_reason"
        in AuditEvent.objects.filter(object_type="responsibility").latest("id").changed_fields
    )


def test_changing_the_work_asks_again(clinician, trained_psychologist, plan):
    kept = _responsibility(plan, trained_psychologist, clinician)
    with pytest.raises(Exception, match="lacks Graded exposure"):
        part_update(
            instance=kept,
            data={"intervention": InterventionCode.GRADED_EXPOSURE},
            expected_version=1,
            user=clinician,
        )


def test_a_lapsed_renewal_asks_for_a_reason_from_the_day_after_it(login, clinician, psychologist, plan):
    TrainingRecordFactory(
        user=psychologist,
        competency=competency(CBT),
        completed_on=date(2024, 11, 15),
        renews_on=date(2026, 11, 14),
    )
    response = login(clinician).post(
        _url(plan, "careplan_part_new", part="responsibility"), _form(psychologist)
    )
    assert "renewal lapsed on 14 Nov 2026" in response.context["form"].errors["competence_override_reason"][0]


# The API -----------------------------------------------------------------------------------------------


def _api_url(plan, part_id):
    return reverse(
        "api_care_plan_part",
        kwargs={
            "patient_id": plan.patient_id,
            "plan_id": plan.pk,
            "part": "responsibility",
            "part_id": part_id,
        },
    )


def test_the_api_answers_400_on_the_reason_then_stores_the_reason_given(
    api_as, clinician, psychologist, trained_psychologist, plan
):
    responsibility = _responsibility(plan, trained_psychologist, clinician)
    url = _api_url(plan, responsibility.pk)
    client = api_as(clinician)
    refused = client.patch(url, {"version": 1, "owner": psychologist.pk}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["competence_override_reason"]
    assert (
        "Rosa Diaz lacks CBT-informed practice" in refused.json()["errors"]["competence_override_reason"][0]
    )
    saved = client.patch(
        url, {"version": 1, "owner": psychologist.pk, "competence_override_reason": REASON}, format="json"
    )
    assert saved.status_code == 200, saved.json()
    assert (saved.json()["owner"], saved.json()["competence_override_reason"]) == (psychologist.pk, REASON)
    responsibility.refresh_from_db()
    assert responsibility.competence_override_reason == REASON
    whole = client.get(reverse("api_patient_care_plan", kwargs={"patient_id": plan.patient_id})).json()
    assert [r["competence_override_reason"] for r in whole["responsibilities"]] == [REASON]


@override_settings(COMPETENCE_GATE="strict")
def test_strict_api_answers_400_on_the_owner(api_as, clinician, psychologist, trained_psychologist, plan):
    responsibility = _responsibility(plan, trained_psychologist, clinician)
    refused = api_as(clinician).patch(
        _api_url(plan, responsibility.pk),
        {"version": 1, "owner": psychologist.pk, "competence_override_reason": REASON},
        format="json",
    )
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["owner"]
    responsibility.refresh_from_db()
    assert responsibility.owner == trained_psychologist


# The template's proposals --------------------------------------------------------------------------------


def test_a_template_proposes_the_competent_member_before_the_first_by_name(
    clinician, psychologist, trained_psychologist, patient
):
    plan = make_plan(patient, clinician, template=PlanTemplate.objects.get(stratum="high"))
    cbt = plan.responsibilities.get(intervention=InterventionCode.CBT_REFRAMING)
    # Diaz comes before Reyes by name; Reyes holds CBT-informed practice.
    assert (cbt.owner, cbt.competence_override_reason) == (trained_psychologist, "")


def test_with_nobody_competent_the_template_proposes_by_discipline_and_says_why(
    clinician, psychologist, patient
):
    plan = make_plan(patient, clinician, template=PlanTemplate.objects.get(stratum="high"))
    cbt = plan.responsibilities.get(intervention=InterventionCode.CBT_REFRAMING)
    assert cbt.owner == psychologist
    assert cbt.competence_override_reason == (
        "No member of North MSK holds CBT-informed practice; proposed by discipline from the plan template."
    )
    pacing = plan.responsibilities.get(intervention=InterventionCode.ACTIVITY_PACING)
    assert pacing.competence_override_reason == ""


@override_settings(COMPETENCE_GATE="strict")
def test_strict_leaves_out_what_nobody_can_take_and_the_page_says_so(
    login, clinician, trained_psychologist, patient
):
    response = login(clinician).post(
        reverse("careplan_new", kwargs={"patient_id": patient.pk}),
        {
            "template": PlanTemplate.objects.get(stratum="high").pk,
            "start_date": "2026-11-16",
            "review_date": "2026-12-28",
            "risk_stratum": "high",
        },
        follow=True,
    )
    plan = CarePlan.objects.get(patient=patient)
    assert set(plan.responsibilities.values_list("intervention", flat=True)) == {
        InterventionCode.CBT_REFRAMING,
        InterventionCode.ACTIVITY_PACING,
    }
    text = " ".join(response.content.decode().split())
    assert (
        "Not proposed, as nobody in the team holds the competencies they need: Psychologically informed "
        "physiotherapy, Graded exposure, Motivational interviewing."
    ) in text


def test_the_reasons_on_the_plan_page_cost_one_query_however_many(
    login, clinician, psychologist, patient, north
):
    def page_queries(plan):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(plan.get_absolute_url()).status_code == 200
        return len(queries)

    client = login(clinician)
    one = make_plan(patient, clinician)
    _responsibility(one, psychologist, clinician, reason=REASON)
    many = make_plan(PatientFactory(team=north, primary_clinician=clinician), clinician)
    for number in range(6):
        _responsibility(many, psychologist, clinician, reason=f"{REASON} ({number})")
    page_queries(one)  # warm the session and the caches
    assert page_queries(one) == page_queries(many)
