"""Review alerts from before the routing rules become assigned reviews (routing migration 0004)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps

from routing.alert_reviews import ACTION, review_alerts_convert
from routing.models import Review, RoutingRule
from screening.models import Alert
from teams.models import AuditEvent
from tests.screening.factories import record

from .helpers import answers_for, psychologist

LONDON = ZoneInfo("Europe/London")


def _old_review_alert(patient, user, code, total, **fields):
    """A result and its review alert as the screening app opened them before issue 19."""
    RoutingRule.objects.update(is_active=False)
    screening = record(patient, user, code=code, answers=answers_for(code, total))
    RoutingRule.objects.update(is_active=True)
    return Alert.objects.create(
        patient=patient, screening=screening, kind=Alert.Kind.REVIEW, reason=f"{code} {total}: high", **fields
    )


def test_an_open_review_alert_becomes_an_owned_review_and_is_closed(patient, clinician, north):
    psych = psychologist(north)
    with time_machine.travel(datetime(2026, 11, 2, 10, tzinfo=LONDON), tick=False):
        alert = _old_review_alert(patient, clinician, "PHQ-9", 22)
    assert review_alerts_convert(apps) == 1
    review = Review.objects.get(patient=patient)
    assert review.rule.name == "Severe depressive symptoms (PHQ-9 ≥ 20)"
    assert (review.owner, review.reason, review.screening) == (psych, "PHQ-9 22: high", alert.screening)
    assert review.due_on.isoformat() == "2026-11-05"  # raised 2 Nov, due in 3 days
    alert.refresh_from_db()
    assert (alert.status, alert.action_taken) == (Alert.Status.CLOSED, ACTION)
    assert AuditEvent.objects.filter(object_type="alert", object_id=str(alert.pk), action="update").exists()
    assert AuditEvent.objects.filter(object_type="review", object_id=str(review.pk), action="create").exists()


def test_closed_alerts_and_urgent_alerts_stay_as_they_were(patient, clinician, north):
    psychologist(north)
    closed = _old_review_alert(
        patient,
        clinician,
        "PCS",
        34,
        status=Alert.Status.CLOSED,
        action_taken="Seen",
        closed_by=clinician,
        closed_at=datetime(2026, 11, 2, 10, tzinfo=LONDON),
    )
    urgent = record(patient, clinician, answers={str(n): 0 for n in range(1, 9)} | {"9": 1}).alerts.get()
    assert review_alerts_convert(apps) == 0
    closed.refresh_from_db()
    urgent.refresh_from_db()
    assert closed.action_taken == "Seen" and urgent.status == Alert.Status.OPEN
    assert not Review.objects.filter(screening=closed.screening).exists()


def test_a_result_no_rule_meets_today_still_becomes_a_review(patient, clinician, north):
    psychologist(north)
    _old_review_alert(patient, clinician, "PCS", 12)  # under today's PCS rule: kept, not dropped
    assert review_alerts_convert(apps) == 1
    assert Review.objects.get(patient=patient).rule.name == "High pain catastrophizing (PCS ≥ 30)"


def test_the_alert_history_says_rehabcare_closed_a_converted_alert(patient, clinician, north, login):
    psychologist(north)
    _old_review_alert(patient, clinician, "PHQ-9", 12)
    review_alerts_convert(apps)
    page = login(clinician).get(patient.get_absolute_url()).content.decode()
    row = page.split('class="alert-history"')[1].split("<tbody>")[1].split("</tr>")[0]
    assert ACTION in row
    # Acknowledged and closed when it became a review, by nobody named: never "not yet".
    assert row.count("RehabCare, automatically") == 2 and "not yet" not in row
