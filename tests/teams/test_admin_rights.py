"""What a clinic admin may do in the Django admin: manage staff, but not a superuser's account; see the
periodic schedule and pause its tasks, but not write a task (a task names code to run, with arguments)."""

import json

from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from ..factories import PASSWORD, UserFactory


def _superuser():
    return UserFactory(username="root-admin", is_superuser=True, is_staff=True)


def test_a_clinic_admin_cannot_open_change_or_reset_a_superuser(login, clinic_admin):
    root = _superuser()
    client = login(clinic_admin)
    change = reverse("admin:teams_user_change", args=[root.pk])
    assert client.get(change).status_code == 302  # "doesn't exist", back to the index
    client.post(change, {"username": "hijacked", "is_active": ""})
    password = reverse("admin:auth_user_password_change", args=[root.pk]).replace(
        "/auth/user/", "/teams/user/"
    )
    assert client.get(password).status_code == 404
    client.post(password, {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"})
    root.refresh_from_db()
    assert root.username == "root-admin" and root.is_active and root.check_password(PASSWORD)
    listed = client.get(reverse("admin:teams_user_changelist")).text
    assert "root-admin" not in listed


def test_a_clinic_admin_still_manages_other_staff(login, clinic_admin, clinician):
    client = login(clinic_admin)
    assert client.get(reverse("admin:teams_user_change", args=[clinician.pk])).status_code == 200


def test_a_superuser_manages_superusers(db, login):
    root, other = _superuser(), UserFactory(username="second-root", is_superuser=True, is_staff=True)
    client = login(root)
    assert client.get(reverse("admin:teams_user_change", args=[other.pk])).status_code == 200


def test_a_clinic_admin_cannot_schedule_a_task_but_can_pause_one(login, clinic_admin):
    every = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    task = PeriodicTask.objects.create(
        name="dispatch", task="checkins.tasks.reminders_dispatch", interval=every
    )
    client = login(clinic_admin)
    add = client.post(
        reverse("admin:django_celery_beat_periodictask_add"),
        {
            "name": "evil",
            "task": "celery.accumulate",
            "interval": every.pk,
            "args": json.dumps([1]),
            "kwargs": "{}",
            "enabled": "on",
        },
    )
    assert add.status_code == 403
    change = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    assert client.get(change).status_code == 200  # the schedule is visible
    edited = client.post(change, {"name": "dispatch", "task": "celery.accumulate", "interval": every.pk})
    assert edited.status_code == 403
    assert client.post(reverse("admin:django_celery_beat_intervalschedule_add"), {}).status_code == 403
    paused = client.post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": "disable_tasks", "_selected_action": [task.pk]},
    )
    assert paused.status_code == 302
    task.refresh_from_db()
    assert not task.enabled and task.task == "checkins.tasks.reminders_dispatch"
    assert list(PeriodicTask.objects.values_list("name", flat=True)) == ["dispatch"]


def test_reading_the_audit_trail_in_the_admin_is_audited_per_patient_shown(login, clinic_admin, patient):
    from teams.models import AuditEvent

    login(clinic_admin).get(patient.get_absolute_url())  # an event naming the patient
    client = login(clinic_admin)
    assert client.get(reverse("admin:teams_auditevent_changelist")).status_code == 200
    read = AuditEvent.objects.filter(object_type="audit trail", actor=clinic_admin)
    assert list(read.values_list("patient_id", flat=True)) == [patient.pk]
    viewed = AuditEvent.objects.filter(patient=patient, action="view")
    event = viewed.exclude(object_type="audit trail").first()
    assert client.get(reverse("admin:teams_auditevent_change", args=[event.pk])).status_code == 200
    assert read.count() == 2
