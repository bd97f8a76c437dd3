"""Every list page runs the same number of queries for a few rows and for many."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adherence.models import Session
from careplans.models import PlanTemplate
from careplans.templates_seed import templates_ensure
from checkins.models import Reminder

from .careplans.factories import make_plan
from .checkins.factories import make_schedule
from .factories import PatientFactory
from .screening.factories import phq9, record


def _rows(kind, n, patient, clinician, colleague, north):
    templates_ensure(PlanTemplate)
    for number in range(n):
        other = PatientFactory(team=north, primary_clinician=clinician)
        if kind == "reviews":
            record(other, clinician, answers=phq9(3, 3, 3, 3))
        elif kind == "responsibilities":
            make_plan(other, clinician, template=PlanTemplate.objects.get(stratum="high"))
        elif kind == "day":
            Session.objects.create(
                patient=other,
                clinician=colleague,
                discipline="psychologist",
                starts_at=timezone.now().replace(hour=8, minute=0) + timedelta(minutes=number),
            )
        elif kind == "reminders":
            schedule = patient.checkin_schedule
            Reminder.objects.create(
                schedule=schedule,
                patient=patient,
                channel="email",
                due_at=timezone.now() - timedelta(days=number + 1),
            )


@pytest.mark.parametrize("kind", ["reviews", "responsibilities", "day", "reminders"])
def test_list_pages_have_flat_query_counts(kind, login, colleague, clinician, north, patient):
    make_schedule(patient)
    urls = {
        "reviews": reverse("review_queue"),
        "responsibilities": reverse("my_responsibilities"),
        "day": reverse("day_list"),
        "reminders": reverse("checkin_reminders", kwargs={"patient_id": patient.pk}),
    }
    client = login(colleague)
    counts = []
    for batch in (2, 25):
        _rows(kind, batch, patient, clinician, colleague, north)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(urls[kind]).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{kind}: {counts}"


def test_api_lists_have_flat_query_counts(api_as, colleague, clinician, north, patient):
    """The JSON API's lists: alerts, a patient's check-ins and screenings, the patient list."""
    from decimal import Decimal

    from checkins.models import CheckIn

    api = api_as(colleague)
    urls = [
        reverse("api_alert_list"),
        reverse("api_patient_checkins", kwargs={"patient_id": patient.pk}),
        reverse("api_patient_screenings", kwargs={"patient_id": patient.pk}),
        reverse("api_patient_list"),
    ]
    counts: dict[str, list[int]] = {url: [] for url in urls}
    for batch in (2, 20):
        for _ in range(batch):
            other = PatientFactory(team=north, primary_clinician=clinician)
            record(other, clinician, answers=phq9(3, 3, 3, 3))
            record(patient, clinician)
            CheckIn.objects.create(patient=patient, mood=5, pain=5, sleep_quality=5, sleep_hours=Decimal(7))
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(url).status_code == 200
            counts[url].append(len(queries))
    assert all(first == second for first, second in counts.values()), counts
