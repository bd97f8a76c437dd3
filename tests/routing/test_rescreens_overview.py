"""The overview's "Follow-up screening" section: due re-screens with their day, missed ones a day past it,
a link to enter one now (the entry page opens on that instrument), by link or in clinic, with a fixed
number of queries; and a clinician cancelling one."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from routing.models import Rescreen
from routing.selectors import rescreen_section
from teams.models import AuditEvent

from ..checkins.factories import make_schedule
from ..factories import PatientFactory
from ..screening.factories import record
from .test_rescreens import answers

# Friday 10 July 2026, 10:00 in London.
TODAY = datetime(2026, 7, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _due(patient, instrument, day) -> Rescreen:
    return Rescreen.objects.create(patient=patient, instrument=instrument, due_on=day)


def _section_html(client, patient) -> str:
    html = client.get(reverse("patient_overview", args=[patient.pk])).text
    start = html.index('id="follow-up-screening"')
    return html[start : html.index("</section>", start)]


def test_due_and_missed_rescreens_with_their_day_and_a_link_to_enter_them(patient, clinician, login):
    _due(patient, "PHQ-9", date(2026, 7, 8))
    _due(patient, "PCS", date(2026, 7, 20))
    _due(patient, "GAD-7", date(2026, 7, 10))  # due today: not missed yet

    section = _section_html(login(clinician), patient)

    assert "PHQ-9</strong> due 8 Jul 2026" in section
    assert "missed: 2 days past due" in section
    assert "PCS</strong> due 20 Jul 2026" in section
    assert section.count("past due") == 1
    entry = reverse("screening_new", args=[patient.pk]) + "?instrument=PHQ-9"
    assert f'href="{entry}"' in section
    # No reminders for this patient: given in clinic.
    assert "To be given in clinic" in section and "in clinic</span>" in section


def test_the_link_opens_the_entry_page_on_that_instrument(patient, clinician, login):
    page = login(clinician).get(reverse("screening_new", args=[patient.pk]) + "?instrument=PCS").text
    assert 'name="instrument" value="PCS"' in page
    assert "PCS:1" in page and "PHQ-9:1" not in page


def test_a_patient_with_consent_and_a_schedule_gets_it_by_link(patient, clinician, login):
    _due(patient, "PHQ-9", date(2026, 7, 20))
    schedule = make_schedule(patient)
    section = _section_html(login(clinician), patient)
    assert "Sent by link" in section and "by link</span>" in section
    # Stopped by the patient's link: back in clinic.
    schedule.opted_out_at = TODAY
    schedule.save(update_fields=["opted_out_at"])
    assert "To be given in clinic" in _section_html(login(clinician), patient)


def test_a_rescreen_a_rule_scheduled_says_which_finding_asked_for_it(patient, clinician, login):
    record(patient, clinician, code="PHQ-9", answers=answers("PHQ-9", 12))
    section = _section_html(login(clinician), patient)
    [rescreen] = Rescreen.objects.filter(patient=patient)
    assert f"After {rescreen.review.reason}" in section


def test_done_rescreens_link_their_result(patient, clinician, login):
    result = record(patient, clinician, code="GAD-7", answers=answers("GAD-7", 3))
    Rescreen.objects.create(
        patient=patient,
        instrument="GAD-7",
        due_on=date(2026, 7, 9),
        state="done",
        screening=result,
        done_at=TODAY,
    )
    section = _section_html(login(clinician), patient)
    assert "No follow-up screening due." in section
    assert f'<a href="{result.get_absolute_url()}">result 3 (minimal)</a>' in section


def test_the_section_runs_two_queries_whatever_the_rows(patient, clinician, login, django_assert_num_queries):
    _due(patient, "PHQ-9", date(2026, 7, 8))
    with django_assert_num_queries(2):
        rescreen_section(patient=patient, today=TODAY.date())
    client = login(clinician)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("patient_overview", args=[patient.pk]))
    for code in ("PCS", "GAD-7", "ISI", "TSK-11"):
        _due(patient, code, date(2026, 7, 20))
    for day in (1, 2, 3):
        Rescreen.objects.create(
            patient=patient, instrument="PSEQ", due_on=date(2026, 7, day), state="done", done_at=TODAY
        )
    with django_assert_num_queries(2):
        section = rescreen_section(patient=patient, today=TODAY.date())
    assert len(section.due) == 5 and len(section.done) == 3
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("patient_overview", args=[patient.pk]))
    assert page.text.count("Enter ") >= 5
    assert len(many) == len(one)


def test_a_clinician_cancels_a_rescreen(patient, clinician, login):
    rescreen = _due(patient, "PHQ-9", date(2026, 7, 20))
    client = login(clinician)
    done = client.post(reverse("rescreen_cancel", args=[patient.pk]), {"rescreen": rescreen.pk}, follow=True)
    rescreen.refresh_from_db()
    assert rescreen.state == Rescreen.State.CANCELLED
    assert "The PHQ-9 re-screen due 20 Jul 2026 is cancelled." in done.text
    assert "No follow-up screening due." in done.text
    assert AuditEvent.objects.filter(
        object_type="rescreen", object_id=str(rescreen.pk), actor=clinician, changed_fields=["state"]
    ).exists()
    again = client.post(reverse("rescreen_cancel", args=[patient.pk]), {"rescreen": rescreen.pk}, follow=True)
    assert "This re-screen is cancelled already." in again.text


def test_an_outsider_or_another_patients_rescreen_gets_404(patient, clinician, outsider, north, login):
    rescreen = _due(patient, "PHQ-9", date(2026, 7, 20))
    other = PatientFactory(team=north, primary_clinician=clinician)
    url = reverse("rescreen_cancel", args=[patient.pk])
    assert login(outsider).post(url, {"rescreen": rescreen.pk}).status_code == 404
    other_url = reverse("rescreen_cancel", args=[other.pk])
    assert login(clinician).post(other_url, {"rescreen": rescreen.pk}).status_code == 404
    assert login(clinician).post(url, {"rescreen": "x"}).status_code == 404
    rescreen.refresh_from_db()
    assert rescreen.state == Rescreen.State.DUE


def test_a_rescreen_that_closed_the_loop_says_the_review_improved(patient, clinician, login):
    record(patient, clinician, code="PHQ-9", answers=answers("PHQ-9", 12))  # the seeded moderate rule
    [rescreen] = Rescreen.objects.filter(patient=patient)
    with time_machine.travel(TODAY.replace(month=8), tick=False):
        follow_up = record(patient, clinician, code="PHQ-9", answers=answers("PHQ-9", 4), timepoint="adhoc")
        section = _section_html(login(clinician), patient)
    rescreen.refresh_from_db()
    assert rescreen.screening == follow_up
    assert rescreen.review.improved_by == follow_up
    assert "result 4 (minimal)</a> · " in section and "review marked improved" in section
