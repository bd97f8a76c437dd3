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
        if kind in ("reviews", "owned reviews"):
            # An urgent alert (the alert queue) and an owned review for the psychologist (issue 19).
            record(other, clinician, answers=phq9(3, 3, 3, 3, item9=1))
        elif kind == "responsibilities":
            make_plan(other, clinician, template=PlanTemplate.objects.get(stratum="high"))
        elif kind == "day":
            Session.objects.create(
                patient=other,
                clinician=colleague,
                discipline="psychologist",
                # Today in the clinic's time zone, whatever the hour (UTC's day may differ).
                starts_at=timezone.localtime().replace(hour=8, minute=0) + timedelta(minutes=number),
            )
        elif kind == "reminders":
            schedule = patient.checkin_schedule
            Reminder.objects.create(
                schedule=schedule,
                patient=patient,
                channel="email",
                due_at=timezone.now() - timedelta(days=number + 1),
            )


@pytest.mark.parametrize("kind", ["reviews", "owned reviews", "responsibilities", "day", "reminders"])
def test_list_pages_have_flat_query_counts(kind, login, colleague, clinician, north, patient):
    make_schedule(patient)
    urls = {
        "reviews": reverse("alert_queue"),
        "owned reviews": reverse("review_queue"),
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
    """The JSON API's lists: alerts, a patient's check-ins and screenings, the patient list, and the FHIR
    search of a patient's responses."""
    from decimal import Decimal

    from checkins.models import CheckIn

    api = api_as(colleague)
    urls = [
        reverse("api_alert_list"),
        reverse("api_patient_checkins", kwargs={"patient_id": patient.pk}),
        reverse("api_patient_screenings", kwargs={"patient_id": patient.pk}),
        reverse("api_patient_list"),
        reverse("fhir_questionnaire_response_list") + f"?patient={patient.pk}",
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


def test_conference_pages_have_flat_query_counts(login, lead, colleague, clinician, north):
    """The conference list, a running agenda, one patient's discussion, the summary and "my tasks",
    with a few patients and actions and with many."""
    from datetime import date

    from conferences import services
    from conferences.models import CaseConference

    conference = CaseConference.objects.create(team=north, starts_at=timezone.now(), chair=lead)
    conference = services.conference_start(conference=conference, user=lead)
    first = None
    counts: dict[str, list[int]] = {}
    for batch in (2, 15):
        for _ in range(batch):
            item = services.agenda_item_add(
                conference=conference,
                patient=PatientFactory(team=north, primary_clinician=clinician),
                user=lead,
            )
            first = first or item
            services.note_save(item=item, data={"decisions": "Review in two weeks"}, user=lead)
            for target in (item, first):
                services.action_add(
                    item=target,
                    description="Phone the GP",
                    owner=colleague,
                    due_on=date(2027, 1, 4),
                    user=lead,
                )
        pages = {
            "list": (lead, reverse("conference_list")),
            "agenda": (lead, conference.get_absolute_url()),
            "discussion": (lead, first.get_absolute_url()),
            "summary": (lead, reverse("conference_summary", kwargs={"conference_id": conference.pk})),
            "tasks": (colleague, reverse("my_tasks")),
        }
        for name, (user, url) in pages.items():
            client = login(user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.setdefault(name, []).append(len(queries))
    assert all(small == large for small, large in counts.values()), counts
