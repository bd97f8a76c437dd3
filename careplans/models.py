"""Shared multidisciplinary care plans: one plan per episode of care, and its parts.

Every editable row carries a ``version`` for optimistic locking (a save made from a
stale version is refused, never silently applied) and a history of every change
(django-simple-history), shown as the plan's timeline.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import day
from screening.models import Battery
from teams.models import Discipline, Patient

from . import literacy
from .catalogue import InterventionCode


class Stratum(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


class Versioned(models.Model):
    """A row edited by several clinicians: ``version`` goes up by one with every saved change."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class PlanTemplate(models.Model):
    """A starting point for a plan at a risk stratum; clinic admins edit these."""

    name = models.CharField(max_length=100, unique=True)
    stratum = models.CharField(max_length=8, choices=Stratum.choices)
    description = models.TextField(help_text=_("What this template is for, shown when choosing it."))
    interventions = ArrayField(
        models.CharField(max_length=40, choices=InterventionCode.choices),
        help_text=_("Responsibilities the plan starts with, for the discipline that usually provides each."),
    )
    summary_psychological = models.TextField(blank=True, help_text=_("Suggested psychological summary."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["stratum", "name"]

    def __str__(self) -> str:
        return self.name


class SupportModality(models.TextChoices):
    """How psychological support reaches the patient (the seed article's "what modalities are used")."""

    IN_PERSON = "in_person", _("One-to-one, in person")
    TELEHEALTH = "telehealth", _("One-to-one, by video or phone")
    GROUP = "group", _("Group programme")
    INTEGRATED = "integrated", _("Within physiotherapy sessions")
    DIGITAL = "digital", _("Digital self-guided, with clinician check-ins")


class Modality(models.TextChoices):
    """How a patient may want care to reach them; a session takes one of the first four."""

    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")
    GROUP = "group", _("Group")
    SELF_GUIDED = "self_guided", _("Self-guided")


class CarePlan(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_plans")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField()
    review_date = models.DateField()
    risk_stratum = models.CharField(max_length=8, choices=Stratum.choices, blank=True)
    template = models.ForeignKey(
        PlanTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary_physical = models.TextField(_("physical"), blank=True)
    summary_psychological = models.TextField(_("psychological"), blank=True)
    summary_social = models.TextField(_("social"), blank=True)
    # Psychological support: who delivers it, in what modality, how often (empty until the team agrees).
    support_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("psychological support delivered by"),
    )
    support_modality = models.CharField(
        "modality of psychological support", max_length=16, choices=SupportModality.choices, blank=True
    )
    support_frequency = models.CharField(
        "how often", max_length=100, blank=True, help_text=_("e.g. weekly for 6 weeks, then fortnightly")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="active"),
                # The plan's id in the index too: the conference agenda goes from a team's patients to
                # their active plans' goals and milestones without reading the plans themselves.
                include=["id"],
                name="careplan_one_active_per_patient",
                violation_error_message="This patient already has an active plan: complete it first.",
            ),
            models.CheckConstraint(
                condition=Q(review_date__gte=models.F("start_date")), name="careplan_review_after_start"
            ),
        ]
        indexes = [
            # The agenda's discharge reviews: the active plans whose review date has come, not every plan.
            models.Index(fields=["review_date"], condition=Q(status="active"), name="careplan_active_review"),
        ]

    def __str__(self) -> str:
        return f"Care plan from {day(self.start_date)} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("careplan_detail", kwargs={"patient_id": self.patient_id, "plan_id": self.pk})

    @property
    def plan_of(self) -> CarePlan:
        return self

    @property
    def timeline_label(self) -> str:
        return self.get_status_display()

    def clean(self) -> None:
        if self.start_date and self.review_date and self.review_date < self.start_date:
            raise ValidationError({"review_date": _("The review date cannot be before the start date.")})
        if self.support_by_id and self.patient_id:
            team = self.patient.team
            if not team.memberships.filter(user_id=self.support_by_id).exists():
                raise ValidationError(
                    {
                        "support_by": _("%(user)s is not a member of %(team)s, the patient's team.")
                        % {"user": self.support_by, "team": team}
                    }
                )


class Goal(Versioned):
    """What matters to the patient, in their words, with a measurable target."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    patient_words = models.CharField(_("in the patient's words"), max_length=300)
    value = models.CharField(_("why it matters"), max_length=300, blank=True)
    measure = models.CharField(max_length=200, help_text=_("e.g. walking distance in metres"))
    baseline = models.CharField(max_length=100, blank=True)
    target_value = models.CharField(max_length=100)
    target_date = models.DateField()
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.patient_words

    @property
    def plan_of(self) -> CarePlan:
        return self.plan

    @property
    def timeline_label(self) -> str:
        return f"“{self.patient_words}”"

    def clean(self) -> None:
        if self.target_date and self.plan_id and self.target_date < self.plan.start_date:
            starts = f"{day(self.plan.start_date)}"
            raise ValidationError(
                {
                    "target_date": _("The target date cannot be before the plan starts, %(day)s.")
                    % {"day": starts}
                }
            )


class Milestone(Versioned):
    """A measurable step toward a goal; reaching it may call for a screening battery."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    description = models.CharField(max_length=300)
    target = models.CharField(_("measure and target"), max_length=200)
    due_date = models.DateField()
    achieved_on = models.DateField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    battery = models.ForeignKey(
        Battery,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Screening to give when this milestone is reached."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def plan_of(self) -> CarePlan:
        return self.goal.plan

    @property
    def timeline_label(self) -> str:
        return self.description

    def clean(self) -> None:
        if self.due_date and self.goal_id and self.due_date < self.goal.plan.start_date:
            starts = f"{day(self.goal.plan.start_date)}"
            raise ValidationError(
                {"due_date": _("The due date cannot be before the plan starts, %(day)s.") % {"day": starts}}
            )
        if self.achieved_on and self.achieved_on > timezone.localdate():
            raise ValidationError({"achieved_on": _("A milestone cannot be achieved in the future.")})


class Responsibility(Versioned):
    """An intervention owned by a named clinician: what, how often, from and until when."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        DONE = "done", _("Done")
        STOPPED = "stopped", _("Stopped")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="responsibilities")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="responsibilities"
    )
    intervention = models.CharField(max_length=40, choices=InterventionCode.choices)
    details = models.CharField(_("what"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="responsibilities"
    )
    discipline = models.CharField(max_length=32, choices=Discipline.choices)
    frequency = models.CharField(_("how often"), max_length=100, help_text=_("e.g. weekly, 6 sessions"))
    modality = models.CharField(
        "delivered",
        max_length=16,
        choices=Modality.choices,
        blank=True,
        help_text=_("How it reaches the patient."),
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)

    # Why the owner was kept although they lack a competency the work needs (``training.gate``, warn mode):
    # blank when they hold them all, or when the clinic refuses such owners (strict).
    competence_override_reason = models.TextField(_("why this owner without the competence"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name_plural = _("responsibilities")

    def __str__(self) -> str:
        return f"{self.get_intervention_display()} ({self.owner})"

    @property
    def plan_of(self) -> CarePlan:
        return self.plan

    @property
    def timeline_label(self) -> str:
        return self.get_intervention_display()

    def clean(self) -> None:
        if self.owner_id and self.plan_id:
            team = self.plan.patient.team
            if not team.memberships.filter(user_id=self.owner_id).exists():
                raise ValidationError(
                    {
                        "owner": _("%(user)s is not a member of %(team)s, the patient's team.")
                        % {"user": self.owner, "team": team}
                    }
                )
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
        if self.goal is not None and self.plan_id and self.goal.plan_id != self.plan_id:
            raise ValidationError({"goal": _("That goal belongs to another plan.")})


class Exercise(Versioned):
    """A graded-exercise prescription: the dose adherence is measured against, and a lighter option."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="exercises")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="exercises")
    name = models.CharField(max_length=200)
    sets = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(20)])
    reps = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(200)])
    hold_seconds = models.PositiveSmallIntegerField(
        "hold (seconds)", null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    sessions_per_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(14)]
    )
    rest_days = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices), default=list, blank=True
    )
    phase = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    progression_rule = models.CharField(max_length=300, blank=True, help_text=_("In plain words."))
    lighter_alternative = models.CharField(
        max_length=300, blank=True, help_text=_("For low-energy or high-pain days.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["phase", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def plan_of(self) -> CarePlan:
        return self.plan

    @property
    def timeline_label(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.reps or self.hold_seconds):
            raise ValidationError({"reps": _("Give repetitions or a hold time.")})
        if self.goal is not None and self.plan_id and self.goal.plan_id != self.plan_id:
            raise ValidationError({"goal": _("That goal belongs to another plan.")})
        if len(set(self.rest_days)) >= 7:
            raise ValidationError({"rest_days": _("Leave at least one day for exercise.")})

    @property
    def rest_day_names(self) -> list[str]:
        return [str(Exercise.Weekday(day).label) for day in sorted(self.rest_days)]

    @property
    def dose(self) -> str:
        """In the active language: the patient's on their check-in page, the staff member's elsewhere."""
        parts = []
        if self.sets and self.reps:
            parts.append(f"{self.sets} × {self.reps}")
        elif self.reps:
            parts.append(gettext("%(reps)s reps") % {"reps": self.reps})
        if self.hold_seconds:
            parts.append(gettext("hold %(seconds)s s") % {"seconds": self.hold_seconds})
        parts.append(gettext("%(sessions)s× a week") % {"sessions": self.sessions_per_week})
        return ", ".join(parts)


class BehaviouralContract(Versioned):
    """What the patient and the team commit to; revisions are kept in its history."""

    plan = models.OneToOneField(CarePlan, on_delete=models.CASCADE, related_name="contract")
    patient_commitments = models.TextField(_("the patient commits to (in their words)"))
    team_commitments = models.TextField(_("the team commits to"))
    supports = models.TextField(blank=True)
    agreed_on = models.DateField()
    review_date = models.DateField()

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Contract agreed {day(self.agreed_on)}"

    @property
    def plan_of(self) -> CarePlan:
        return self.plan

    @property
    def timeline_label(self) -> str:
        return ""

    def clean(self) -> None:
        if self.agreed_on and self.review_date and self.review_date < self.agreed_on:
            raise ValidationError(
                {"review_date": _("The review date cannot be before the day it was agreed.")}
            )


class CaregiverScope(models.TextChoices):
    """What a caregiver may receive, each consented to on its own."""

    PROGRESS_REPORTS = "progress_reports", _("Progress reports")
    APPOINTMENT_REMINDERS = "appointment_reminders", _("Appointment reminders")
    EDUCATION = "education", _("Education")
    DISTRESS_SIGNALS = "distress_signals", _("Distress-signal guidance")


class ConsentRecorded(models.TextChoices):
    VERBAL = "verbal", _("Verbally")
    WRITTEN = "written", _("In writing")


class Caregiver(Versioned):
    """Someone around the patient, what they do in the plan, and what the patient consented they receive.

    Consent is checked at the moment anything is sent (``consents_to``): a scope not given, a consent past
    its end, or a withdrawal (which stops everything at once) refuses the send.
    """

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="caregivers")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    contact = models.CharField(max_length=200, blank=True)
    role_in_plan = models.CharField(
        max_length=300, blank=True, help_text=_('e.g. "walks with her twice a week"')
    )
    consent_scopes = ArrayField(
        models.CharField(max_length=24, choices=CaregiverScope.choices),
        default=list,
        blank=True,
        verbose_name=_("may receive"),
    )
    consent_given_by = models.CharField(
        "consent given by",
        max_length=200,
        blank=True,
        help_text=_('e.g. "the patient", or their representative'),
    )
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_recorded_how = models.CharField(
        "consent given", max_length=8, choices=ConsentRecorded.choices, blank=True
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_until = models.DateField(
        "consent until", null=True, blank=True, help_text=_("Empty: until withdrawn.")
    )
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    consent_withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_withdrawal_note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"

    @property
    def plan_of(self) -> CarePlan:
        return self.plan

    @property
    def timeline_label(self) -> str:
        return self.name

    def consents_to(self, scope: str, on: date) -> bool:
        """Whether the patient's consent covers sending this caregiver ``scope`` on the day ``on``."""
        return (
            scope in self.consent_scopes
            and self.consent_withdrawn_at is None
            and self.consent_given_on is not None
            and self.consent_given_on <= on
            and (self.consent_until is None or on <= self.consent_until)
        )


class CarePreferences(Versioned):
    """How this person wants to be cared for, recorded with them and changed at any review (with history).

    One per patient, whichever plan is current: it steers what the product proposes (modalities of
    routed and template work, reminders within contact times, plain-language material).
    """

    class Pacing(models.TextChoices):
        LITTLE = "little", _("A little at a time")
        MODERATE = "moderate", _("A moderate amount")
        PLENTY = "plenty", _("Plenty at once")

    class Progression(models.TextChoices):
        SLOW = "slow", _("Slowly")
        STEADY = "steady", _("Steadily")
        QUICK = "quick", _("Quickly")

    class FormsConfidence(models.TextChoices):
        """The single-item literacy screener's answers (Chew 2004): "How confident are you filling out
        medical forms by yourself?" """

        EXTREMELY = "extremely", _("Extremely")
        QUITE_A_BIT = "quite_a_bit", _("Quite a bit")
        SOMEWHAT = "somewhat", _("Somewhat")
        A_LITTLE = "a_little", _("A little bit")
        NOT_AT_ALL = "not_at_all", _("Not at all")

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="care_preferences")
    modalities = ArrayField(
        models.CharField(max_length=16, choices=Modality.choices),
        default=list,
        blank=True,
        verbose_name=_("preferred ways of receiving care"),
    )
    pacing = models.CharField(_("how much at once"), max_length=10, choices=Pacing.choices, blank=True)
    progression = models.CharField(
        "how fast to progress", max_length=10, choices=Progression.choices, blank=True
    )
    forms_confidence = models.CharField(
        "confidence filling out medical forms alone",
        max_length=12,
        choices=FormsConfidence.choices,
        blank=True,
    )
    cultural_considerations = models.TextField(_("cultural or faith considerations"), blank=True)
    interpreter_needed = models.BooleanField(default=False)
    language = models.CharField(_("preferred language"), max_length=60, blank=True)
    contact_days = ArrayField(
        models.PositiveSmallIntegerField(choices=Exercise.Weekday.choices),
        default=list,
        blank=True,
        verbose_name=_("best days to be contacted"),
        help_text=_("None ticked: any day."),
    )
    contact_from = models.TimeField(_("contact from"), null=True, blank=True)
    contact_until = models.TimeField(_("contact until"), null=True, blank=True)
    what_matters = models.TextField(_("what matters most to them"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("care preferences")

    def __str__(self) -> str:
        return f"Care preferences of patient {self.patient_id}"

    @property
    def timeline_label(self) -> str:
        return "Preferences"

    @property
    def literacy_limited(self) -> bool:
        """Whether the literacy screener marks limited health literacy (``careplans/literacy.py``)."""
        return literacy.is_limited(self.forms_confidence)


class EducationItem(models.Model):
    """A short piece of education the clinic wrote, with its reading level and a plain-language version."""

    class Topic(models.TextChoices):
        PAIN = "pain", _("How pain works")
        PACING = "pacing", _("Pacing")
        SLEEP = "sleep", _("Sleep")
        FLARE_UP = "flare_up", _("Flare-up plans")
        TEAM = "team", _("Your team")
        CAREGIVERS = "caregivers", _("For family and friends")

    class Audience(models.TextChoices):
        PATIENT = "patient", _("Patients")
        CAREGIVER = "caregiver", _("Caregivers")

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    topic = models.CharField(max_length=12, choices=Topic.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PATIENT)
    body = models.TextField(help_text=_("Paragraphs separated by a blank line."))
    plain_body = models.TextField(
        "plain-language version", help_text=_("The same content in short, everyday words.")
    )
    reading_grade = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, help_text=_("Computed from the text on save.")
    )
    plain_reading_grade = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, help_text=_("Computed from the text on save.")
    )
    active = models.BooleanField(default=True, help_text=_("Only active items can be assigned."))
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["topic", "title"]

    def __str__(self) -> str:
        return self.title


class EducationAssignment(models.Model):
    """An education item given to a patient from their plan, and when they read it through their link."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="education")
    item = models.ForeignKey(EducationItem, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    first_read_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)
    read_plain = models.BooleanField(
        default=False, help_text=_("The plain-language version was the one shown.")
    )

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "item"], name="education_once_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.item} for plan {self.plan_id}"


class Activity(Versioned):
    """Behavioural activation: an enjoyable or valued activity scheduled alongside the exercises."""

    class Kind(models.TextChoices):
        ENJOYABLE = "enjoyable", _("Enjoyable")
        VALUED = "valued", _("Valued")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="activities")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    name = models.CharField(_("activity"), max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ENJOYABLE)
    why = models.CharField(_("why it matters to them"), max_length=300, blank=True)
    days = ArrayField(
        models.PositiveSmallIntegerField(choices=Exercise.Weekday.choices),
        default=list,
        blank=True,
        verbose_name=_("on"),
        help_text=_("The days it is planned for."),
    )
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.name

    @property
    def plan_of(self) -> CarePlan:
        return self.plan

    @property
    def timeline_label(self) -> str:
        return self.name


class Barrier(Versioned):
    """What got in the way, the plan agreed with the patient to get round it, and whether it worked."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not reviewed yet")
        WORKED = "worked", _("Worked")
        PARTLY = "partly", _("Partly worked")
        DID_NOT = "did_not", _("Did not work")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="barriers")
    barrier = models.CharField(max_length=300)
    plan_agreed = models.CharField(_("the plan agreed"), max_length=300)
    noted_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    reviewed_on = models.DateField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-noted_on", "-id"]

    def __str__(self) -> str:
        return self.barrier

    @property
    def plan_of(self) -> CarePlan:
        return self.plan

    @property
    def timeline_label(self) -> str:
        return self.barrier


# --- directory and referrals ---


class ResourceCategory(models.TextChoices):
    PEER_SUPPORT = "peer_support", _("Peer support group")
    COMMUNITY_EXERCISE = "community_exercise", _("Community exercise")
    MENTAL_HEALTH = "mental_health", _("Mental-health service")
    WORKPLACE = "workplace", _("Workplace and return-to-work service")
    SOCIAL_SUPPORT = "social_support", _("Social support")
    FINANCIAL_ADVICE = "financial_advice", _("Financial advice")


class ResourceCost(models.TextChoices):
    FREE = "free", _("Free")
    LOW = "low", _("Low cost")
    PAID = "paid", _("Paid")


class ReferralMethod(models.TextChoices):
    SELF = "self", _("Self-referral")
    FORM = "form", _("Clinician referral form")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")


class CommunityResource(models.Model):
    """A service outside the clinic the team refers patients to, as the clinic last checked it.

    Entered and re-verified by leads and clinic admins (``teams.policy.may_manage_resources``); a resource
    not verified for ``settings.RESOURCE_REVERIFY_DAYS`` is marked to verify again.
    """

    name = models.CharField(max_length=200)
    category = models.CharField(max_length=24, choices=ResourceCategory.choices)
    description = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    area = models.CharField(
        max_length=100, help_text=_('Where it serves, e.g. "North Leeds" or "city-wide".')
    )
    eligibility = models.TextField(blank=True, help_text=_("Who may use it (age, diagnosis, postcode...)."))
    languages = ArrayField(
        models.CharField(max_length=40),
        default=list,
        blank=True,
        help_text=_("Languages it is offered in, separated by commas."),
    )
    cost = models.CharField(max_length=8, choices=ResourceCost.choices, default=ResourceCost.FREE)
    cost_note = models.CharField(max_length=200, blank=True, help_text=_("e.g. £3 a class, concessions."))
    referral_method = models.CharField(max_length=8, choices=ReferralMethod.choices)
    referral_details = models.CharField(
        "how to refer", max_length=300, blank=True, help_text=_("e.g. the form's address, who to call.")
    )
    last_verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True, help_text=_("Only active resources are offered to refer to."))
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("resource_detail", kwargs={"resource_id": self.pk})

    def verify_again(self, today: date) -> bool:
        """Whether the clinic last checked it more than RESOURCE_REVERIFY_DAYS before ``today`` (or never)."""
        if self.last_verified_on is None:
            return True
        return (today - self.last_verified_on).days > settings.RESOURCE_REVERIFY_DAYS

    @property
    def contact(self) -> str:
        return " · ".join(part for part in (self.phone, self.email, self.website, self.address) if part)


class Accommodation(models.TextChoices):
    REDUCED_HOURS = "reduced_hours", _("Reduced hours")
    MODIFIED_DUTIES = "modified_duties", _("Modified duties")
    ERGONOMIC = "ergonomic", _("Ergonomic changes")


class ConsentGivenBy(models.TextChoices):
    PATIENT = "patient", _("The patient")
    CAREGIVER = "caregiver", _("A caregiver on their behalf")


class Referral(Versioned):
    """A referral from the plan to a directory resource or any other service, followed to its end.

    The status moves on by ``careplans.referrals.TRANSITIONS``; while a referral is open (sent or
    accepted) it has a follow-up due date, and a follow-up past due puts it on the conference agenda and
    on its owner's tasks.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        ATTENDED = "attended", _("Attended")
        NO_RESPONSE = "no_response", _("No response")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="referrals")
    resource = models.ForeignKey(
        CommunityResource,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("directory resource"),
    )
    service_name = models.CharField(_("other service"), max_length=200, blank=True)
    service_contact = models.CharField(_("its contact"), max_length=300, blank=True)
    category = models.CharField(
        _("kind of service"), max_length=24, choices=ResourceCategory.choices, blank=True
    )
    reason = models.TextField(_("reason for referral"))
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_recorded_how = models.CharField(
        _("consent given"), max_length=8, choices=ConsentRecorded.choices, blank=True
    )
    consent_given_by = models.CharField(
        _("consent given by"), max_length=10, choices=ConsentGivenBy.choices, blank=True
    )
    sent_on = models.DateField(_("sent on"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT)
    follow_up_due = models.DateField(_("follow up by"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_owned"
    )
    outcome_note = models.TextField(_("outcome"), blank=True)
    # Workplace and return-to-work referrals: what the employer agreed, and when to look at it again.
    accommodations = ArrayField(
        models.CharField(max_length=16, choices=Accommodation.choices),
        default=list,
        blank=True,
        verbose_name=_("accommodations agreed"),
    )
    accommodations_other = models.CharField(_("other accommodations"), max_length=300, blank=True)
    accommodation_review_on = models.DateField(_("review accommodations on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resource__isnull=False) | ~Q(service_name=""),
                name="referral_to_a_resource_or_a_service",
            ),
        ]

    def __str__(self) -> str:
        return self.service

    @property
    def service(self) -> str:
        """Who the referral goes to: the directory resource, else the service named."""
        return self.resource.name if self.resource_id and self.resource else self.service_name

    @property
    def plan_of(self) -> CarePlan:
        return self.plan

    @property
    def timeline_label(self) -> str:
        return self.service

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.ACCEPTED)

    @property
    def accommodation_labels(self) -> list[str]:
        labels = dict(Accommodation.choices)
        return [str(labels.get(code, code)) for code in self.accommodations]

    @property
    def is_workplace(self) -> bool:
        category = self.resource.category if self.resource_id and self.resource else self.category
        return category == ResourceCategory.WORKPLACE

    def clean(self) -> None:
        from .referrals import referral_problems  # the rules of the status flow, with the stored row

        problems = referral_problems(self)
        if problems:
            raise ValidationError(problems)
