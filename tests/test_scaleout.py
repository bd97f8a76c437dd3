"""Past one machine, small (`benchmarks/scaleout.py`): two gunicorns behind HAProxy share the sessions, the
API throttle and the sign-in lockout; three Celery workers send reminders that fall due at once, each
exactly once. No timing is asserted."""

import pytest

from benchmarks.scaleout import Proof, ScaleOut, claims_drill, markdown, reminders_drill, web_checks
from checkins.models import OutboxMessage, Reminder
from teams.models import Patient

pytestmark = [pytest.mark.bench, pytest.mark.process, pytest.mark.django_db(transaction=True)]


def test_two_nodes_behind_haproxy_share_the_session_the_throttle_and_the_lockout():
    sessions, throttle, lockout = web_checks(limit=3, pages=4)

    assert sessions.held, sessions.detail
    assert "4 answered signed in (node1 2, node2 2)" in sessions.detail
    assert throttle.held, throttle.detail
    # Three let through in all, not three a node, and both nodes refuse the rest.
    assert "3 let through" in throttle.detail
    assert "5 refused with 429" in throttle.detail
    assert lockout.held, lockout.detail
    assert "4 locked out (node1 2, node2 2)" in lockout.detail
    assert "forged X-Forwarded-For: locked out" in lockout.detail


def test_three_workers_send_reminders_due_at_once_each_exactly_once_and_leave_nothing_behind():
    dispatch = reminders_drill(120, poll=0.5, linger=1)

    assert dispatch.made == dispatch.once == 120
    assert dispatch.extra == dispatch.never == 0
    # Three dispatch tasks ran at once; what they claimed adds up to each reminder once.
    assert len(dispatch.claims) == 3 and sum(dispatch.claims) == 120
    assert sum(dispatch.sends.values()) == 120 and len(dispatch.sends) == 3
    assert dispatch.held and dispatch.sent_s is not None
    assert not Patient.objects.filter(mrn__startswith="SCALEOUT-").exists()
    assert not Reminder.objects.exists() and not OutboxMessage.objects.exists()

    report = markdown(ScaleOut([Proof("sessions: shared", True, "seen")], None, dispatch))
    assert report.startswith("## Two web nodes, three workers")
    assert "| sessions: shared | yes | seen |" in report
    assert "120 reminders made, 120 sent exactly once, 0 sent twice, 0 never" in report
    assert all(f"| worker {n} | " in report for n in (1, 2, 3))


def test_three_workers_dispatch_reminders_due_at_once_handing_each_out_once():
    claims = claims_drill(2500)

    # Three dispatch tasks at once, each claiming in batches of 1,000 until none is left.
    assert claims.made == claims.due == 2500
    assert len(claims.claims) == 3 and sum(claims.claims) == 2500
    assert claims.queued == claims.distinct == 2500
    assert claims.held and claims.seconds is not None
    assert not Patient.objects.filter(mrn__startswith="SCALEOUT-").exists()
    assert not Reminder.objects.exists()

    report = markdown(ScaleOut([], None, reminders_drill(3, poll=0.5, linger=0), claims))
    assert "2,500 reminders due at once, dispatched by three workers" in report
    assert "2,500 messages to send queued for 2,500 distinct reminders (0 twice)" in report
