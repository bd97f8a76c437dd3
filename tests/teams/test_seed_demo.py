import pytest
from django.core.management import CommandError, call_command

from teams.models import Membership, Patient, Team, User


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


def test_demo_north_has_past_conferences_and_a_planned_one_listing_every_reason(db, settings):
    from screening.batteries import batteries_ensure
    from screening.models import Battery
    from teams.agenda import REASON_CODES, agenda_entries
    from teams.models import ActionItem, CaseConference, ConferenceNote

    settings.DEBUG = True
    batteries_ensure(Battery)
    call_command("seed_demo")
    north = Team.objects.get(name="North MSK")
    closed = CaseConference.objects.filter(team=north, status=CaseConference.Status.CLOSED)
    assert closed.count() == 2
    assert ConferenceNote.objects.filter(item__conference__in=closed, locked=True).count() == 6
    assert ActionItem.objects.open().exists() and ActionItem.objects.filter(status="done").exists()
    planned = CaseConference.objects.get(team=north, status=CaseConference.Status.PLANNED)
    listed = {reason["code"] for entry in agenda_entries(planned) for reason in entry.reasons}
    assert listed == set(REASON_CODES)
