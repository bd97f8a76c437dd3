"""Writes of care routing: the reviews a screening result opens, and their life until resolved.

Firing (``reviews_open_for``, called in the recording transaction by ``routing.receivers``):

- every active rule of the result's instrument is checked: its band, flag or range, or, for a
  deterioration rule, a reliable deterioration since the patient's previous current result of that
  instrument (``screening.instruments.change_between``, with the clinic's thresholds);
- of the rules that fire, the most urgent one (soonest due, then the admin's order) opens one review,
  owned by ``owner_for`` its discipline, due on the result's local day plus its ``due_days``;
- an unresolved review of the same patient and instrument covers the newer result: no second review.
  If the newer result fires a rule due sooner, the review takes on the newer finding (result, rule,
  reason) and its due day comes forward, audited; its owner stays;
- the rules' re-screen interval (the shortest of those that fired) asks ``rescreens.rescreen_schedule``
  for the next screening.

A review's state moves open → in progress → resolved. Every change checks the version the page was
loaded at under ``select_for_update``: a stale one is refused (``ReviewChanged``), never merged.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from careplans.catalogue import competencies_for
from core import dates
from screening.instruments import INSTRUMENTS, change_between
from screening.models import Screening
from screening.selectors import instrument_overrides
from teams import policy
from teams.models import Patient, User
from teams.services import audited_save
from training.gate import automatic_reason, competent_first, owner_check

from . import rescreens
from .models import Condition, Review, RoutingRule


class ReviewChanged(ValidationError):
    """The review moved on since the page was loaded: the change is refused, nothing is overwritten."""

    def __init__(self, current: Review) -> None:
        owner = current.owner.get_full_name() or current.owner.get_username()
        state = current.get_state_display().lower()
        super().__init__(
            _(
                "Someone changed this review since you opened it: it is now %(state)s, owned by %(owner)s, "
                "due %(day)s. Look at it again and repeat your change if it is still needed."
            )
            % {"state": state, "owner": owner, "day": dates.day(current.due_on)}
        )
        self.current = current


# --- firing ---------------------------------------------------------------------------------------


def owner_for(*, patient: Patient, discipline: str, needs: list[str] | None = None) -> User:
    """The active member of the patient's team of that discipline with the fewest unresolved reviews
    (ties in name order) among those who hold ``needs`` (``training.gate``; all of them when nobody
    does); with none of that discipline, the patient's primary clinician."""
    return owner_with_gaps(patient=patient, discipline=discipline, needs=needs or [])[0]


def owner_with_gaps(*, patient: Patient, discipline: str, needs: list[str]) -> tuple[User, list[str]]:
    """``owner_for``'s choice and the competencies of ``needs`` they lack (none when someone competent
    was found)."""
    candidates: list[User] = list(
        User.objects.filter(is_active=True, discipline=discipline, memberships__team_id=patient.team_id)
        .annotate(open_reviews=Count("reviews", filter=~Q(reviews__state=Review.State.RESOLVED)))
        .order_by("open_reviews", "last_name", "first_name", "username", "pk")
    ) or [patient.primary_clinician]
    if not needs:
        return candidates[0], []
    return competent_first(candidates, needs, on=timezone.localdate())


def _previous(screening: Screening) -> Screening | None:
    """The patient's result of the same instrument just before this one, as it stands (amendments)."""
    return (
        Screening.objects.current()
        .filter(patient_id=screening.patient_id, instrument=screening.instrument)
        .exclude(pk=screening.pk)
        .exclude(pk=screening.amends_id)
        .filter(
            Q(administered_at__lt=screening.administered_at)
            | Q(administered_at=screening.administered_at, pk__lt=screening.pk)
        )
        .order_by("-administered_at", "-pk")
        .only("id", "total", "administered_at")
        .first()
    )


def _reason(rule: RoutingRule, screening: Screening, previous: Screening | None) -> str:
    band = f" ({screening.band})" if screening.band else ""
    said = f"{screening.instrument} {screening.total}{band}"
    if rule.subscale:
        said += f", {rule.subscale} {screening.subscales.get(rule.subscale)}"
    if rule.condition == Condition.DETERIORATION and previous is not None:
        return f"{said}: reliable deterioration from {previous.total}"
    finding = rule.name.split(" (")[0]
    # "High pain catastrophizing" reads "high pain catastrophizing" after a colon; an acronym stays.
    if finding[:2].istitle():
        finding = finding[0].lower() + finding[1:]
    return f"{said}: {finding}"[:255]


def rules_fired(*, screening: Screening) -> list[tuple[RoutingRule, Screening | None]]:
    """The active rules this result fires, most urgent first, each with the previous result it was
    judged against (deterioration rules only)."""
    rules = list(RoutingRule.objects.filter(instrument=screening.instrument, is_active=True))
    if not rules:
        return []
    fired: list[tuple[RoutingRule, Screening | None]] = []
    previous: Screening | None = None
    if any(rule.condition == Condition.DETERIORATION for rule in rules):
        previous = _previous(screening)
    for rule in rules:
        if rule.condition == Condition.DETERIORATION:
            instrument = INSTRUMENTS.get(screening.instrument)
            if previous is None or instrument is None:
                continue
            change = change_between(
                instrument, previous.total, screening.total, overrides=instrument_overrides(instrument.code)
            )
            if change.reliable and change.direction == "deterioration":
                fired.append((rule, previous))
        elif rule.matches(
            total=screening.total, subscales=screening.subscales, band=screening.band, flags=screening.flags
        ):
            fired.append((rule, None))
    return sorted(fired, key=lambda pair: pair[0].urgency)


def _rule_version(rule: RoutingRule) -> int | None:
    latest = (
        rule.history.order_by("-history_date", "-history_id").values_list("history_id", flat=True).first()
    )
    return latest


def reviews_open_for(*, screening: Screening) -> list[Review]:
    """Open the review this result calls for, if any (see the module's docstring). Returns the reviews
    opened (none when an unresolved review of the same patient and instrument covers the result)."""
    fired = rules_fired(screening=screening)
    if not fired:
        return []
    rule, previous = fired[0]
    day = timezone.localdate(screening.administered_at)
    due_on = day + timedelta(days=rule.due_days)
    patient = screening.patient
    covering = (
        Review.objects.unresolved()
        .select_for_update(of=("self",))
        .filter(patient_id=patient.pk, screening__instrument=screening.instrument)
        .order_by("due_on", "pk")
        .first()
    )
    opened = []
    if covering is not None:
        review = covering
        if due_on < covering.due_on:
            covering.patient = patient
            covering.screening = screening
            covering.rule = rule
            covering.rule_version = _rule_version(rule)
            covering.reason = _reason(rule, screening, previous)
            covering.due_on = due_on
            covering.version += 1
            audited_save(
                covering,
                actor=screening.entered_by,
                patient=patient,
                fields=["screening", "rule", "rule_version", "reason", "due_on"],
                bookkeeping=["version"],
                clean=False,
            )
    else:
        # A finding is never left without an owner: with nobody competent in what the rule proposes, the
        # review goes by discipline, whatever COMPETENCE_GATE says, and says why.
        owner, gaps = owner_with_gaps(
            patient=patient, discipline=rule.discipline, needs=competencies_for(rule.interventions)
        )
        review = audited_save(
            Review(
                patient=patient,
                screening=screening,
                rule=rule,
                rule_version=_rule_version(rule),
                reason=_reason(rule, screening, previous),
                discipline=rule.discipline,
                owner=owner,
                competence_override_reason=(
                    automatic_reason(patient.team, gaps, by=_("assigned by discipline")) if gaps else ""
                ),
                due_on=due_on,
            ),
            actor=screening.entered_by,
            patient=patient,
            clean=False,
        )
        opened.append(review)
    intervals = [each.rescreen_days for each, _ in fired if each.rescreen_days]
    if intervals:
        rescreens.rescreen_schedule(review=review, due_on=day + timedelta(days=min(intervals)))
    return opened


# --- working a review ---------------------------------------------------------------------------------


def review_lock(*, review: Review, user: User, expected_version: int) -> Review:
    """The review locked for a change by ``user``, at the version their page showed; refused if they may
    not, if it moved on since (``ReviewChanged``), or if it is already resolved. Call inside a
    transaction (``routing.resolution`` uses it too)."""
    current = Review.objects.select_for_update().select_related("patient", "owner").get(pk=review.pk)
    if not policy.may_work_review(user, current):
        raise PermissionDenied(_("Only the patient's team works on this review."))
    if current.version != expected_version:
        raise ReviewChanged(current)
    if current.state == Review.State.RESOLVED:
        raise ValidationError(_("This review is already resolved."))
    return current


def _bumped(review: Review, *, user: User, fields: list[str]) -> Review:
    review.version += 1
    return audited_save(
        review, actor=user, patient=review.patient, fields=fields, bookkeeping=["version"], clean=False
    )


@transaction.atomic
def review_start(*, review: Review, user: User, expected_version: int) -> Review:
    """Open → in progress: someone is working on it."""
    current = review_lock(review=review, user=user, expected_version=expected_version)
    if current.state != Review.State.OPEN:
        raise ValidationError(_("This review is already in progress."))
    current.state = Review.State.IN_PROGRESS
    current.started_at = timezone.now()
    return _bumped(current, user=user, fields=["state", "started_at"])


def review_needs(review: Review) -> list[str]:
    """The competencies a review's owner needs: those of the interventions its rule proposes."""
    return competencies_for(review.rule.interventions)


@transaction.atomic
def review_reassign(
    *, review: Review, owner: User, user: User, expected_version: int, reason: str = ""
) -> Review:
    """Hand the review to another member of the patient's team, through the competence gate
    (``training.gate``): someone without what the rule's interventions need is refused (strict) or kept
    with ``reason`` (warn), recorded on the review; a competent owner clears a reason recorded before."""
    current = review_lock(review=review, user=user, expected_version=expected_version)
    if not policy.may_own_review(owner, current.patient):
        raise ValidationError({"owner": [_("Choose an active member of the patient's team.")]})
    if owner.pk == current.owner_id:
        raise ValidationError({"owner": [_("The review is already theirs.")]})
    gaps = owner_check(owner, review_needs(current), on=timezone.localdate(), reason=reason)
    fields = ["owner"]
    kept = reason.strip() if gaps else ""
    if kept != current.competence_override_reason:
        current.competence_override_reason = kept
        fields.append("competence_override_reason")
    current.owner = owner
    return _bumped(current, user=user, fields=fields)


RESOLUTIONS_HERE = (Review.Resolution.REFERRED, Review.Resolution.DECLINED, Review.Resolution.NO_ACTION)


def review_resolved(review: Review, *, user: User, resolution: str, note: str) -> Review:
    """Mark a locked review resolved (shared with ``routing.resolution``, which adds the plan parts)."""
    review.state = Review.State.RESOLVED
    review.resolution = resolution
    review.resolution_note = note
    review.resolved_by = user
    review.resolved_at = timezone.now()
    return _bumped(
        review, user=user, fields=["state", "resolution", "resolution_note", "resolved_by", "resolved_at"]
    )


NOTE_REQUIRED = {
    Review.Resolution.REFERRED: gettext_lazy("Say where the patient was referred and why."),
    Review.Resolution.DECLINED: gettext_lazy("Say what was offered and what the patient said."),
    Review.Resolution.NO_ACTION: gettext_lazy("Say why no action is needed."),
}


@transaction.atomic
def review_resolve(
    *, review: Review, user: User, expected_version: int, resolution: str, note: str
) -> Review:
    """Resolve as referred, declined or no action needed, each with a note saying why. "Plan updated" is
    resolved with its plan parts through ``routing.resolution``."""
    if resolution == Review.Resolution.PLAN_UPDATED:
        raise ValidationError(
            {"resolution": [_("Resolve with plan changes to record the plan parts this review added.")]}
        )
    if resolution not in RESOLUTIONS_HERE:
        raise ValidationError({"resolution": [_("Choose referred, patient declined or no action needed.")]})
    note = note.strip()
    if not note:
        raise ValidationError({"note": [NOTE_REQUIRED[Review.Resolution(resolution)]]})
    current = review_lock(review=review, user=user, expected_version=expected_version)
    return review_resolved(current, user=user, resolution=resolution, note=note)
