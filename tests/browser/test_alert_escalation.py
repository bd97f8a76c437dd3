"""An urgent alert nobody acknowledged shows its escalation on its story (issue 19): to the team lead,
then to the clinic admins, named, with when; and "Nobody to escalate to" where nobody could be reached.
Seen on the patient's overview and on the result that raised it, as a clinician of the team."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from screening import escalation
from screening.models import Alert

from ..factories import PASSWORD, PatientFactory
from ..screening.factories import phq9, record
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i19-escalation-{name}.png"), full_page=True)


def _escalate_everything_due() -> None:
    """What beat and a worker do: dispatch, send each step handed out; again while a step makes the next."""
    while ids := escalation.escalations_dispatch():
        for escalation_id in ids:
            escalation.escalation_send_now(escalation_id=escalation_id)


@override_settings(CLINIC_OPENING_HOURS="Mon-Sun 00:00-24:00", ALERT_ACK_MINUTES=30)
def test_a_clinician_sees_who_an_unacknowledged_alert_was_escalated_to(
    page, sign_in, clinician, lead, clinic_admin, north, patient
):
    lead.first_name, lead.last_name, lead.email = "Helen", "Marsh", "lead@clinic.example"
    lead.save()
    clinic_admin.first_name, clinic_admin.last_name, clinic_admin.mobile = "Alex", "Reid", "+447400200002"
    clinic_admin.save()
    result = record(patient, clinician, answers=phq9(item9=1), timepoint="adhoc")
    Alert.objects.filter(patient=patient).update(opened_at=timezone.now() - timedelta(hours=2))
    _escalate_everything_due()

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("physio", PASSWORD)
    page.goto(patient.get_absolute_url())
    history = page.get_by_role("region", name="Alert history")
    expect(history.get_by_text("Escalated to the team lead (Helen Marsh) on")).to_be_visible()
    expect(history.get_by_text("Escalated to clinic admins (Alex Reid) on")).to_be_visible()
    _shot(page, "overview")
    assert_no_serious_violations(page, context="clinician: overview, an escalated alert")

    page.goto(result.get_absolute_url())
    raised = page.get_by_role("region", name="Alerts raised by this result")
    expect(raised.get_by_text("Escalated to clinic admins (Alex Reid) on")).to_be_visible()
    _shot(page, "result")
    assert_no_serious_violations(page, context="clinician: result page, an escalated alert")

    # A patient of a team with no lead, and no admin who can be reached: the story says so.
    clinic_admin.mobile = ""
    clinic_admin.save()
    from teams.models import Team

    lone = PatientFactory(team=Team.objects.create(name="East MSK"), given_name="Ben", family_name="Lee")
    lone.team.memberships.create(user=clinician)
    record(lone, clinician, answers=phq9(item9=2), timepoint="adhoc")
    Alert.objects.filter(patient=lone).update(opened_at=timezone.now() - timedelta(hours=2))
    _escalate_everything_due()
    sign_in("physio", PASSWORD)  # joining a team ended their sessions (a change of rights)
    page.goto(lone.get_absolute_url())
    history = page.get_by_role("region", name="Alert history")
    expect(history.get_by_text("No team lead to escalate to")).to_be_visible()
    expect(
        history.get_by_text("Nobody to escalate to: no clinic admin with an email or a mobile")
    ).to_be_visible()
    _shot(page, "nobody")
    assert_no_serious_violations(page, context="clinician: overview, an alert nobody could be reached for")
