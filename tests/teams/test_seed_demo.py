import contextlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from teams.models import Membership, Patient, Team, User

pytestmark = pytest.mark.slow

LONDON = ZoneInfo("Europe/London")


def test_seed_demo_creates_the_demo_clinic_and_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Team.objects.count(), User.objects.count(), Patient.objects.count())
    call_command("seed_demo")
    assert (Team.objects.count(), User.objects.count(), Patient.objects.count()) == counts
    assert counts[0] == 2
    assert 35 <= counts[2] <= 45

    north, south = Team.objects.get(name="North MSK"), Team.objects.get(name="South MSK")
    assert Membership.objects.get(user__username="lead").role == Membership.Role.LEAD
    assert {m.user.username for m in north.memberships.select_related("user")} == {
        "lead",
        "physio",
        "psych",
        "physician",
        "ot",
    }
    assert [m.team for m in Membership.objects.filter(user__username="outsider")] == [south]
    assert User.objects.get(username="admin").is_clinic_admin
    for username in ("admin", "lead", "physio", "psych", "physician", "ot", "outsider"):
        assert User.objects.get(username=username).check_password("rehabcare-demo")
    assert north.patients.exists() and south.patients.exists()
    # Every demo patient passes the same validation as the patient form.
    for patient in Patient.objects.all():
        patient.full_clean()


def test_seed_demo_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


# Seeded at the session's clock (which `make test` also moves to other instants), and at the two moments
# of the week that once left a reason off: a Monday (a review date "in four days" fell after Thursday's
# conference) and a Thursday just after the conference (results "three days ago" came before it).
SEEDED_AT = {
    "the-session-clock": None,
    "monday": datetime(2026, 11, 30, 9, 0, tzinfo=LONDON),
    "thursday-after-the-conference": datetime(2026, 12, 3, 13, 30, tzinfo=LONDON),
}


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(when, id=name, marks=[pytest.mark.at_its_own_instant] if when else [])
        for name, when in SEEDED_AT.items()
    ],
)
def test_demo_north_has_past_conferences_and_a_planned_one_listing_every_reason(db, settings, when):
    settings.DEBUG = True
    with time_machine.travel(when) if when else contextlib.nullcontext():
        _assert_north_has_past_conferences_and_a_planned_one_listing_every_reason()


def _assert_north_has_past_conferences_and_a_planned_one_listing_every_reason():
    from conferences.agenda import REASON_CODES, agenda_entries
    from conferences.models import ActionItem, CaseConference, ConferenceNote
    from routing.models import HistoricalRoutingRule, RoutingRule
    from routing.rules_seed import rules_ensure
    from screening.batteries import batteries_ensure
    from screening.models import Battery

    batteries_ensure(Battery)
    # The routing rules open the reviews behind "Review overdue" and "Re-screen missed" (a transactional
    # test before this one may have emptied the seeded rows).
    rules_ensure(RoutingRule, HistoricalRoutingRule)
    call_command("seed_demo")
    north = Team.objects.get(name="North MSK")
    closed = CaseConference.objects.filter(team=north, status=CaseConference.Status.CLOSED)
    assert closed.count() == 2
    assert ConferenceNote.objects.filter(item__conference__in=closed, locked=True).count() == 6
    assert ActionItem.objects.open().exists() and ActionItem.objects.filter(status="done").exists()
    planned = CaseConference.objects.get(team=north, status=CaseConference.Status.PLANNED)
    listed = {reason["code"] for entry in agenda_entries(planned) for reason in entry.reasons}
    assert listed == set(REASON_CODES)
