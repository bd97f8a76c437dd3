"""Break glass: a clinician outside the team opens a patient only with a reason, for a while, recorded
as a high-severity event, with the team lead and the clinic admins told."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse

from teams.models import AuditEvent, EmergencyAccess
from teams.tasks import emergency_access_notify

REASON = "Patient collapsed in the south gym; need the medication and risk history now."


def test_an_outsider_opens_a_patient_only_with_a_reason_and_the_team_is_told(
    login, outsider, patient, lead, clinic_admin, django_capture_on_commit_callbacks
):
    lead.email, clinic_admin.email = "lead@example.org", "admin@example.org"
    lead.save(update_fields=["email"])
    clinic_admin.save(update_fields=["email"])
    client = login(outsider)
    overview = patient.get_absolute_url()
    denied = client.get(overview)
    assert denied.status_code == 404 and reverse("emergency_access") in denied.text

    url = reverse("emergency_access")
    short = client.post(url, {"mrn": patient.mrn, "reason": "urgent"})
    assert "in at least 20 characters" in short.text
    unknown = client.post(url, {"mrn": "NOPE-1", "reason": REASON})
    assert "No patient has this MRN." in unknown.text
    assert not EmergencyAccess.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        granted = client.post(url, {"mrn": patient.mrn.lower(), "reason": REASON})
    assert granted.status_code == 302 and granted.url == overview
    assert len(queued) == 1
    assert client.get(overview).status_code == 200
    assert patient in client.get(reverse("patient_list")).context["page"].object_list
    event = AuditEvent.objects.get(action=AuditEvent.Action.EMERGENCY)
    assert (event.actor, event.patient) == (outsider, patient)
    assert EmergencyAccess.objects.get().reason == REASON

    assert emergency_access_notify.run(EmergencyAccess.objects.get().pk) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.org", "lead@example.org"]
    assert REASON in mail.outbox[0].body
    assert patient.family_name not in mail.outbox[0].body and patient.mrn not in mail.outbox[0].body


def test_emergency_access_ends_after_its_time(login, outsider, patient):
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        client = login(outsider)
        client.post(reverse("emergency_access"), {"mrn": patient.mrn, "reason": REASON})
        for _ in range(5):  # working on the record, a page every ten minutes
            traveller.shift(timedelta(minutes=10))
            assert client.get(patient.get_absolute_url()).status_code == 200
        traveller.shift(timedelta(minutes=9))
        assert client.get(patient.get_absolute_url()).status_code == 200  # 59 minutes in
        traveller.shift(timedelta(minutes=2))
        assert client.get(patient.get_absolute_url()).status_code == 404


def test_without_a_reason_no_mrn_is_looked_up_and_every_lookup_is_audited(login, outsider, patient):
    client = login(outsider)
    url = reverse("emergency_access")
    known = client.post(url, {"mrn": patient.mrn, "reason": "urgent"})
    unknown = client.post(url, {"mrn": "NOPE-1", "reason": "urgent"})
    # Without a reason, the answer is the same whether the MRN exists or not.
    assert known.context["form"].errors == unknown.context["form"].errors
    assert list(known.context["form"].errors) == ["reason"]
    assert not AuditEvent.objects.filter(object_type="emergency access lookup").exists()
    client.post(url, {"mrn": "NOPE-1", "reason": REASON})
    lookup = AuditEvent.objects.get(object_type="emergency access lookup")
    assert (lookup.actor, lookup.action, lookup.object_id) == (outsider, AuditEvent.Action.DENIED, "NOPE-1")
