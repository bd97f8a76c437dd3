"""The audit trail's hash chain: sealed in commit order, and ``verify_audit`` finds a changed, removed,
inserted or unsealed event."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from teams.audit_chain import verify
from teams.models import AuditEvent
from teams.services import audit_record

pytestmark = pytest.mark.django_db(transaction=True)


def _events(count, patient=None):
    for n in range(count):
        audit_record(action="view", patient=patient, object_type="patient", object_id=str(n))


def _tampering(sql, params=()):
    """What someone with direct database access would do, past the append-only trigger."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE teams_auditevent DISABLE TRIGGER USER")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("ALTER TABLE teams_auditevent ENABLE TRIGGER USER")


def test_events_are_sealed_in_order_and_the_chain_verifies(capsys, patient):
    _events(4, patient)
    with transaction.atomic():  # several in one transaction are sealed at its commit, in order
        _events(3)
    chain = list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [seq for seq, _prev, _hash in chain] == list(range(1, 8))
    assert chain[0][1] == ""
    assert all(prev == chain[n][2] for n, (_seq, prev, _hash) in enumerate(chain[1:]))
    assert all(len(digest) == 64 for _seq, _prev, digest in chain)
    call_command("verify_audit")
    assert "7 audit events; the hash chain is intact. Head: event #7" in capsys.readouterr().out


def test_an_event_cannot_be_changed_or_deleted_through_the_database(patient):
    _events(1, patient)
    event = AuditEvent.objects.get()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(object_id="forged")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(seq=None)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_a_changed_event_is_found():
    _events(5)
    _tampering("UPDATE teams_auditevent SET object_id = 'someone else' WHERE seq = 3")
    report = verify()
    assert [(p.seq, p.what) for p in report.problems] == [
        (3, "its fields no longer match its hash: the row was changed")
    ]
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit")


def test_a_removed_event_is_found():
    _events(5)
    _tampering("DELETE FROM teams_auditevent WHERE seq = 2")
    assert [(p.seq, p.what) for p in verify().problems] == [
        (3, "it does not follow the event before it: an event was removed or inserted before it")
    ]


def test_an_event_inserted_into_the_middle_is_found():
    """The forger even gives the inserted event a correct hash over the event before it."""
    _events(5)
    _tampering("UPDATE teams_auditevent SET seq = seq + 100 WHERE seq > 2")
    _tampering("UPDATE teams_auditevent SET seq = seq - 99 WHERE seq > 100")
    _tampering(
        """INSERT INTO teams_auditevent (at, username, action, object_type, object_id, changed_fields, seq,
                                         prev_hash, hash)
           SELECT now(), 'forger', 'view', 'patient', 'x', '[]', 3, e.hash, ''
           FROM teams_auditevent e WHERE e.seq = 2"""
    )
    _tampering("UPDATE teams_auditevent e SET hash = teams_auditevent_digest(e, e.prev_hash) WHERE seq = 3")
    assert [(p.seq, p.what) for p in verify().problems] == [
        (4, "it does not follow the event before it: an event was removed or inserted before it")
    ]


def test_an_event_written_with_the_triggers_off_is_found():
    _events(2)
    _tampering(
        "INSERT INTO teams_auditevent (at, username, action, object_type, object_id, changed_fields,"
        " prev_hash, hash) VALUES (%s, 'ghost', 'view', 'patient', 'y', '[]', '', '')",
        [timezone.now() - timedelta(hours=1)],
    )
    [problem] = verify().problems
    assert problem.seq is None and "never sealed" in problem.what
