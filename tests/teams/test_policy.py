"""Every who-may rule (teams.policy) for every member of the cast, pinned in one table: a change of a rule
shows here as a changed cell."""

from datetime import date

import pytest

from teams import policy
from teams.models import Membership, Patient

from ..factories import MembershipFactory, UserFactory

ROLES = ("clinician", "colleague", "lead", "clinic_admin", "outsider", "inactive_lead", "emergency")

# rule → the answer for each role above, about North's patient, North's team, its conference and action.
EXPECTED = {
    "sees the patient": (True, True, True, True, False, False, True),
    "changes the patient": (True, True, True, True, False, False, False),
    "moves the patient": (True, True, True, True, False, False, False),
    "leads the team": (False, False, True, True, False, False, False),
    "oversees a team": (False, False, True, True, False, False, False),
    "exports": (False, False, True, True, False, False, False),
    "runs the conference": (False, False, True, True, False, False, False),
    "completes the action": (True, False, True, True, False, False, False),
    # About the clinician's training records (tests/training/test_policy.py pins supervision too).
    "sees the clinician's training": (True, True, True, True, False, False, False),
    "verifies the clinician's training": (False, False, True, True, False, False, False),
    # The community resource directory (careplans): leads of any team and clinic admins.
    "manages community resources": (False, False, True, True, False, False, False),
}


@pytest.fixture
def inactive_lead(north):
    user = UserFactory(username="former-lead", is_active=False)
    MembershipFactory(team=north, user=user, role=Membership.Role.LEAD)
    return user


@pytest.fixture
def emergency(patient, south):
    from teams.services import emergency_access_grant

    user = UserFactory(username="night-doctor")
    MembershipFactory(team=south, user=user)
    emergency_access_grant(
        user=user,
        mrn=patient.mrn,
        reason="Collapsed in the gym, need the history now please.",
    )
    return user


@pytest.fixture
def conference_and_action(north, lead, clinician, patient):
    from django.utils import timezone

    from conferences import services

    conference = services.conference_plan(
        team=north, starts_at=timezone.now(), chair=lead, attendees=[clinician], user=lead
    )
    conference = services.conference_start(conference=conference, user=lead)
    item = services.agenda_item_add(conference=conference, patient=patient, user=lead)
    action = services.action_add(
        item=item, description="Call the GP", owner=clinician, due_on=date(2027, 1, 4), user=lead
    )
    return conference, action


def _answers(user, patient, north, conference, action) -> dict[str, bool]:
    clinician = patient.primary_clinician
    return {
        "sees the patient": Patient.objects.visible_to(user).filter(pk=patient.pk).exists(),
        "changes the patient": policy.may_change_patient(user, patient),
        "moves the patient": policy.may_move_patient(user, patient),
        "leads the team": policy.leads_team(user, north.pk),
        "oversees a team": policy.oversees_any_team(user),
        "exports": policy.may_export(user),
        "runs the conference": policy.may_run_conference(user, conference),
        "completes the action": policy.may_complete_action(user, action),
        "sees the clinician's training": policy.may_see_training_of(user, clinician),
        "verifies the clinician's training": policy.may_verify_training(user, clinician),
        "manages community resources": policy.may_manage_resources(user),
    }


def test_every_rule_for_every_role(request, patient, north, colleague, conference_and_action):
    conference, action = conference_and_action
    found: dict[str, list[bool]] = {rule: [] for rule in EXPECTED}
    for role in ROLES:
        user = request.getfixturevalue(role)
        for rule, answer in _answers(user, patient, north, conference, action).items():
            found[rule].append(answer)
    table = {rule: tuple(answers) for rule, answers in found.items()}
    assert table == EXPECTED


def test_the_access_check_marks_emergency_access_in_the_same_query(
    emergency, clinician, patient, django_assert_num_queries
):
    with django_assert_num_queries(1):
        seen = policy.with_team_access(emergency, Patient.objects.visible_to(emergency)).get(pk=patient.pk)
        assert policy.emergency_only(emergency, seen)
    with django_assert_num_queries(1):
        seen = policy.with_team_access(clinician, Patient.objects.visible_to(clinician)).get(pk=patient.pk)
        assert not policy.emergency_only(clinician, seen)


def test_an_export_is_not_downloaded_once_its_requester_stops_leading(login, lead, north):
    from adherence.models import Export

    export = Export.objects.create(requested_by=lead, title="Patients", params={}, status=Export.Status.DONE)
    client = login(lead)
    url_name = "export_detail"
    from django.urls import reverse

    assert client.get(reverse(url_name, kwargs={"export_id": export.pk})).status_code == 200
    Membership.objects.filter(user=lead).update(role=Membership.Role.MEMBER)
    client = login(lead)
    assert client.get(reverse(url_name, kwargs={"export_id": export.pk})).status_code == 404
