"""From a screening finding to owned work: the routing rules, the psychosocial reviews they open, and
the follow-up screenings they schedule.

A ``RoutingRule`` is data (seeded, edited by clinic admins, every change kept in its history and the
audit trail): on which instrument and condition it fires, which discipline owns the review and how
soon it is due, the plan work to propose and when to screen again. A ``Review`` is one finding's owned
work: an owner, a due day, a state, and how it was resolved (with the plan parts it added or changed).
A ``Rescreen`` is the next screening a rule asks for, due on a day, done by a later result.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from careplans.catalogue import InterventionCode
from careplans.models import Milestone, Responsibility
from screening.models import Screening
from teams.models import Discipline, Patient


class Condition(models.TextChoices):
    FLAG = "flag", "A flag is raised"
    BAND = "band", "The result is in a band"
    SCORE = "score", "The total or a subscale lies in a range"
    DETERIORATION = "deterioration", "Reliable deterioration since the previous result"


class RoutingRule(models.Model):
    """What should follow a finding: who reviews it, how soon, what to propose, when to screen again."""

    name = models.CharField(max_length=120, unique=True)
    instrument = models.CharField(max_length=20)
    condition = models.CharField(max_length=16, choices=Condition.choices)
    flag = models.CharField(max_length=32, blank=True, help_text="For a flag condition, e.g. high.")
    band = models.CharField(max_length=64, blank=True, help_text="For a band condition: the band's label.")
    subscale = models.CharField(
        max_length=32, blank=True, help_text="For a range condition on a subscale; empty: the total."
    )
    low = models.IntegerField(null=True, blank=True, help_text="Range from (inclusive); empty: open.")
    high = models.IntegerField(null=True, blank=True, help_text="Range to (inclusive); empty: open.")
    discipline = models.CharField(
        "review owned by", max_length=32, choices=Discipline.choices, help_text="The discipline reviewing it."
    )
    support_discipline = models.CharField(
        "with support from", max_length=32, choices=Discipline.choices, blank=True
    )
    due_days = models.PositiveSmallIntegerField(
        "review due within (days)", validators=[MinValueValidator(0), MaxValueValidator(90)]
    )
    interventions = ArrayField(
        models.CharField(max_length=40, choices=InterventionCode.choices),
        default=list,
        blank=True,
        help_text="The plan work to propose, from the intervention catalogue.",
    )
    rescreen_days = models.PositiveSmallIntegerField(
        "screen again after (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    rationale = models.CharField(max_length=300, help_text="One line: why this finding calls for this.")
    source = models.CharField(max_length=300, help_text="The citation (and population) behind the rule.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("in use", default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "position", "id"]

    def __str__(self) -> str:
        return self.name


class ReviewQuerySet(models.QuerySet):
    def unresolved(self) -> ReviewQuerySet:
        return self.exclude(state=Review.State.RESOLVED)


class Review(models.Model):
    """A psychosocial review: a finding that a named clinician owns until it is resolved."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"

    class Resolution(models.TextChoices):
        PLAN_UPDATED = "plan_updated", "Plan updated"
        REFERRED = "referred", "Referred"
        DECLINED = "declined", "Patient declined"
        NO_ACTION = "no_action", "No action needed"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reviews")
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="reviews")
    rule = models.ForeignKey(RoutingRule, on_delete=models.PROTECT, related_name="reviews")
    # The rule as it stood when it fired (its history row), so a later edit never rewrites why.
    rule_version = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=255)
    discipline = models.CharField(max_length=32, choices=Discipline.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    due_on = models.DateField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The plan parts the resolution added or changed.
    responsibilities = models.ManyToManyField(Responsibility, blank=True, related_name="+")
    milestones = models.ManyToManyField(Milestone, blank=True, related_name="+")
    # Closing the loop: a later result that improved reliably or left the band that fired the rule.
    improved_by = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    improved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "rule"], name="review_one_per_screening_rule"),
            models.CheckConstraint(
                condition=~Q(state="resolved")
                | (Q(resolved_at__isnull=False) & Q(resolved_by__isnull=False) & ~Q(resolution="")),
                name="review_resolved_has_resolution",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "state"], name="review_owner_state"),
            models.Index(fields=["patient", "state"], name="review_patient_state"),
            models.Index(fields=["state", "due_on"], name="review_state_due"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.reason} for {self.patient_id} ({self.get_state_display()})"


class RescreenQuerySet(models.QuerySet):
    def due(self) -> RescreenQuerySet:
        return self.filter(state=Rescreen.State.DUE)


class Rescreen(models.Model):
    """The next screening of one instrument a rule asked for, due on a day; done by the next result."""

    class State(models.TextChoices):
        DUE = "due", "Due"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="rescreens")
    instrument = models.CharField(max_length=20)
    due_on = models.DateField()
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="rescreens"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.DUE)
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = RescreenQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            # One due re-screen per patient and instrument: a second finding moves it, never doubles it.
            models.UniqueConstraint(
                fields=["patient", "instrument"], condition=Q(state="due"), name="rescreen_one_due"
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"], name="rescreen_state_due")]

    def __str__(self) -> str:
        return f"{self.instrument} due {self.due_on} for {self.patient_id}"
