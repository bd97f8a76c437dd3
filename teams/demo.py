"""Demo data for `make run`: two teams, the demo staff and about forty patients (``demo_people_seed``),
and the calendar every app's demo data is placed by. ``conferences.demo.demo_seed`` runs the whole set.

Idempotent: every row is found by its natural key (username, team name, MRN) and
created only when missing, so running it again changes nothing.

Every date is placed from one reading of the clock (``DemoCalendar``), relative to the dates it must
hit: North's conferences, so that whatever the day and hour of seeding, the next conference's agenda
lists a patient for every reason.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from core.calendar import weekly_next

from .models import Discipline, Language, Membership, Patient, Team, User

DEMO_PASSWORD = "rehabcare-demo"
# Where an urgent alert's escalation reaches the lead and the clinic admin by SMS (the outbox, in the demo).
DEMO_MOBILES = {"lead": "+447400200001", "admin": "+447400200002"}

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


# North MSK's case conferences: Thursdays (Monday is 0) at 13:00, every week.
NORTH_MEETS = (3, time(13, 0))


@dataclass(frozen=True)
class DemoCalendar:
    """The moments the demo is built around, from one reading of the clock: North's two conferences
    already held (oldest first) and its next one. Other seeders aim their data at them: a plan's review
    due by the next conference, screenings since the last one."""

    now: datetime
    held: tuple[datetime, datetime]
    next: datetime

    @classmethod
    def at(cls, now: datetime) -> DemoCalendar:
        weekday, local_time = NORTH_MEETS
        upcoming = weekly_next(now, weekday=weekday, at=local_time)
        # The same local time one and two weeks before, whatever the clocks did in between.
        local = timezone.localtime(upcoming)
        held = (local - timedelta(weeks=2), local - timedelta(weeks=1))
        return cls(now=now, held=held, next=upcoming)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    @property
    def next_day(self) -> date:
        return timezone.localdate(self.next)


def demo_people_seed(calendar: DemoCalendar, *, patients: int = 40) -> dict[str, int]:
    """Create what is missing of the teams, staff and patients, and say how many rows exist."""
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in ("North MSK", "South MSK")}

    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={
            "first_name": "Alex",
            "last_name": "Reid",
            "email": "admin@clinic.example",
            "discipline": Discipline.OTHER,
            "is_clinic_admin": True,
            "mobile": DEMO_MOBILES["admin"],
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
                "mobile": DEMO_MOBILES.get(username, ""),
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
                "reminder_consent_given_on": calendar.today - timedelta(weeks=3) if number % 5 else None,
                "reminder_consent_note": "Verbally, at intake" if number % 5 else "",
                "status": Patient.Status.DISCHARGED if number % 9 == 0 else Patient.Status.ACTIVE,
                "team": teams[team_name],
                "primary_clinician": rng.choice(clinicians[team_name]),
            },
        )
    return {
        "teams": Team.objects.count(),
        "staff": User.objects.count(),
        "patients": Patient.objects.count(),
    }
