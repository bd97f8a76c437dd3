"""Clinic admins keep the list of competencies and may correct records in the admin; changes are audited,
and opening a person's record or a supervision session is audited as a view."""

from datetime import date

from django.urls import reverse

from teams.models import AuditEvent
from training.models import Competency

from .factories import SupervisionSessionFactory, TrainingRecordFactory


def test_the_competency_list_is_edited_in_place_and_audited(login, clinic_admin):
    client = login(clinic_admin)
    page = client.get(reverse("admin:training_competency_changelist"))
    assert page.status_code == 200 and "Graded exposure" in page.text
    competency = Competency.objects.get(code="graded-exposure")
    response = client.post(
        reverse("admin:training_competency_change", args=[competency.pk]),
        {"code": competency.code, "name": "Graded exposure (in vivo)", "description": "", "position": 3},
    )
    assert response.status_code == 302
    competency.refresh_from_db()
    assert competency.name == "Graded exposure (in vivo)" and not competency.active
    event = AuditEvent.objects.get(actor=clinic_admin, action=AuditEvent.Action.UPDATE)
    assert event.object_type == "competency" and set(event.changed_fields) == {
        "name",
        "active",
        "description",
    }


def test_opening_a_record_or_a_session_is_audited(login, clinic_admin, clinician, lead):
    client = login(clinic_admin)
    record = TrainingRecordFactory(user=clinician, renews_on=date(2028, 1, 1))
    session = SupervisionSessionFactory(supervisor=lead, supervisees=[clinician])
    for name, obj in (("trainingrecord", record), ("supervisionsession", session)):
        assert client.get(reverse(f"admin:training_{name}_change", args=[obj.pk])).status_code == 200
        assert AuditEvent.objects.filter(
            actor=clinic_admin, action=AuditEvent.Action.VIEW, object_type=name, object_id=str(obj.pk)
        ).exists()
    assert client.get(reverse("admin:training_supervisionsession_changelist")).status_code == 200


def test_the_admin_never_shows_a_sessions_notes(login, clinic_admin, clinician, lead):
    """Supervision notes are for the supervisor, the supervisees and their leads: a clinic admin corrects a
    session's time, length and people in the admin without reading what was discussed."""
    session = SupervisionSessionFactory(
        supervisor=lead,
        supervisees=[clinician],
        cases_discussed="MRN4711",
        learning_points="Slow down when the patient talks about work",
    )
    page = login(clinic_admin).get(reverse("admin:training_supervisionsession_change", args=[session.pk]))
    assert page.status_code == 200
    assert "MRN4711" not in page.text and "Slow down" not in page.text
    assert login(clinic_admin).get(reverse("supervision_detail", args=[session.pk])).status_code == 404
