"""Reads of care routing: reviews and re-screens as a user may see them, and the figures built on them.

Each helper keeps its reads under its own heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from screening.instruments import INSTRUMENTS, Overrides, change_between
from screening.models import Screening
from screening.selectors import instrument_overrides
from teams.models import AuditEvent, Patient, Team, User

from .models import Condition, Rescreen, Review, RoutingRule

# --- reporting ---


def reviews_overdue(*, patients: QuerySet[Patient], day: date) -> QuerySet[Review]:
    """Unresolved reviews of these patients due before ``day``, most overdue first, with patient and owner."""
    return (
        Review.objects.unresolved()
        .filter(patient__in=patients, due_on__lt=day)
        .select_related("patient", "owner")
        .order_by("due_on", "id")
    )


def patient_reviews(*, patient: Patient) -> QuerySet[Review]:
    """A patient's reviews for the API, newest first: one query a page, and one each for the plan parts."""
    return (
        Review.objects.filter(patient=patient)
        .select_related("screening", "rule", "owner", "resolved_by")
        .prefetch_related("responsibilities__owner", "milestones__goal")
        .order_by("-opened_at", "-id")
    )


def patient_review(*, patient: Patient, review_id: int) -> Review | None:
    """One of the patient's reviews with what the API shows; another patient's id finds nothing."""
    return patient_reviews(patient=patient).filter(pk=review_id).first()


def review_patient_id(*, review_id: int) -> int | None:
    """Whose review this is, read before the access check (FHIR's ``Task/{id}`` names no patient)."""
    return Review.objects.filter(pk=review_id).values_list("patient_id", flat=True).first()


def reviews_listed(
    *, user: User, mine: bool, team: Team | None, state: str, overdue: bool, today: date
) -> QuerySet[Review]:
    """The API's clinic-wide list: the review queue's own selection (``reviews_filtered``), everyone's in
    the user's teams unless ``mine``, with the plan parts each changed."""
    filters = ReviewFilters(
        whose=ReviewWhose.MINE if mine else ReviewWhose.TEAM, team=team, state=state, overdue=overdue
    )
    return (
        reviews_filtered(user=user, filters=filters, today=today)
        .select_related("resolved_by")
        .prefetch_related("responsibilities__owner", "milestones__goal")
    )


# --- rescreens ---


def rescreens_due(*, patient: Patient) -> QuerySet[Rescreen]:
    """The patient's follow-up screenings still due, soonest first, with the review that asked for each."""
    return (
        Rescreen.objects.due()
        .filter(patient=patient)
        .select_related("review__rule")
        .order_by("due_on", "instrument", "id")
    )


def rescreen_of_patient(*, patient: Patient, rescreen_id: int) -> Rescreen | None:
    """One of the patient's re-screens, or None (another patient's id finds nothing)."""
    return Rescreen.objects.filter(patient=patient, pk=rescreen_id).first()


def rescreens_missed(*, patients: QuerySet[Patient], today: date) -> QuerySet[Rescreen]:
    """Follow-up screenings of these patients still due after their day (``due_on`` before ``today``):
    missed. Soonest missed first, with the patient and the review that asked for each."""
    return (
        Rescreen.objects.due()
        .filter(patient__in=patients, due_on__lt=today)
        .select_related("patient", "review")
        .order_by("due_on", "id")
    )


def rescreen_instruments_due(*, patient: Patient, today: date) -> list[str]:
    """The instruments of the patient's follow-up screenings due by ``today``: what their next reminder
    carries (a missed one too, until it is done or cancelled). One query."""
    return list(
        Rescreen.objects.due()
        .filter(patient=patient, due_on__lte=today)
        .order_by("due_on", "instrument")
        .values_list("instrument", flat=True)
    )


def improvement_reasons(
    *, rule: RoutingRule, finding: Screening, later: Screening, overrides: Overrides | None
) -> list[str]:
    """How ``later`` improved on the finding that fired ``rule`` (empty: it did not): a reliable
    improvement of the total (the screening app's own ``change_between``), and/or a move out of what fired
    the rule (its flag, its band, its range of the total or a subscale) towards the better side. Leaving a
    band for a worse one is not an improvement, nor is a change smaller than the reliable change."""
    instrument = INSTRUMENTS.get(finding.instrument)
    if instrument is None:
        return []
    change = change_between(instrument, finding.total, later.total, overrides=overrides)
    reasons = []
    if change.reliable and change.direction == "improvement":
        reasons.append(f"reliable improvement ({finding.total} → {later.total})")
    better = change.direction == "improvement"
    if rule.condition == Condition.FLAG and better and rule.flag not in later.flags:
        reasons.append(f"no longer flagged {rule.flag}")
    elif rule.condition == Condition.BAND and better and later.band != rule.band:
        reasons.append(f"out of the {rule.band.lower()} band")
    elif rule.condition == Condition.SCORE:
        value = later.total if not rule.subscale else later.subscales.get(rule.subscale)
        what = f"{rule.subscale} subscale" if rule.subscale else "total"
        if isinstance(value, int):
            if instrument.higher_is_better and rule.high is not None and value > rule.high:
                reasons.append(f"{what} {value}, above {rule.high}")
            elif not instrument.higher_is_better and rule.low is not None and value < rule.low:
                reasons.append(f"{what} {value}, under {rule.low}")
    return reasons


def review_improvement(*, review: Review) -> list[str]:
    """Why a review is marked improved (empty while it is not): derived from its finding, its rule and
    the result that improved on it, against the change thresholds in force (one query for those)."""
    if review.improved_by is None:
        return []
    return improvement_reasons(
        rule=review.rule,
        finding=review.screening,
        later=review.improved_by,
        overrides=instrument_overrides(review.screening.instrument),
    )


@dataclass(frozen=True)
class RescreenLine:
    rescreen: Rescreen
    missed: bool
    days_over: int


@dataclass(frozen=True)
class RescreenSection:
    """The overview's follow-up screenings: those due (missed ones a day past their day), whether the
    patient's reminders will carry them, and the last ones done."""

    due: list[RescreenLine]
    by_link: bool
    done: list[Rescreen]


RESCREENS_DONE_SHOWN = 3


def rescreen_section(*, patient: Patient, today: date) -> RescreenSection:
    """Two queries, whatever the patient's history."""
    # Sent by link when the patient's reminders go out: consent on their record and a check-in schedule
    # they have not stopped. The schedule is checkins' (above routing): read through the reverse relation
    # by name, so routing imports nothing of checkins. Asked with the due rows (it matters only with some).
    reminded = Patient.objects.filter(
        pk=OuterRef("patient_id"),
        status=Patient.Status.ACTIVE,
        consent_to_reminders=True,
        checkin_schedule__isnull=False,
        checkin_schedule__opted_out_at__isnull=True,
    )
    rows = list(rescreens_due(patient=patient).annotate(by_link=Exists(reminded)))
    due = [
        RescreenLine(
            rescreen, missed=rescreen.due_on < today, days_over=max((today - rescreen.due_on).days, 0)
        )
        for rescreen in rows
    ]
    by_link = bool(rows) and rows[0].by_link
    done = list(
        Rescreen.objects.filter(patient=patient, state=Rescreen.State.DONE)
        .select_related("screening", "review")
        .order_by("-done_at", "-id")[:RESCREENS_DONE_SHOWN]
    )
    return RescreenSection(due=due, by_link=by_link, done=done)


# --- review to plan ---


def review_of_patient(*, patient: Patient, review_id: int) -> Review | None:
    """One review of the patient, with its rule, owner and finding (None: not theirs, or no such review)."""
    return (
        Review.objects.filter(patient=patient, pk=review_id)
        .select_related("rule", "owner", "screening", "resolved_by")
        .first()
    )


def rescreen_due_of(*, patient_id: int, instrument: str) -> Rescreen | None:
    """The patient's due re-screen of one instrument (there is at most one)."""
    return Rescreen.objects.due().filter(patient_id=patient_id, instrument=instrument).first()


# --- reviews ---


class ReviewState:
    """The queue's state filter: what still needs someone (the default), one state, or everything."""

    UNRESOLVED = "unresolved"
    ALL = "all"
    CHOICES = [
        (UNRESOLVED, "Open and in progress"),
        *Review.State.choices,
        (ALL, "Any state"),
    ]


class ReviewWhose:
    MINE = "mine"
    TEAM = "team"
    CHOICES = [(MINE, "Mine"), (TEAM, "Everyone's in my teams")]


@dataclass(frozen=True)
class ReviewFilters:
    """What the review queue may be narrowed to; by default the user's own reviews still to do."""

    whose: str = ReviewWhose.MINE
    team: Team | None = None
    discipline: str = ""
    instrument: str = ""
    state: str = ReviewState.UNRESOLVED
    overdue: bool = False


def reviews_filtered(*, user: User, filters: ReviewFilters, today: date) -> QuerySet[Review]:
    """The reviews of the patients a user may see, narrowed by ``filters``: still to do soonest due first,
    resolved ones most recently resolved first. One query a page, with patient, team, owner and result."""
    reviews = Review.objects.filter(patient__in=Patient.objects.visible_to(user)).select_related(
        "patient__team", "owner", "screening", "rule"
    )
    if filters.whose == ReviewWhose.MINE:
        reviews = reviews.filter(owner=user)
    if filters.team is not None:
        reviews = reviews.filter(patient__team=filters.team)
    if filters.discipline:
        reviews = reviews.filter(discipline=filters.discipline)
    if filters.instrument:
        reviews = reviews.filter(rule__instrument=filters.instrument)
    if filters.state == ReviewState.UNRESOLVED:
        reviews = reviews.unresolved()
    elif filters.state != ReviewState.ALL:
        reviews = reviews.filter(state=filters.state)
    if filters.overdue:
        reviews = reviews.unresolved().filter(due_on__lt=today)
    if filters.state == Review.State.RESOLVED:
        return reviews.order_by("-resolved_at", "-id")
    return reviews.order_by("due_on", "id")


def review_for_patient(*, patient: Patient, review_id: int) -> Review | None:
    """One of the patient's reviews with what its page shows (one query; its plan parts one more)."""
    return (
        Review.objects.filter(patient=patient, pk=review_id)
        .select_related("screening", "rule", "owner", "resolved_by", "improved_by")
        .prefetch_related("responsibilities", "milestones")
        .first()
    )


def review_rule_as_fired(*, review: Review) -> Any:
    """The rule as it stood when it fired (its history row), so a later edit never rewrites why; the rule
    as it is now if that row is gone."""
    if review.rule_version is None:
        return review.rule
    return review.rule.history.filter(history_id=review.rule_version).first() or review.rule


REVIEW_STORY_WORDS = [
    ({"resolution"}, "Resolved"),
    ({"due_on"}, "A newer result called for it sooner: due day brought forward"),
    ({"owner"}, "Reassigned"),
    ({"state", "started_at"}, "Started"),
    ({"improved_by"}, "Marked improved by a later result"),
]


@dataclass(frozen=True)
class StoryLine:
    at: datetime
    who: str
    what: str


def review_story(*, review: Review) -> list[StoryLine]:
    """Who opened, started, reassigned and resolved the review, from the audit trail (one query)."""
    events = (
        AuditEvent.objects.filter(
            patient_id=review.patient_id,
            object_type="review",
            object_id=str(review.pk),
            action__in=[AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE],
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    lines = []
    for event in events:
        who = str(event.actor) if event.actor else (event.username or "RehabCare")
        if event.action == AuditEvent.Action.CREATE:
            # Opened in the recording transaction: the actor is whoever entered the result.
            what, who = "Opened by the routing rule", f"result entered by {who}"
        else:
            changed = set(event.changed_fields)
            what = next((words for fields, words in REVIEW_STORY_WORDS if fields <= changed), "Changed")
        lines.append(StoryLine(at=event.at, who=who, what=what))
    return lines


def review_owner_choices(*, patient: Patient) -> QuerySet[User]:
    """Who a review of this patient may be given to: the active members of the patient's team."""
    return (
        User.objects.filter(is_active=True, memberships__team_id=patient.team_id)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


REVIEWS_RESOLVED_SHOWN = 3


@dataclass(frozen=True)
class ReviewSection:
    """The overview's reviews: those still to do, and the last ones resolved."""

    open: list[Review]
    resolved: list[Review]


def review_section(*, patient: Patient) -> ReviewSection:
    """Two queries, whatever the patient's history."""
    reviews = Review.objects.filter(patient=patient).select_related("owner", "screening")
    return ReviewSection(
        open=list(reviews.unresolved().order_by("due_on", "id")),
        resolved=list(
            reviews.filter(state=Review.State.RESOLVED)
            .select_related("resolved_by")
            .order_by("-resolved_at", "-id")[:REVIEWS_RESOLVED_SHOWN]
        ),
    )


def reviews_of_owner(*, user: User) -> QuerySet[Review]:
    """A clinician's own reviews still to do, overdue (soonest due) first: the daily digest's list."""
    return (
        Review.objects.unresolved()
        .filter(owner=user, patient__in=Patient.objects.visible_to(user))
        .select_related("screening")
        .order_by("due_on", "id")
    )
