import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from teams.models import AuditEvent, Team


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
    by_patient = client.get(
        reverse("admin:teams_auditevent_changelist"),
        {"mrn": event.patient.mrn.lower(), "action__exact": "view"},
    )
    # The event, and the first listing's own read of it (reading the trail is audited too).
    assert by_patient.context["cl"].result_count == 2
    assert 'name="action__exact" value="view"' in by_patient.text
    other_patient = client.get(reverse("admin:teams_auditevent_changelist"), {"mrn": "NO-SUCH-MRN"})
    assert other_patient.context["cl"].result_count == 0
    by_user = client.get(reverse("admin:teams_auditevent_changelist"), {"actor__id__exact": event.actor_id})
    assert by_user.context["cl"].result_count == AuditEvent.objects.filter(actor=event.actor).count()
    detail = client.get(reverse("admin:teams_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.text


def test_clinicians_cannot_open_the_admin(login, clinician):
    response = login(clinician).get(reverse("admin:teams_auditevent_changelist"))
    assert response.status_code == 302


def test_clinic_admin_role_manages_staff_and_teams_without_being_a_superuser(login, clinic_admin, north):
    assert not clinic_admin.is_superuser and not clinic_admin.is_staff
    client = login(clinic_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.post(
        reverse("admin:teams_team_add"),
        {
            "name": "East MSK",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert Team.objects.filter(name="East MSK").exists()
    user_page = client.get(reverse("admin:teams_user_change", args=[clinic_admin.pk]))
    assert "is_clinic_admin" in user_page.text
    assert "is_superuser" not in user_page.text
