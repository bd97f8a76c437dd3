"""The training rules of teams.policy for every member of the cast, pinned in one table (as
tests/teams/test_policy.py pins the others): about the clinician's records, and a session in which the
lead of South supervises the clinician of North."""

from datetime import datetime

import pytest

from teams import policy
from teams.models import Membership
from training.models import TrainingRecord

from ..factories import MembershipFactory, UserFactory
from .factories import LONDON, SupervisionSessionFactory, TrainingRecordFactory

ROLES = ("clinician", "colleague", "lead", "clinic_admin", "outsider", "inactive_lead", "south_lead")

EXPECTED = {
    "sees the clinician's training": (True, True, True, True, False, False, False),
    "lists the clinician's records": (True, True, True, True, False, False, False),
    "adds training for the clinician": (True, False, False, True, False, False, False),
    "verifies the clinician's training": (False, False, True, True, False, False, False),
    "logs the supervision": (True, False, False, True, False, False, True),
    "sees the supervision": (True, False, True, False, False, False, True),
    "lists the supervision": (True, False, True, False, False, False, True),
}


@pytest.fixture
def inactive_lead(north):
    user = UserFactory(username="former-lead", is_active=False)
    MembershipFactory(team=north, user=user, role=Membership.Role.LEAD)
    return user


@pytest.fixture
def south_lead(south):
    """Supervises across teams: sees the session they gave, not North's records."""
    user = UserFactory(username="south-lead")
    MembershipFactory(team=south, user=user, role=Membership.Role.LEAD)
    return user


def test_every_training_rule_for_every_role(request, clinician, south_lead):
    record = TrainingRecordFactory(user=clinician)
    session = SupervisionSessionFactory(
        supervisor=south_lead, supervisees=[clinician], held_at=datetime(2027, 1, 5, 9, tzinfo=LONDON)
    )
    found: dict[str, list[bool]] = {rule: [] for rule in EXPECTED}
    for role in ROLES:
        user = request.getfixturevalue(role)
        answers = {
            "sees the clinician's training": policy.may_see_training_of(user, clinician),
            "lists the clinician's records": policy.training_visible(user, TrainingRecord.objects.all())
            .filter(pk=record.pk)
            .exists(),
            "adds training for the clinician": policy.may_add_training_for(user, clinician),
            "verifies the clinician's training": policy.may_verify_training(user, clinician),
            "logs the supervision": policy.may_log_supervision(user, south_lead, [clinician]),
            "sees the supervision": policy.may_see_supervision(user, session),
            "lists the supervision": policy.supervision_visible(user, type(session).objects.all())
            .filter(pk=session.pk)
            .exists(),
        }
        for rule, answer in answers.items():
            found[rule].append(answer)
    assert {rule: tuple(answers) for rule, answers in found.items()} == EXPECTED
