"""Plans and their parts for tests, made through the services so history and versions are real."""

from datetime import date

from careplans.models import Exercise, Goal, Milestone
from careplans.services import part_create, plan_create

START = date(2026, 9, 1)
REVIEW = date(2026, 12, 1)


def make_plan(patient, user, **kwargs):
    return plan_create(patient=patient, user=user, **({"start_date": START, "review_date": REVIEW} | kwargs))


def make_goal(plan, user, words="Back to gardening", **kwargs):
    fields = {"measure": "minutes gardening", "baseline": "0", "target_value": "45", "target_date": REVIEW}
    return part_create(instance=Goal(plan=plan, patient_words=words, **(fields | kwargs)), user=user)


def make_milestone(goal, user, **kwargs):
    fields = {"description": "Twenty minutes", "target": "20 minutes", "due_date": date(2026, 10, 15)}
    return part_create(instance=Milestone(goal=goal, **(fields | kwargs)), user=user)


def make_exercise(plan, user, goal=None, **kwargs):
    fields = {
        "name": "Sit to stand",
        "sets": 3,
        "reps": 10,
        "sessions_per_week": 4,
        "lighter_alternative": "2 sets",
    }
    return part_create(instance=Exercise(plan=plan, goal=goal, **(fields | kwargs)), user=user)
