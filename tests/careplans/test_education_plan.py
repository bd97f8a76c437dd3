"""Education on the plan page: the items assigned with whether the patient read them, assigning from the
library (once per plan, politely refused twice), and the printable version for clinicians (plain language
where the patient's literacy is limited)."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from careplans.education_seed import education_ensure
from careplans.models import CarePlan, CarePreferences, EducationAssignment, EducationItem
from careplans.services import education_assign
from teams.models import AuditEvent

from .factories import make_plan


@pytest.fixture(autouse=True)
def starter_items(db):
    education_ensure(EducationItem)


@pytest.fixture
def plan(patient, clinician):
    return make_plan(patient, clinician)


def _item(slug="how-pain-works") -> EducationItem:
    return EducationItem.objects.get(slug=slug)


def _assign_url(plan) -> str:
    return reverse("careplan_education_assign", kwargs={"patient_id": plan.patient_id, "plan_id": plan.pk})


def _print_url(assignment, version="") -> str:
    url = reverse(
        "careplan_education_print",
        kwargs={"patient_id": assignment.plan.patient_id, "assignment_id": assignment.pk},
    )
    return f"{url}?version={version}" if version else url


def test_assigning_from_the_plan_page_lists_it_as_not_read_yet_and_is_audited(login, clinician, plan):
    client = login(clinician)
    page = client.get(plan.get_absolute_url())
    assert "Nothing assigned yet." in page.text
    # Offered: the active items for patients; the caregivers' item is sent to caregivers, not assigned here.
    assert "How pain works (How pain works; plain version about school year" in page.text
    assert "Signs of distress and how to help" not in page.text

    response = client.post(_assign_url(plan), {"item": _item().pk}, follow=True)
    assert "“How pain works” assigned" in response.text
    assignment = EducationAssignment.objects.get(plan=plan)
    assert assignment.assigned_by == clinician and assignment.first_read_at is None
    assert "not read yet" in response.text
    assert f'<option value="{_item().pk}">' not in response.text  # no longer offered
    event = AuditEvent.objects.get(object_type="educationassignment", action="create")
    assert event.actor == clinician and event.patient == plan.patient


def test_assigning_twice_is_refused_politely(login, clinician, colleague, plan):
    education_assign(plan=plan, item=_item(), user=colleague)
    with pytest.raises(ValidationError) as refused:
        education_assign(plan=plan, item=_item(), user=clinician)
    assert refused.value.message_dict == {"item": ["“How pain works” is already assigned on this plan."]}
    # The page (a second tab still offering it): a message, one assignment.
    response = login(clinician).post(_assign_url(plan), {"item": _item().pk}, follow=True)
    assert "Choose one of the items listed: it may have been assigned meanwhile." in response.text
    assert EducationAssignment.objects.filter(plan=plan).count() == 1


def test_only_active_items_for_patients_on_a_running_plan_can_be_assigned(clinician, plan):
    with pytest.raises(ValidationError):
        education_assign(plan=plan, item=_item("distress-signals-how-to-help"), user=clinician)
    EducationItem.objects.filter(slug="sleep-and-pain").update(active=False)
    with pytest.raises(ValidationError):
        education_assign(plan=plan, item=_item("sleep-and-pain"), user=clinician)
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.COMPLETED)
    plan.refresh_from_db()
    with pytest.raises(ValidationError):
        education_assign(plan=plan, item=_item(), user=clinician)
    assert not EducationAssignment.objects.exists()


def test_the_plan_page_says_when_and_in_which_version_it_was_read(login, clinician, plan):
    assignment = education_assign(plan=plan, item=_item(), user=clinician)
    read_at = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)  # 19:00 in London too (winter time)
    EducationAssignment.objects.filter(pk=assignment.pk).update(
        first_read_at=read_at, last_read_at=read_at, read_plain=False
    )
    page = login(clinician).get(plan.get_absolute_url()).text
    assert "read 30 Nov 2026, full version" in page


def test_an_outsider_can_neither_assign_nor_print(login, outsider, clinician, plan):
    assignment = education_assign(plan=plan, item=_item(), user=clinician)
    client = login(outsider)
    assert client.post(_assign_url(plan), {"item": _item("sleep-and-pain").pk}).status_code == 404
    assert client.get(_print_url(assignment)).status_code == 404
    assert EducationAssignment.objects.count() == 1
    assert AuditEvent.objects.filter(actor=outsider, action="denied").count() == 2


def test_the_print_is_plain_where_literacy_is_limited_with_the_other_version_a_click_away(
    login, clinician, patient, plan
):
    assignment = education_assign(plan=plan, item=_item(), user=clinician)
    client = login(clinician)
    full = client.get(_print_url(assignment)).text
    assert "Hurt does not always mean harm." in full and "This is the full version." in full

    CarePreferences.objects.create(patient=patient, forms_confidence=CarePreferences.FormsConfidence.SOMEWHAT)
    plain = client.get(_print_url(assignment))
    assert plain.status_code == 200
    assert "Your pain is real." in plain.text
    assert "This is the plain-language version, chosen because Amelia" in plain.text
    assert f"(Flesch-Kincaid grade {_item().plain_reading_grade})" in plain.text
    chosen_full = client.get(_print_url(assignment, version="full")).text
    assert "Hurt does not always mean harm." in chosen_full
    assert AuditEvent.objects.filter(actor=clinician, action="view", patient=patient).exists()


def test_the_print_of_another_patients_assignment_is_not_found(login, clinician, patient, north, plan):
    from ..factories import PatientFactory

    other = PatientFactory(team=north, primary_clinician=clinician)
    theirs = education_assign(plan=make_plan(other, clinician), item=_item(), user=clinician)
    url = reverse("careplan_education_print", kwargs={"patient_id": patient.pk, "assignment_id": theirs.pk})
    assert login(clinician).get(url).status_code == 404


def test_the_education_section_makes_as_many_queries_for_one_or_five_items(
    login, clinician, plan, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(clinician)
    education_assign(plan=plan, item=_item(), user=clinician)
    with CaptureQueriesContext(connection) as one:
        client.get(plan.get_absolute_url())
    for slug in ("pacing-everyday-activity", "sleep-and-pain", "flare-up-plan", "your-team"):
        education_assign(plan=plan, item=_item(slug), user=clinician)
    with django_assert_max_num_queries(len(one)):
        page = client.get(plan.get_absolute_url())
    assert page.text.count("not read yet") == 5


def test_a_race_lost_to_the_unique_constraint_is_refused_the_same_polite_way(
    clinician, colleague, plan, monkeypatch
):
    from django.db.models import QuerySet

    education_assign(plan=plan, item=_item(), user=colleague)
    # The other clinician's check ran before the first assignment was committed: it saw none.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(ValidationError) as refused:
        education_assign(plan=plan, item=_item(), user=clinician)
    monkeypatch.undo()
    assert refused.value.message_dict == {"item": ["“How pain works” is already assigned on this plan."]}
    assert EducationAssignment.objects.filter(plan=plan).count() == 1
    assert AuditEvent.objects.filter(object_type="educationassignment", actor=clinician).count() == 0
