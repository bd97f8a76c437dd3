"""The whole demo data set for `make run` (``demo_seed``), and North MSK's case conferences.

Idempotent: each app's seeder finds its rows by their natural keys and creates only what is missing.
Every date is placed from one reading of the clock (``teams.demo.DemoCalendar``), so that whatever the
day and hour of seeding, the next conference's agenda lists a patient for every reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from adherence.demo import demo_adherence_seed, demo_rollups_seed, demo_sessions_seed
from careplans.demo import (
    demo_competence_kept_seed,
    demo_directory_seed,
    demo_plans_seed,
    demo_preferences_seed,
)
from checkins.demo import (
    demo_activation_seed,
    demo_caregiver_messages_seed,
    demo_deliveries_seed,
    demo_education_seed,
    demo_languages_seed,
    demo_schedules_seed,
)
from routing.demo import demo_reviews_seed
from screening.demo import demo_screenings_seed, demo_translations_seed
from teams.demo import NORTH_MEETS, DemoCalendar, demo_people_seed
from teams.models import Team, User
from training.demo import demo_training_seed

from . import services
from .models import ActionItem, CaseConference, ConferenceSeries


@transaction.atomic
def demo_seed(*, patients: int = 40, now: datetime | None = None) -> dict[str, int]:
    """Create what is missing of the demo data set and say how many rows exist."""
    calendar = DemoCalendar.at(now or timezone.now())
    counts = demo_people_seed(calendar, patients=patients)
    counts["training records"] = demo_training_seed(calendar)
    counts["screenings"] = demo_screenings_seed(calendar)
    counts["validated translations"] = demo_translations_seed(calendar)
    counts["care plans"] = demo_plans_seed(calendar)
    counts["psychosocial reviews"] = demo_reviews_seed(calendar)
    counts["check-in schedules"] = demo_schedules_seed(calendar)
    counts["care preferences"] = demo_preferences_seed(calendar)
    counts["education assigned"] = demo_education_seed(calendar)
    counts["messages to caregivers (sent, refused)"] = demo_caregiver_messages_seed(calendar)
    counts["activities and barriers"] = demo_activation_seed(calendar)
    counts["referrals to community resources"] = demo_directory_seed(calendar)
    counts["responsibilities kept without a competence, with a reason"] = demo_competence_kept_seed(calendar)
    counts["reminder messages with delivery receipts"] = demo_deliveries_seed(calendar)
    counts["Polish-speaking patients sent a reminder"] = demo_languages_seed(calendar)
    counts["sessions"] = demo_adherence_seed(calendar)
    counts["session series (joint, video, phone, group)"] = demo_sessions_seed(calendar)
    counts["weekly roll-ups"] = demo_rollups_seed(calendar)
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
        # The demo's conferences end, as real ones do, with some patients left for next time.
        undiscussed = conference.items.filter(discussed_at__isnull=True).count()
        services.conference_close(conference=conference, user=lead, leave_undiscussed=undiscussed)
    series.active = True
    series.save(update_fields=["active"])
    services.conference_plan_next(series=series, now=calendar.now)  # planned for calendar.next
    return CaseConference.objects.count()
