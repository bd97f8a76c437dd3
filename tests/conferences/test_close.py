"""Closing a conference with patients not discussed asks first, with the count, and closes nothing until
the lead answers "close anyway"; the answer carries the count it was shown, so a patient added meanwhile
makes it ask again."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from conferences import services
from conferences.models import CaseConference, ConferenceNote
from teams.models import AuditEvent

from ..factories import PatientFactory

NOW = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
STARTS = datetime(2026, 11, 19, 13, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _conference_of(north, lead, clinician, *, patients: int, discussed: int) -> CaseConference:
    conference = services.conference_start(
        conference=services.conference_plan(
            team=north, starts_at=STARTS, chair=lead, attendees=[clinician], user=lead
        ),
        user=lead,
    )
    for number in range(patients):
        patient = PatientFactory(team=north, primary_clinician=clinician, family_name=f"Patient{number:02}")
        item = services.agenda_item_add(conference=conference, patient=patient, user=lead)
        if number < discussed:
            services.note_save(item=item, data={"decisions": "Carry on"}, user=lead)
    return conference


def _status(conference) -> str:
    return CaseConference.objects.get(pk=conference.pk).status


@pytest.fixture
def conference(north, lead, clinician):
    return _conference_of(north, lead, clinician, patients=16, discussed=2)


def _url(conference) -> str:
    return reverse("conference_close", kwargs={"conference_id": conference.pk})


# The service --------------------------------------------------------------------------------------


def test_closing_with_patients_not_discussed_asks_with_the_count_and_changes_nothing(
    conference, lead, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(services.CloseNotConfirmed) as asked,
    ):
        services.conference_close(conference=conference, user=lead)
    assert asked.value.messages == ["14 of 16 patients not discussed: close anyway?"]
    assert (asked.value.undiscussed, asked.value.total) == (14, 16)
    assert _status(conference) == CaseConference.Status.IN_PROGRESS
    assert not ConferenceNote.objects.filter(locked=True).exists()
    assert callbacks == []  # no summary queued


def test_closing_anyway_with_the_count_shown_closes(conference, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.conference_close(conference=conference, user=lead, leave_undiscussed=14)
    assert _status(conference) == CaseConference.Status.CLOSED
    assert ConferenceNote.objects.filter(item__conference=conference, locked=False).count() == 0
    assert len(callbacks) == 1


def test_a_patient_added_after_the_question_makes_it_ask_again(conference, north, clinician, lead):
    services.agenda_item_add(conference=conference, patient=PatientFactory(team=north), user=lead)
    with pytest.raises(services.CloseNotConfirmed, match="15 of 17 patients not discussed"):
        services.conference_close(conference=conference, user=lead, leave_undiscussed=14)
    assert _status(conference) == CaseConference.Status.IN_PROGRESS


def test_a_conference_with_everyone_discussed_closes_without_asking(north, lead, clinician):
    conference = _conference_of(north, lead, clinician, patients=2, discussed=2)
    services.conference_close(conference=conference, user=lead)
    assert _status(conference) == CaseConference.Status.CLOSED


def test_the_question_reads_naturally_for_one_patient(north, lead, clinician):
    conference = _conference_of(north, lead, clinician, patients=1, discussed=0)
    with pytest.raises(services.CloseNotConfirmed) as asked:
        services.conference_close(conference=conference, user=lead)
    assert asked.value.messages == ["1 of 1 patient not discussed: close anyway?"]


def test_an_empty_agenda_closes_without_asking(north, lead, clinician):
    conference = _conference_of(north, lead, clinician, patients=0, discussed=0)
    services.conference_close(conference=conference, user=lead)
    assert _status(conference) == CaseConference.Status.CLOSED


# The page, without any JavaScript -------------------------------------------------------------------


def test_the_close_button_answers_with_the_question_and_closes_nothing(conference, lead, login):
    client = login(lead)
    agenda = client.get(conference.get_absolute_url()).content.decode()
    assert "14 of 16 not discussed yet" in agenda

    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = client.post(_url(conference))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h3">14 of 16 patients not discussed: close anyway?</h1>' in html
    assert 'name="leave_undiscussed" value="14"' in html
    # The first ten not discussed, by name and in the agenda's order, and a count of the rest.
    assert "Patient02" in html and "Patient11" in html and "Patient12" not in html
    assert "Patient01" not in html  # discussed
    assert "and 4 more on the agenda" in html
    assert _status(conference) == CaseConference.Status.IN_PROGRESS
    # The patients named are recorded as viewed.
    viewed = AuditEvent.objects.filter(action="view", actor=lead, id__gt=before)
    assert viewed.filter(patient__family_name="Patient02").exists()
    assert not viewed.filter(patient__family_name="Patient12").exists()


def test_close_anyway_closes_and_shows_the_summary(conference, lead, login):
    response = login(lead).post(_url(conference), {"leave_undiscussed": "14"})
    assert response.status_code == 302
    assert response["Location"] == reverse("conference_summary", kwargs={"conference_id": conference.pk})
    assert _status(conference) == CaseConference.Status.CLOSED


def test_the_list_of_past_conferences_says_how_many_were_discussed(conference, lead, login):
    services.conference_close(conference=conference, user=lead, leave_undiscussed=14)
    response = login(lead).get(reverse("conference_list"))
    (past,) = response.context["page"]
    assert (past.discussed, past.patients) == (2, 16)
    assert "<td>2 of 16</td>" in response.content.decode()


@pytest.mark.parametrize("answer", ["", "-1", "many", "13"])
def test_a_missing_or_short_answer_asks_again(conference, lead, login, answer):
    response = login(lead).post(_url(conference), {"leave_undiscussed": answer})
    assert response.status_code == 200
    assert "14 of 16 patients not discussed: close anyway?" in response.content.decode()
    assert _status(conference) == CaseConference.Status.IN_PROGRESS


def test_only_leads_are_asked(conference, clinician, outsider, login):
    assert login(clinician).post(_url(conference)).status_code == 403
    assert login(outsider).post(_url(conference), {"leave_undiscussed": "14"}).status_code == 404
    assert _status(conference) == CaseConference.Status.IN_PROGRESS


@pytest.mark.parametrize("patients", [12, 40])
def test_the_question_runs_a_fixed_number_of_queries(
    north, lead, clinician, login, patients, django_assert_max_num_queries
):
    conference = _conference_of(north, lead, clinician, patients=patients, discussed=0)
    client = login(lead)
    with django_assert_max_num_queries(16):
        response = client.post(_url(conference))
    assert f"{patients} of {patients} patients not discussed" in response.content.decode()
