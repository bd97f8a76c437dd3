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
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from careplans.catalogue import CATALOGUE, InterventionCode
from careplans.models import Milestone, Responsibility
from screening.instruments import INSTRUMENTS
from screening.instruments.model import HIGH_FLAG
from screening.models import Screening
from teams.models import Discipline, Patient


class Condition(models.TextChoices):
    FLAG = "flag", _("A flag is raised")
    BAND = "band", _("The result is in a band")
    SCORE = "score", _("The total or a subscale lies in a range")
    DETERIORATION = "deterioration", _("Reliable deterioration since the previous result")


class RoutingRule(models.Model):
    """What should follow a finding: who reviews it, how soon, what to propose, when to screen again."""

    name = models.CharField(max_length=120, unique=True)
    instrument = models.CharField(max_length=20)
    condition = models.CharField(max_length=16, choices=Condition.choices)
    flag = models.CharField(max_length=32, blank=True, help_text=_("For a flag condition, e.g. high."))
    band = models.CharField(max_length=64, blank=True, help_text=_("For a band condition: the band's label."))
    subscale = models.CharField(
        max_length=32, blank=True, help_text=_("For a range condition on a subscale; empty: the total.")
    )
    low = models.IntegerField(null=True, blank=True, help_text=_("Range from (inclusive); empty: open."))
    high = models.IntegerField(null=True, blank=True, help_text=_("Range to (inclusive); empty: open."))
    discipline = models.CharField(
        "review owned by",
        max_length=32,
        choices=Discipline.choices,
        help_text=_("The discipline reviewing it."),
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
        help_text=_("The plan work to propose, from the intervention catalogue."),
    )
    rescreen_days = models.PositiveSmallIntegerField(
        "screen again after (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    rationale = models.CharField(max_length=300, help_text=_("One line: why this finding calls for this."))
    source = models.CharField(max_length=300, help_text=_("The citation (and population) behind the rule."))
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A rule that could never fire, or fires on something the instrument does not have, is refused
        with a message on the field at fault."""
        errors: dict[str, list[str]] = {}
        instrument = INSTRUMENTS.get(self.instrument)
        if instrument is None:
            known = ", ".join(INSTRUMENTS)
            raise ValidationError(
                {"instrument": [f"Unknown instrument {self.instrument!r}: one of {known}."]}
            )
        subscales = [subscale.name for subscale in instrument.subscales]
        if self.condition == Condition.FLAG:
            # "high" always exists: a clinic's cut-off adds it even where the definition has no rule.
            flags = sorted(instrument.flag_names | {HIGH_FLAG})
            if self.flag not in flags:
                errors["flag"] = [f"{instrument.code} raises these flags: {', '.join(flags)}."]
        elif self.flag:
            errors["flag"] = ["Only a flag condition names a flag."]
        if self.condition == Condition.BAND:
            if self.band not in instrument.band_labels:
                bands = ", ".join(instrument.band_labels) or "none"
                errors["band"] = [f"{instrument.code}'s bands are: {bands}."]
        elif self.band:
            errors["band"] = ["Only a band condition names a band."]
        if self.condition == Condition.SCORE:
            if self.subscale and self.subscale not in subscales:
                named = ", ".join(subscales) or "none"
                errors["subscale"] = [f"{instrument.code}'s subscales are: {named}."]
            elif self.low is None and self.high is None:
                errors["low"] = ["Give the range: from, to, or both."]
            else:
                bounds = (
                    instrument.subscale_range(self.subscale)
                    if self.subscale
                    else (instrument.min_total, instrument.max_total)
                )
                for name in ("low", "high"):
                    value = getattr(self, name)
                    if value is not None and not bounds[0] <= value <= bounds[1]:
                        errors[name] = [f"Outside the possible scores, {bounds[0]}–{bounds[1]}."]
                if self.low is not None and self.high is not None and self.low > self.high:
                    errors.setdefault("high", []).append("The range ends below where it starts.")
        elif self.subscale or self.low is not None or self.high is not None:
            errors["low"] = ["Only a range condition takes a subscale and a range."]
        if self.condition == Condition.DETERIORATION and instrument.thresholds is None:
            errors["condition"] = [f"{instrument.code} has no published reliable-change value to judge by."]
        unknown = [code for code in self.interventions if code not in CATALOGUE]
        if unknown:
            errors["interventions"] = [f"Not in the intervention catalogue: {', '.join(unknown)}."]
        if self.support_discipline and self.support_discipline == self.discipline:
            errors["support_discipline"] = ["Support comes from another discipline than the owner's."]
        if errors:
            raise ValidationError(errors)

    def matches(self, *, total: int, subscales: dict[str, int], band: str | None, flags: list[str]) -> bool:
        """Whether a result meets this rule's band, flag or range (a deterioration needs two results:
        see ``routing.services``)."""
        if self.condition == Condition.FLAG:
            return self.flag in flags
        if self.condition == Condition.BAND:
            return band == self.band
        if self.condition == Condition.SCORE:
            value = subscales.get(self.subscale) if self.subscale else total
            return (
                value is not None
                and (self.low is None or value >= self.low)
                and (self.high is None or value <= self.high)
            )
        return False

    @property
    def urgency(self) -> tuple[int, int, int]:
        """Most urgent first: sooner due, then the admin's order."""
        return (self.due_days, self.position, self.pk or 0)


class ReviewQuerySet(models.QuerySet):
    def unresolved(self) -> ReviewQuerySet:
        return self.exclude(state=Review.State.RESOLVED)


class Review(models.Model):
    """A psychosocial review: a finding that a named clinician owns until it is resolved."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")

    class Resolution(models.TextChoices):
        PLAN_UPDATED = "plan_updated", _("Plan updated")
        REFERRED = "referred", _("Referred")
        DECLINED = "declined", _("Patient declined")
        NO_ACTION = "no_action", _("No action needed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reviews")
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="reviews")
    rule = models.ForeignKey(RoutingRule, on_delete=models.PROTECT, related_name="reviews")
    # The rule as it stood when it fired (its history row), so a later edit never rewrites why.
    rule_version = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=255)
    discipline = models.CharField(max_length=32, choices=Discipline.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    # Why the owner was kept although they lack a competency the work needs (``training.gate``, warn mode):
    # blank when they hold them all, or when the clinic refuses such owners (strict).
    competence_override_reason = models.TextField(_("why this owner without the competence"), blank=True)
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

    def get_absolute_url(self) -> str:
        return reverse("review_detail", kwargs={"patient_id": self.patient_id, "review_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state != self.State.RESOLVED

    @property
    def overdue(self) -> bool:
        """Unresolved past its due day, in the clinic's time zone."""
        return self.is_open and self.due_on < timezone.localdate()


class RescreenQuerySet(models.QuerySet):
    def due(self) -> RescreenQuerySet:
        return self.filter(state=Rescreen.State.DUE)


class Rescreen(models.Model):
    """The next screening of one instrument a rule asked for, due on a day; done by the next result."""

    class State(models.TextChoices):
        DUE = "due", _("Due")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

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
