import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from teams.models import AuditEvent


@pytest.fixture
def event(login, clinician, patient):
    login(clinician).get(patient.get_absolute_url())
    return AuditEvent.objects.get(action=AuditEvent.Action.VIEW, patient=patient)


def test_postgresql_refuses_to_update_an_audit_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE teams_auditevent SET action = 'update' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == AuditEvent.Action.VIEW


def test_postgresql_refuses_to_delete_an_audit_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_shows_the_trail_read_only_with_filters(login, clinic_admin, event):
    client = login(clinic_admin)
    listing = client.get(reverse("admin:teams_auditevent_changelist"), {"action__exact": "view"})
    assert listing.status_code == 200
    assert "Add audit event" not in listing.text
    assert listing.context["cl"].result_count == 1
    by_patient = client.get(reverse("admin:teams_auditevent_changelist"), {"q": event.patient.mrn})
    assert by_patient.context["cl"].result_count == 1
    detail = client.get(reverse("admin:teams_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.text


def test_clinicians_cannot_open_the_admin(login, clinician):
    response = login(clinician).get(reverse("admin:teams_auditevent_changelist"))
    assert response.status_code == 302
