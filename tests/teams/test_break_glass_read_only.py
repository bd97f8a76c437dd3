"""Break glass reads; it does not move. Under emergency access a clinician reads the patient and adds a
screening or an emergency note; they never change the record, its team or primary clinician, and lose
the patient when the access ends. Moving a patient needs the patient's current team (or a clinic admin),
and tells the team the patient left."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from teams.models import AuditEvent, EmergencyNote, Membership, Patient
from teams.tasks import patient_moved_notify

from ..factories import MembershipFactory, UserFactory

REASON = "Patient collapsed in the south gym; need the medication and risk history now."
PHQ9 = {str(n): 0 for n in range(1, 10)}


def _break_glass(client, patient):
    response = client.post(reverse("emergency_access"), {"mrn": patient.mrn, "reason": REASON})
    assert response.status_code == 302


def test_an_outsider_with_emergency_access_cannot_patch_the_patient_into_their_team(
    api_as, login, outsider, south, patient, north
):
    _break_glass(login(outsider), patient)
    api = api_as(outsider)
    detail = reverse("api_patient_detail", kwargs={"patient_id": patient.pk})
    assert api.get(detail).status_code == 200  # reading is what break glass is for
    for change in (
        {"team": south.pk, "primary_clinician": outsider.pk},
        {"primary_clinician": outsider.pk},
        {"family_name": "Changed"},
    ):
        response = api.patch(detail, change, format="json")
        assert response.status_code == 403, (change, response.content)
        assert "Emergency access lets you read" in response.json()["detail"]
    patient.refresh_from_db()
    assert (patient.team, patient.family_name) == (north, "Okafor")
    assert not AuditEvent.objects.filter(action="update", patient=patient).exists()


def test_under_emergency_access_the_pages_read_but_do_not_change(
    login, outsider, clinician, south, patient, north
):
    from screening.services import screening_record

    screening_record(
        patient=patient,
        instrument_code="PHQ-9",
        timepoint="adhoc",
        answers=PHQ9 | {"9": 1},
        entered_by=clinician,
    )
    assert "Close alert" in login(clinician).get(patient.get_absolute_url()).text
    client = login(outsider)
    _break_glass(client, patient)
    overview = client.get(patient.get_absolute_url())
    assert overview.status_code == 200
    assert "Urgent safety alert" in overview.text
    assert "Close alert" not in overview.text  # the team closes the loop on an alert
    assert reverse("patient_edit", kwargs={"patient_id": patient.pk}) not in overview.text
    assert "Emergency access: you can read this record" in overview.text
    edit = reverse("patient_edit", kwargs={"patient_id": patient.pk})
    assert client.get(edit).status_code == 403
    refused = client.post(edit, {"team": south.pk, "primary_clinician": outsider.pk})
    assert refused.status_code == 403
    # Every other change of the record is refused too: a care plan, a schedule, a session.
    for name in ("careplan_new", "checkin_schedule", "measure_new"):
        assert client.post(reverse(name, kwargs={"patient_id": patient.pk}), {}).status_code == 403, name
    patient.refresh_from_db()
    assert patient.team == north


def test_under_emergency_access_a_screening_and_an_emergency_note_are_added(login, api_as, outsider, patient):
    client = login(outsider)
    _break_glass(client, patient)
    page = reverse("screening_new", kwargs={"patient_id": patient.pk})
    assert client.get(page).status_code == 200
    api = api_as(outsider)
    created = api.post(
        reverse("api_patient_screenings", kwargs={"patient_id": patient.pk}),
        {"instrument": "PHQ-9", "timepoint": "adhoc", "answers": PHQ9},
        format="json",
    )
    assert created.status_code == 201, created.content

    notes = reverse("emergency_notes", kwargs={"patient_id": patient.pk})
    empty = client.post(notes, {"text": "  "})
    assert empty.status_code == 200 and "This field is required." in empty.text
    saved = client.post(notes, {"text": "Gave salbutamol; GP informed at 10:40."})
    assert saved.status_code == 302
    note = EmergencyNote.objects.get()
    assert (note.author, note.patient, note.access.reason) == (outsider, patient, REASON)
    assert AuditEvent.objects.filter(action="create", object_type="emergencynote", actor=outsider).exists()


def test_the_team_reads_the_emergency_notes_and_cannot_write_one_without_access(
    login, outsider, clinician, patient
):
    _break_glass(login(outsider), patient)
    login(outsider).post(
        reverse("emergency_notes", kwargs={"patient_id": patient.pk}), {"text": "Called an ambulance."}
    )
    team = login(clinician)
    page = team.get(reverse("emergency_notes", kwargs={"patient_id": patient.pk}))
    assert page.status_code == 200
    assert "Called an ambulance." in page.text and REASON in page.text
    assert 'id="note-heading"' not in page.text
    refused = team.post(reverse("emergency_notes", kwargs={"patient_id": patient.pk}), {"text": "x"})
    assert refused.status_code == 403
    assert EmergencyNote.objects.count() == 1


def test_after_it_expires_the_patient_is_out_of_reach_even_for_a_note(login, outsider, patient):
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        client = login(outsider)
        _break_glass(client, patient)
        traveller.shift(timedelta(minutes=61))
        client = login(outsider)  # signed in afresh: only the emergency access has run out
        notes = reverse("emergency_notes", kwargs={"patient_id": patient.pk})
        assert client.post(notes, {"text": "Late note"}).status_code == 404
        assert client.get(patient.get_absolute_url()).status_code == 404
    assert not EmergencyNote.objects.exists()


def test_moving_a_patient_needs_their_current_team_and_tells_its_leads(
    api_as, clinician, lead, north, south, patient, django_capture_on_commit_callbacks
):
    lead.email = "lead@example.org"
    lead.save(update_fields=["email"])
    # A clinician of both teams moves the patient from North to South.
    MembershipFactory(team=south, user=clinician)
    south_clinician = UserFactory(username="south-physio")
    MembershipFactory(team=south, user=south_clinician)
    api = api_as(clinician)
    detail = reverse("api_patient_detail", kwargs={"patient_id": patient.pk})
    with django_capture_on_commit_callbacks(execute=False) as queued:
        moved = api.patch(detail, {"team": south.pk, "primary_clinician": south_clinician.pk}, format="json")
    assert moved.status_code == 200, moved.content
    assert len(queued) == 1
    assert patient_moved_notify.run(patient.pk, north.pk, clinician.pk) == 1
    assert [m.to for m in mail.outbox] == [["lead@example.org"]]
    body = mail.outbox[0].body
    assert "from North MSK to South MSK" in body and "(AO)" in body
    assert patient.family_name not in body and patient.mrn not in body

    # North's lead no longer sees the patient, so cannot move them back.
    back = api_as(lead).patch(detail, {"team": north.pk}, format="json")
    assert back.status_code == 404
    assert Patient.objects.get(pk=patient.pk).team == south


def test_a_member_of_the_new_team_only_cannot_move_the_patient_by_the_service(
    rf, clinician, outsider, south, patient
):
    """The service itself holds the rule, whatever calls it."""
    from django.core.exceptions import PermissionDenied

    from teams.services import patient_update

    try:
        patient_update(user=outsider, patient=patient, data={"team": south, "primary_clinician": outsider})
    except PermissionDenied:
        pass
    else:
        raise AssertionError("an outsider moved the patient")
    assert Patient.objects.get(pk=patient.pk).team_id == patient.team_id


def test_the_moved_notice_task_tells_only_active_leads_of_the_team_left(
    clinician, lead, north, south, patient
):
    lead.email = "lead@example.org"
    lead.save(update_fields=["email"])
    retired = UserFactory(username="retired-lead", email="old@example.org", is_active=False)
    MembershipFactory(team=north, user=retired, role=Membership.Role.LEAD)
    Patient.objects.filter(pk=patient.pk).update(team=south, updated_at=timezone.now())
    assert patient_moved_notify.run(patient.pk, north.pk, clinician.pk) == 1
    assert mail.outbox[0].to == ["lead@example.org"]
