"""Demo data for `make run`: two teams, the demo staff and about forty patients.

Idempotent: every row is found by its natural key (username, team name, MRN) and
created only when missing, so running it again changes nothing.
"""

import random
from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction

from .models import Discipline, Language, Membership, Patient, Team, User

DEMO_PASSWORD = "rehabcare-demo"

# username, first name, last name, discipline, team, role
STAFF = [
    ("lead", "Helen", "Marsh", Discipline.PHYSIOTHERAPIST, "North MSK", Membership.Role.LEAD),
    ("physio", "Priya", "Shah", Discipline.PHYSIOTHERAPIST, "North MSK", Membership.Role.MEMBER),
    ("psych", "Tom", "Adeyemi", Discipline.PSYCHOLOGIST, "North MSK", Membership.Role.MEMBER),
    ("physician", "Clara", "Novak", Discipline.PHYSICIAN, "North MSK", Membership.Role.MEMBER),
    ("ot", "Sam", "Kowalski", Discipline.OCCUPATIONAL_THERAPIST, "North MSK", Membership.Role.MEMBER),
    ("outsider", "Oliver", "Grant", Discipline.PHYSIOTHERAPIST, "South MSK", Membership.Role.MEMBER),
]

GIVEN_NAMES = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Grace",
    "Leo",
    "Freya",
    "Oscar",
    "Aisha",
    "Mohammed",
    "Zofia",
    "Kwame",
    "Siobhan",
    "Rhys",
    "Mei",
    "Ravi",
]
FAMILY_NAMES = [
    "Okafor",
    "Thompson",
    "Evans",
    "Hughes",
    "Patel",
    "Nowak",
    "Campbell",
    "O'Brien",
    "Khan",
    "Murphy",
    "Davies",
    "Robinson",
    "Wright",
    "Chen",
    "Walker",
    "Ahmed",
    "Lewis",
    "Fraser",
    "Jones",
    "Mensah",
]


# Other apps add their demo data after the staff and patients exist: (name, seeder returning a count).
_SEEDERS: list[tuple[str, Callable[[], int]]] = []


def demo_seeder_register(name: str, seeder: Callable[[], int]) -> None:
    if name not in dict(_SEEDERS):
        _SEEDERS.append((name, seeder))


@transaction.atomic
def demo_seed(*, patients: int = 40) -> dict[str, int]:
    """Create what is missing of the demo data set and say how many rows exist."""
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in ("North MSK", "South MSK")}

    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={
            "first_name": "Alex",
            "last_name": "Reid",
            "email": "admin@clinic.example",
            "discipline": Discipline.OTHER,
            "is_clinic_admin": True,
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])

    clinicians: dict[str, list[User]] = {name: [] for name in teams}
    for username, first, last, discipline, team_name, role in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "discipline": discipline,
                "email": f"{username}@clinic.example",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(team=teams[team_name], user=user, defaults={"role": role})
        clinicians[team_name].append(user)

    # A fixed seed: the same names, birthdays and teams every time.
    rng = random.Random(20261127)
    team_names = list(teams)
    for number in range(1, patients + 1):
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        team_name = team_names[0] if number % 3 else team_names[1]
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
        slug = f"{given}.{family}".lower().replace("'", "")
        Patient.objects.get_or_create(
            mrn=f"MRN{100000 + number}",
            defaults={
                "given_name": given,
                "family_name": family,
                "date_of_birth": born,
                "email": f"{slug}@example.org",
                "mobile": f"+4474001{number:05d}",
                "reminder_channel": Patient.Channel.SMS if number % 4 == 0 else Patient.Channel.EMAIL,
                "language": Language.POLISH if family == "Nowak" else Language.ENGLISH,
                "consent_to_reminders": number % 5 != 0,
                "status": Patient.Status.DISCHARGED if number % 9 == 0 else Patient.Status.ACTIVE,
                "team": teams[team_name],
                "primary_clinician": rng.choice(clinicians[team_name]),
            },
        )
    counts = {
        "teams": Team.objects.count(),
        "staff": User.objects.count(),
        "patients": Patient.objects.count(),
    }
    for name, seeder in _SEEDERS:
        counts[name] = seeder()
    return counts
