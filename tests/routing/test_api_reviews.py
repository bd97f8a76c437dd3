"""The reviews API (read): a patient's reviews and one review with every field a client needs, the
clinic-wide list narrowed as the queue is and limited to the user's teams; outsiders get 404; every
read audited; a fixed number of queries; and the care plan's psychological support, read and changed
through the versioned view."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from careplans.models import Responsibility, SupportModality
from careplans.services import part_create
from teams.models import AuditEvent

from ..careplans.factories import make_goal, make_milestone, make_plan
from ..factories import PatientFactory
from .reporting_factories import make_review

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def reviews_url(patient):
    return reverse("api_patient_reviews", kwargs={"patient_id": patient.pk})


def review_url(review):
    return reverse("api_review_detail", kwargs={"patient_id": review.patient_id, "review_id": review.pk})


@pytest.fixture
def resolved(patient, colleague, clinician):
    """A review resolved as plan updated, with the responsibility and milestone it added."""
    plan = make_plan(patient, clinician)
    responsibility = part_create(
        instance=Responsibility(
            plan=plan,
            intervention="graded_exposure",
            owner=colleague,
            discipline=colleague.discipline,
            frequency="weekly",
            starts_on=TODAY,
        ),
        user=colleague,
    )
    milestone = make_milestone(make_goal(plan, clinician), clinician, due_date=date(2027, 1, 10))
    review = make_review(
        patient,
        colleague,
        due_on=date(2026, 11, 20),
        opened_at=datetime(2026, 11, 13, 9, tzinfo=UTC),
        resolved_at=datetime(2026, 11, 18, 15, tzinfo=UTC),
        resolution_note="Graded exposure agreed with the patient.",
    )
    review.responsibilities.add(responsibility)
    review.milestones.add(milestone)
    return review, responsibility, milestone


def test_one_review_reads_with_every_field(api_as, clinician, colleague, resolved):
    review, responsibility, milestone = resolved
    response = api_as(clinician).get(review_url(review))
    assert response.status_code == 200
    assert response.json() == {
        "id": review.pk,
        "patient_id": review.patient_id,
        "reason": "PCS 34 (high)",
        "instrument": "PCS",
        "result": review.screening_id,
        "rule": "Reporting test rule",
        "discipline": "psychologist",
        "owner": "psych",
        "opened_at": "2026-11-13T09:00:00Z",
        "due_on": "2026-11-20",
        "state": "resolved",
        "started_at": None,
        "resolution": "plan_updated",
        "note": "Graded exposure agreed with the patient.",
        "resolved_by": "psych",
        "resolved_at": "2026-11-18T15:00:00Z",
        "improved_at": None,
        "responsibilities": [responsibility.pk],
        "milestones": [milestone.pk],
        "overdue": False,
        "version": 1,
        "competence_override_reason": "",
    }


def test_an_unresolved_review_past_its_due_day_says_overdue(api_as, clinician, patient, colleague):
    late = make_review(patient, colleague, due_on=TODAY - timedelta(days=1))
    today = make_review(patient, colleague, due_on=TODAY)
    client = api_as(clinician)
    assert client.get(review_url(late)).json()["overdue"] is True
    assert client.get(review_url(today)).json()["overdue"] is False


def test_a_patients_reviews_list_newest_first_and_is_audited(api_as, clinician, patient, colleague, resolved):
    newer = make_review(patient, colleague, due_on=TODAY + timedelta(days=7))
    response = api_as(clinician).get(reviews_url(patient))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [newer.pk, resolved[0].pk]
    assert AuditEvent.objects.filter(actor=clinician, patient=patient, action="view").exists()


def test_another_patients_review_is_not_found_under_this_patient(
    api_as, clinician, patient, colleague, north
):
    other = PatientFactory(team=north)
    review = make_review(other, colleague, due_on=TODAY)
    url = reverse("api_review_detail", kwargs={"patient_id": patient.pk, "review_id": review.pk})
    assert api_as(clinician).get(url).status_code == 404


def test_an_outsider_gets_404_for_the_patients_reviews_and_is_audited(api_as, outsider, patient, colleague):
    review = make_review(patient, colleague, due_on=TODAY)
    client = api_as(outsider)
    for url in (reviews_url(patient), review_url(review)):
        response = client.get(url)
        assert response.status_code == 404
        assert "PCS" not in response.content.decode()
    denied = AuditEvent.objects.filter(actor=outsider, action="denied", object_id=str(patient.pk))
    assert denied.count() == 2


def test_the_clinic_wide_list_shows_only_the_users_teams_and_narrows_by_mine_state_and_overdue(
    api_as, clinician, colleague, patient, south_patient, outsider, north
):
    mine = make_review(patient, clinician, due_on=TODAY - timedelta(days=2))
    theirs = make_review(patient, colleague, due_on=TODAY + timedelta(days=3))
    done = make_review(patient, colleague, due_on=TODAY - timedelta(days=9), resolved_at=NOW)
    make_review(south_patient, outsider, due_on=TODAY - timedelta(days=2))  # another team's
    client = api_as(clinician)
    url = reverse("api_review_list")

    def ids(**params):
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [mine.pk, theirs.pk]  # unresolved, soonest due first
    assert ids(mine="true") == [mine.pk]
    assert ids(overdue="true") == [mine.pk]
    assert ids(state="resolved") == [done.pk]
    assert set(ids(state="all")) == {mine.pk, theirs.pk, done.pk}
    assert ids(team=north.pk) == [mine.pk, theirs.pk]
    logged = AuditEvent.objects.filter(actor=clinician, action="view", object_type="review list")
    assert set(logged.values_list("patient_id", flat=True)) == {patient.pk}


def test_the_clinic_wide_list_refuses_a_filter_it_does_not_know(api_as, clinician):
    client = api_as(clinician)
    response = client.get(reverse("api_review_list"), {"state": "lost"})
    assert response.status_code == 400
    assert "state" in response.json()["errors"]
    assert client.get(reverse("api_review_list"), {"team": 999999}).status_code == 400


def test_the_review_lists_run_a_fixed_number_of_queries(
    api_as, clinician, colleague, north, resolved, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(clinician)
    patient = resolved[0].patient
    for url in (reviews_url(patient), reverse("api_review_list") + "?state=all"):
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for _ in range(4):
            review = make_review(patient, colleague, due_on=TODAY)
            review.responsibilities.add(*resolved[0].responsibilities.all())
            review.milestones.add(*resolved[0].milestones.all())
        with django_assert_max_num_queries(len(few)):
            assert len(client.get(url).json()["results"]) >= 5


# The care plan's psychological support --------------------------------------------------------------


def test_the_care_plan_shows_its_psychological_support(api_as, clinician, colleague, patient):
    plan = make_plan(patient, clinician)
    plan.support_by = colleague
    plan.support_modality = SupportModality.TELEHEALTH
    plan.support_frequency = "weekly for 6 weeks"
    plan.save()
    body = api_as(clinician).get(reverse("api_patient_care_plan", kwargs={"patient_id": patient.pk})).json()
    assert (body["support_by"], body["support_modality"], body["support_frequency"]) == (
        "psych",
        "telehealth",
        "weekly for 6 weeks",
    )


def test_the_support_is_changed_through_the_versioned_view_with_its_version_check(
    api_as, clinician, colleague, patient
):
    plan = make_plan(patient, clinician)
    url = reverse("api_care_plan_support", kwargs={"patient_id": patient.pk, "plan_id": plan.pk})
    client = api_as(clinician)
    shown = client.get(url).json()
    assert shown == {
        "id": plan.pk,
        "version": plan.version,
        "support_by": None,
        "support_modality": "",
        "support_frequency": "",
    }
    changed = client.patch(
        url,
        {"version": shown["version"], "support_by": colleague.pk, "support_modality": "group"},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["support_by"] == colleague.pk
    plan.refresh_from_db()
    assert (plan.support_by, plan.support_modality) == (colleague, "group")
    # From the old version, a different modality clashes with the one saved meanwhile.
    clash = client.patch(url, {"version": shown["version"], "support_modality": "digital"}, format="json")
    assert clash.status_code == 409
    assert "support_modality" in clash.json()["errors"]


def test_support_without_anyone_to_deliver_it_is_refused_by_the_pages_rule(api_as, clinician, patient):
    plan = make_plan(patient, clinician)
    url = reverse("api_care_plan_support", kwargs={"patient_id": patient.pk, "plan_id": plan.pk})
    response = api_as(clinician).patch(
        url, {"version": plan.version, "support_frequency": "weekly"}, format="json"
    )
    assert response.status_code == 400
    assert "support_by" in response.json()["errors"]


def test_an_outsider_cannot_read_or_change_the_support(api_as, outsider, clinician, patient):
    plan = make_plan(patient, clinician)
    url = reverse("api_care_plan_support", kwargs={"patient_id": patient.pk, "plan_id": plan.pk})
    client = api_as(outsider)
    assert client.get(url).status_code == 404
    assert (
        client.patch(url, {"version": plan.version, "support_frequency": "x"}, format="json").status_code
        == 404
    )
