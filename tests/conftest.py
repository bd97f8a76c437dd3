"""The cast every test draws on: a clinician of North, a colleague, the lead, a clinic admin,
and an outsider who works only in South."""

import pytest

from teams.models import Discipline, Membership

from .factories import MembershipFactory, PatientFactory, TeamFactory, UserFactory


@pytest.fixture
def north(db):
    return TeamFactory(name="North MSK")


@pytest.fixture
def south(db):
    return TeamFactory(name="South MSK")


@pytest.fixture
def clinician(north):
    user = UserFactory(username="physio", first_name="Priya", last_name="Shah")
    MembershipFactory(team=north, user=user)
    return user


@pytest.fixture
def colleague(north):
    user = UserFactory(username="psych", discipline=Discipline.PSYCHOLOGIST)
    MembershipFactory(team=north, user=user)
    return user


@pytest.fixture
def lead(north):
    user = UserFactory(username="lead")
    MembershipFactory(team=north, user=user, role=Membership.Role.LEAD)
    return user


@pytest.fixture
def clinic_admin(db):
    return UserFactory(username="admin", is_clinic_admin=True)


@pytest.fixture
def outsider(south):
    user = UserFactory(username="outsider")
    MembershipFactory(team=south, user=user)
    return user


@pytest.fixture
def patient(north, clinician):
    return PatientFactory(team=north, primary_clinician=clinician, given_name="Amelia", family_name="Okafor")


@pytest.fixture
def south_patient(south, outsider):
    return PatientFactory(team=south, primary_clinician=outsider, given_name="George", family_name="Evans")


@pytest.fixture
def login(client):
    """Log the test client in as a user and return it."""

    def log_in(user):
        client.force_login(user)
        return client

    return log_in
