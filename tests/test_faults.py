"""When PostgreSQL or Redis is unreachable: a clear 503 and nothing half-saved, or the work carries on.

These point the application at a port where nothing listens, so the real drivers fail the way they
do when a server is down. `make verify` restarts real servers under load (reliability/faults.py).
"""

from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from benchmarks.servers import free_port
from rehabcare.celery import app
from screening.models import Alert, Screening

from .screening.factories import phq9

pytestmark = pytest.mark.faults


@contextmanager
def database_unreachable():
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved


@contextmanager
def broker_unreachable():
    """Celery's broker URL at a dead port. The producer pools are per URL, built on first use: resetting
    them makes the next publish connect there (this test's only reach into Celery's internals)."""
    saved = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield
    finally:
        app.conf.broker_url = saved
        app._pool, app.amqp._producer_pool = None, None


@pytest.mark.django_db(transaction=True)
def test_without_the_database_pages_and_api_answer_503_and_recover_by_themselves(clinician, patient):
    browser = Client(raise_request_exception=False)
    browser.force_login(clinician)
    overview = reverse("patient_overview", kwargs={"patient_id": patient.pk})
    with database_unreachable():
        page = browser.get(overview)
        api = browser.get("/api/v1/patients/")
        post = browser.post(
            reverse("screening_new", kwargs={"patient_id": patient.pk}),
            {"instrument": "PHQ-9", "timepoint": "adhoc"},
        )
    assert page.status_code == 503 and page["Retry-After"] == "10"
    assert "Briefly unavailable" in page.content.decode() and patient.family_name not in page.content.decode()
    assert api.status_code == 503 and api.json() == {
        "detail": "The service is briefly unavailable. Please try again in a few seconds.",
        "errors": {},
    }
    assert post.status_code == 503
    # Back by itself: the next request opens a fresh connection.
    assert browser.get(overview).status_code == 200
    assert not Screening.objects.exists()


def test_without_the_broker_an_urgent_alert_is_still_saved_and_its_email_sent(
    api_as, clinician, lead, patient, django_capture_on_commit_callbacks
):
    lead.email = "lead@clinic.example"
    lead.save(update_fields=["email"])
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        response = api_as(clinician).post(
            f"/api/v1/patients/{patient.pk}/screenings/",
            {"instrument": "PHQ-9", "timepoint": "adhoc", "answers": phq9(item9=2)},
            format="json",
        )
    assert response.status_code == 201
    alert = Alert.objects.get(patient=patient, kind=Alert.Kind.URGENT)
    assert alert.notified_at is not None
    assert [(m.subject, m.to) for m in mail.outbox] == [
        (f"RehabCare: urgent safety alert in {patient.team.name}", ["lead@clinic.example"])
    ]


def test_without_the_cache_the_api_and_patient_links_keep_answering(api_as, clinician, patient, settings):
    settings.CACHES = {
        "default": settings.CACHES["default"] | {"LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    }
    assert api_as(clinician).get("/api/v1/patients/").status_code == 200  # throttled through the cache
    settings.PATIENT_LINK_RATE = 1
    unknown_link = reverse("checkin_form", kwargs={"token": "x" * 43})
    statuses = [Client().get(unknown_link).status_code for _ in range(3)]
    assert statuses == [404, 404, 404]  # an unknown link; the rate limit waits for Redis
