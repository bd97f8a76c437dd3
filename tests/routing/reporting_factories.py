"""Reviews and re-screens made directly, for the reporting tests (agenda, audits, dashboard, API, FHIR).

The rule here fires on nothing (its flag is never raised), and the screenings are the lowest answers,
so no seeded rule opens a review of its own beside the ones a test makes.
"""

from datetime import date, datetime

from django.utils import timezone

from routing.models import Condition, Rescreen, Review, RoutingRule
from teams.models import Discipline

from ..screening.factories import record


def quiet_rule(name: str = "Reporting test rule", instrument: str = "PCS") -> RoutingRule:
    rule, _created = RoutingRule.objects.get_or_create(
        name=name,
        defaults={
            "instrument": instrument,
            "condition": Condition.FLAG,
            "flag": "never-raised",
            "discipline": Discipline.PSYCHOLOGIST,
            "due_days": 7,
            "rationale": "For tests.",
            "source": "Tests.",
        },
    )
    return rule


def make_review(
    patient,
    owner,
    *,
    due_on: date,
    opened_at: datetime | None = None,
    resolved_at: datetime | None = None,
    resolution: str = Review.Resolution.PLAN_UPDATED,
    state: str | None = None,
    reason: str = "PCS 34 (high)",
    screening=None,
    **fields,
) -> Review:
    """A review of a fresh PCS result; resolved (by its owner) when ``resolved_at`` is given."""
    screening = screening or record(patient, owner, code="PCS")
    review = Review.objects.create(
        patient=patient,
        screening=screening,
        rule=quiet_rule(),
        reason=reason,
        discipline=owner.discipline,
        owner=owner,
        due_on=due_on,
        state=state or (Review.State.RESOLVED if resolved_at else Review.State.OPEN),
        resolution=resolution if resolved_at else "",
        resolved_by=owner if resolved_at else None,
        resolved_at=resolved_at,
        **fields,
    )
    # ``opened_at`` is set on insert: a test's flag moment is written after.
    when = opened_at or timezone.now()
    Review.objects.filter(pk=review.pk).update(opened_at=when)
    review.opened_at = when
    return review


def make_rescreen(patient, *, due_on: date, instrument: str = "PCS", state: str = Rescreen.State.DUE):
    return Rescreen.objects.create(patient=patient, instrument=instrument, due_on=due_on, state=state)
