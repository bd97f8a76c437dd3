"""factory_boy factories for staff, teams and patients."""

from datetime import date

import factory

from teams.models import Discipline, Membership, Patient, Team, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"clinician{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    discipline = Discipline.PHYSIOTHERAPIST
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: f"T{200000 + n}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = date(1970, 5, 17)
    email = factory.LazyAttribute(lambda p: f"{p.mrn.lower()}@example.org")
    team = factory.SubFactory(TeamFactory)
    primary_clinician = factory.LazyAttribute(
        lambda p: MembershipFactory(team=p.team, user=UserFactory()).user
    )
