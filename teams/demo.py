"""Demo data for `make run`: two teams, the demo staff, about forty patients and North's case conferences.

Idempotent: every row is found by its natural key (username, team name, MRN) and
created only when missing, so running it again changes nothing.

Every date is placed from one reading of the clock (``DemoCalendar``), relative to the dates it must
hit: North's conferences, so that whatever the day and hour of seeding, the next conference's agenda
lists a patient for every reason.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from .models import (
    ActionItem,
    CaseConference,
    ConferenceSeries,
    Discipline,
    Language,
    Membership,
    Patient,
    Team,
    User,
    Weekday,
)

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


# North MSK's case conferences: Thursdays at 13:00, every week.
NORTH_MEETS = (Weekday.THURSDAY, time(13, 0))


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
        from .services import conference_next_start

        weekday, local_time = NORTH_MEETS
        upcoming = conference_next_start(ConferenceSeries(weekday=weekday, local_time=local_time), now)
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


# Other apps add their demo data after the staff and patients exist: (name, seeder returning a count).
Seeder = Callable[[DemoCalendar], int]
_SEEDERS: list[tuple[str, Seeder]] = []


def demo_seeder_register(name: str, seeder: Seeder) -> None:
    if name not in dict(_SEEDERS):
        _SEEDERS.append((name, seeder))


@transaction.atomic
def demo_seed(*, patients: int = 40, now: datetime | None = None) -> dict[str, int]:
    """Create what is missing of the demo data set and say how many rows exist."""
    calendar = DemoCalendar.at(now or timezone.now())
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
        counts[name] = seeder(calendar)
    # Last: the agenda is built from what every other app seeded.
    counts["case conferences"] = demo_conferences_seed(calendar)
    return counts


NOTES = [
    {
        "physical": "Sit-to-stand up to 10 reps; walking tolerance 400 m before pain rises.",
        "psychological": "Worried bending will cause another disc injury; avoids lifting at home.",
        "social": "Off work since the summer; partner doing the shopping.",
        "patient_perspective": "Wants to walk her grandson to school again.",
        "decisions": "Keep the exercise dose; add graded exposure to bending; review sleep.",
    },
    {
        "physical": "Knee flexion improving, 110°; missed two sessions this fortnight.",
        "psychological": "Low mood on check-ins; PHQ-9 up since intake.",
        "social": "Caring for a parent; appointments clash with her shifts.",
        "patient_perspective": "Finds the exercises hard to fit in on work days.",
        "decisions": "Move sessions to late afternoon; psychologist to offer behavioural activation.",
    },
    {
        "physical": "Shoulder range near full; strength 4/5.",
        "psychological": "Confidence returning (PSEQ up 12 points).",
        "social": "Back at work on reduced hours.",
        "patient_perspective": "Feels ready to manage on her own.",
        "decisions": "Plan discharge review at the next conference.",
    },
]
ACTIONS = [
    ("Offer graded exposure to bending", "psych", 7, True),
    ("Phone the employer about a phased return", "ot", -3, False),
    ("Review sleep and pain medication", "physician", 10, False),
]


def demo_conferences_seed(calendar: DemoCalendar) -> int:
    """North MSK meets on Thursdays at 13:00: two closed conferences with notes and actions, and the
    next one planned, its agenda listing whoever needs attention now. Idempotent."""
    from . import services

    north = Team.objects.get(name="North MSK")
    if CaseConference.objects.filter(team=north).exists():
        return CaseConference.objects.count()
    lead = User.objects.get(username="lead")
    staff = {user.username: user for user in User.objects.filter(memberships__team=north)}
    weekday, local_time = NORTH_MEETS
    series = ConferenceSeries.objects.create(
        team=north, weekday=weekday, local_time=local_time, chair=lead, active=False
    )
    for weeks_ago, starts_at in zip((2, 1), calendar.held, strict=True):
        conference = services.conference_plan(
            team=north, starts_at=starts_at, chair=lead, attendees=staff.values(), user=lead
        )
        services.conference_start(conference=conference, user=lead)
        items = list(conference.items.select_related("patient").order_by("position")[: len(NOTES)])
        for item, note in zip(items, NOTES, strict=False):
            services.note_save(item=item, data=note, user=lead)
        # Each conference gives its actions to different patients.
        targets = items if weeks_ago == 2 else items[::-1]
        for item, (description, owner, due_in, done) in zip(targets, ACTIONS, strict=False):
            if ActionItem.objects.open().filter(patient=item.patient, description=description).exists():
                continue  # already agreed at the previous conference, and still open
            action = services.action_add(
                item=item,
                description=description,
                owner=staff[owner],
                due_on=timezone.localdate(starts_at) + timedelta(days=7 + due_in),
                user=lead,
            )
            if done and weeks_ago == 2:
                services.action_complete(action=action, user=staff[owner])
        services.conference_close(conference=conference, user=lead)
    series.active = True
    series.save(update_fields=["active"])
    services.conference_plan_next(series=series, now=calendar.now)  # planned for calendar.next
    return CaseConference.objects.count()
