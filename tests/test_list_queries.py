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
