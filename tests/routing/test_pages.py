"""The review queue and a review's page: filters, fixed queries, audit, actions and their refusals."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from routing import services
from routing.models import Review
from teams.models import AuditEvent
from tests.factories import PatientFactory
from tests.screening.factories import record

from .helpers import answers_for, psychologist

QUEUE = reverse("review_queue")


@pytest.fixture
def psych(north):
    return psychologist(north, first_name="Ada", last_name="Byrne")


def _review(patient, user, code="PCS", total=34):
    screening = record(patient, user, code=code, answers=answers_for(code, total))
    return Review.objects.get(screening=screening)


def _listed(client, **params):
    return [review.pk for review in client.get(QUEUE, params).context["page"]]


def test_the_queue_shows_my_open_reviews_by_default(login, clinician, psych, patient, north):
    mine = _review(patient, clinician)
    other_patient = PatientFactory(team=north, primary_clinician=clinician)
    theirs = _review(other_patient, clinician, code="TSK-17", total=40)  # a physiotherapist's
    assert theirs.owner == clinician
    client = login(psych)
    page = client.get(QUEUE)
    assert [r.pk for r in page.context["page"]] == [mine.pk]
    assert "PCS 34 (clinically relevant): high pain catastrophizing" in page.text
    assert sorted(_listed(client, whose="team")) == sorted([mine.pk, theirs.pk])
    assert _listed(client, whose="team", discipline="physiotherapist") == [theirs.pk]
    assert _listed(client, whose="team", instrument="TSK-17") == [theirs.pk]
    services.review_resolve(
        review=mine, user=psych, expected_version=mine.version, resolution="no_action", note="Coping"
    )
    assert _listed(client) == []
    assert _listed(client, state="resolved") == [mine.pk]
    assert _listed(client, state="all", whose="team", instrument="PCS") == [mine.pk]


def test_the_queue_marks_and_filters_overdue(login, clinician, psych, patient, north, time_machine):
    late = _review(patient, clinician)
    time_machine.move_to(timezone.now() + timedelta(days=15))
    other = PatientFactory(team=north, primary_clinician=clinician)
    fresh = _review(other, clinician)
    client = login(psych)
    page = client.get(QUEUE)
    assert [r.pk for r in page.context["page"]] == [late.pk, fresh.pk]
    assert page.text.count("review-overdue") == 1 and "Overdue" in page.text
    assert _listed(client, overdue="on") == [late.pk]


def test_the_queue_never_shows_another_teams_reviews(
    login, outsider, south_patient, clinician, psych, patient
):
    _review(patient, clinician)
    assert _listed(login(outsider), whose="team") == []


def test_the_queue_audits_each_patient_listed_and_runs_fixed_queries(
    login, clinician, psych, north, patient, django_assert_max_num_queries
):
    client = login(psych)
    _review(patient, clinician)
    with django_assert_max_num_queries(30) as few:
        client.get(QUEUE)
    others = [PatientFactory(team=north, primary_clinician=clinician) for _ in range(8)]
    for other in others:
        _review(other, clinician)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(QUEUE)
    assert len(page.context["page"]) == 9
    listed = AuditEvent.objects.filter(object_type="review queue", actor=psych, action="view")
    assert set(listed.values_list("patient_id", flat=True)) == {patient.pk, *(o.pk for o in others)}


def test_the_nav_links_the_reviews(login, clinician):
    page = login(clinician).get(reverse("patient_list"))
    assert f'href="{QUEUE}"' in page.text


# --- a review's page ----------------------------------------------------------------------------------


def test_the_page_shows_the_finding_rule_and_story(login, clinician, psych, patient):
    review = _review(patient, clinician)
    page = login(clinician).get(review.get_absolute_url())
    assert page.status_code == 200
    assert review.screening.get_absolute_url() in page.text
    assert "Vlaeyen" in page.text  # the rule's source
    assert "fear-avoidance cycle" in page.text  # its rationale
    assert "Opened by the routing rule" in page.text
    assert AuditEvent.objects.filter(patient=patient, action="view", actor=clinician).exists()


def test_an_outsider_gets_404(login, outsider, clinician, psych, patient):
    review = _review(patient, clinician)
    assert login(outsider).get(review.get_absolute_url()).status_code == 404
    response = login(outsider).post(review.get_absolute_url(), {"action": "start", "version": 1})
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.state == Review.State.OPEN


def test_a_review_of_another_patient_is_404(login, clinician, psych, patient, north):
    review = _review(patient, clinician)
    other = PatientFactory(team=north, primary_clinician=clinician)
    url = reverse("review_detail", kwargs={"patient_id": other.pk, "review_id": review.pk})
    assert login(clinician).get(url).status_code == 404


def test_start_reassign_and_resolve_from_the_page(login, clinician, psych, patient):
    review = _review(patient, clinician)
    client = login(psych)
    url = review.get_absolute_url()
    response = client.post(url, {"action": "start", "version": review.version}, follow=True)
    assert "Review started" in response.text
    review.refresh_from_db()
    assert review.state == Review.State.IN_PROGRESS
    response = client.post(
        url, {"action": "reassign", "version": review.version, "owner": clinician.pk}, follow=True
    )
    assert "Review given to" in response.text
    review.refresh_from_db()
    assert review.owner == clinician
    response = client.post(
        url,
        {"action": "resolve", "version": review.version, "resolution": "referred", "note": "To CMHT"},
        follow=True,
    )
    review.refresh_from_db()
    assert (review.state, review.resolution, review.resolved_by) == ("resolved", "referred", psych)
    assert "Resolved" in response.text and "Reassigned" in response.text and "Started" in response.text


def test_resolving_without_a_note_says_so_next_to_the_field(login, clinician, psych, patient):
    review = _review(patient, clinician)
    response = login(psych).post(
        review.get_absolute_url(), {"action": "resolve", "version": review.version, "resolution": "declined"}
    )
    assert response.status_code == 200
    assert response.context["resolve_form"].errors["note"] == ["Write a note saying why."]
    review.refresh_from_db()
    assert review.state == Review.State.OPEN


def test_reassigning_to_an_outsider_is_refused_on_the_field(login, clinician, psych, outsider, patient):
    review = _review(patient, clinician)
    response = login(psych).post(
        review.get_absolute_url(), {"action": "reassign", "version": review.version, "owner": outsider.pk}
    )
    assert response.status_code == 200
    assert "owner" in response.context["reassign_form"].errors
    review.refresh_from_db()
    assert review.owner == psych


def test_a_stale_page_is_refused_with_a_message(login, clinician, psych, patient):
    review = _review(patient, clinician)
    stale = review.version
    services.review_start(review=review, user=clinician, expected_version=stale)
    response = login(psych).post(
        review.get_absolute_url(),
        {"action": "resolve", "version": stale, "resolution": "no_action", "note": "Fine"},
        follow=True,
    )
    assert "changed this review since you opened it" in response.text
    review.refresh_from_db()
    assert review.state == Review.State.IN_PROGRESS


def test_the_overview_shows_open_and_resolved_reviews(login, clinician, psych, patient):
    review = _review(patient, clinician)
    services.review_resolve(
        review=review, user=psych, expected_version=review.version, resolution="declined", note="Not now"
    )
    again = _review(patient, clinician, total=40)
    page = login(clinician).get(patient.get_absolute_url())
    assert "Psychosocial reviews" in page.text
    assert again.get_absolute_url() in page.text
    assert "patient declined by" in page.text


def test_the_queue_audits_exactly_the_patients_of_its_page(login, clinician, psych, north, monkeypatch):
    monkeypatch.setattr("routing.views.REVIEWS_PER_PAGE", 2)
    patients = PatientFactory.create_batch(3, team=north, primary_clinician=clinician)
    for patient in patients:
        _review(patient, clinician)
    client = login(psych)
    for number in (1, 2):
        before = set(AuditEvent.objects.filter(object_type="review queue").values_list("pk", flat=True))
        page = client.get(QUEUE, {"page": number})
        shown = {review.patient_id for review in page.context["page"]}
        written = AuditEvent.objects.filter(object_type="review queue", actor=psych).exclude(pk__in=before)
        assert set(written.values_list("patient_id", flat=True)) == shown
    assert len(shown) == 1
