"""Case conferences: a team's series (when it meets, what puts a patient on its agenda), each
conference, its agenda, the notes locked at closing and their amendments, and the actions agreed.

The agenda's thresholds are the team's own; their defaults belong to the apps whose figures they
judge (``adherence.agenda``, ``checkins.agenda``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adherence.agenda import DEFAULT_ADHERENCE_DAYS, DEFAULT_ATTENDANCE_BELOW, DEFAULT_EXERCISE_BELOW
from careplans.models import CarePlan, Exercise, Milestone, Responsibility
from checkins.agenda import DEFAULT_CHECKIN_SILENCE_DAYS
from core.dates import moment
from teams import policy
from teams.models import Membership, Patient, Team

# The conference's day of the week: the same choices as an exercise's rest days.
Weekday = Exercise.Weekday


class ConferenceSeries(models.Model):
    """A team's regular case conference: when it meets, who chairs, and what puts a patient on its agenda."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="conference_series")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.THURSDAY)
    local_time = models.TimeField(_("time"), help_text=_("In the clinic's time zone."))
    every_weeks = models.PositiveSmallIntegerField(
        "every", default=1, validators=[MinValueValidator(1), MaxValueValidator(8)], help_text=_("weeks")
    )
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True, help_text=_("Plan the next conference by itself."))
    exercise_below = models.PositiveSmallIntegerField(
        "exercise completion below (%)",
        default=DEFAULT_EXERCISE_BELOW,
        validators=[MaxValueValidator(100)],
    )
    attendance_below = models.PositiveSmallIntegerField(
        "attendance below (%)", default=DEFAULT_ATTENDANCE_BELOW, validators=[MaxValueValidator(100)]
    )
    adherence_days = models.PositiveSmallIntegerField(
        "adherence measured over (days)",
        default=DEFAULT_ADHERENCE_DAYS,
        validators=[MinValueValidator(7), MaxValueValidator(84)],
        help_text=_(
            "Whole weeks (7, 14, 21...) before the current one: home exercise is logged by the week."
        ),
    )
    checkin_silence_days = models.PositiveSmallIntegerField(
        "no check-in for (days)",
        default=DEFAULT_CHECKIN_SILENCE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name_plural = _("conference series")

    def __str__(self) -> str:
        every = "every week" if self.every_weeks == 1 else f"every {self.every_weeks} weeks"
        return f"{self.team}: {self.get_weekday_display()} {self.local_time:%H:%M}, {every}"

    def clean(self) -> None:
        if self.adherence_days and self.adherence_days % 7:
            raise ValidationError({"adherence_days": _("Give whole weeks: 7, 14, 21 or more days.")})
        if self.chair_id and self.team_id:
            leads = Membership.objects.filter(
                team_id=self.team_id, user_id=self.chair_id, role=Membership.Role.LEAD
            )
            if not leads.exists():
                raise ValidationError({"chair": _("The chair must be a lead of the team.")})


class CaseConferenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseConferenceQuerySet:
        """Conferences of the teams a user works in (``teams.policy.conferences_visible``)."""
        return policy.conferences_visible(user, self)  # type: ignore[return-value]


class CaseConference(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="conferences")
    starts_at = models.DateTimeField(_("date and time"))
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="conferences")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    # The agenda looks back to here: the start of the team's previous conference.
    agenda_since = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary_sent_at = models.DateTimeField(null=True, blank=True)

    objects = CaseConferenceQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "starts_at"], name="conference_unique_team_start"),
        ]
        indexes = [models.Index(fields=["team", "status", "starts_at"], name="conference_team_status")]

    def __str__(self) -> str:
        return f"{self.team} case conference, {moment(self.starts_at, weekday=True)}"

    def get_absolute_url(self) -> str:
        return reverse("conference_detail", kwargs={"conference_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class AgendaItem(models.Model):
    """A patient on a conference's agenda, with the reasons (and their numbers) that brought them there."""

    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="items")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    # [{"code": ..., "label": ..., "detail": ...}], as found when the agenda was built.
    reasons = models.JSONField(default=list, blank=True)
    # Who added the patient by hand; empty when the agenda listed them by itself.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discussed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "patient"], name="agenda_item_unique_patient"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} at {self.conference}"

    def get_absolute_url(self) -> str:
        return reverse("agenda_item", kwargs={"conference_id": self.conference_id, "item_id": self.pk})


class ConferenceNote(models.Model):
    """The team's note on one patient, in the shared language. Locked when the conference closes."""

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="note")
    physical = models.TextField(blank=True)
    psychological = models.TextField(blank=True)
    social = models.TextField(blank=True)
    patient_perspective = models.TextField(_("patient's perspective"), blank=True)
    decisions = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the conference closes; PostgreSQL then refuses any change to the row.
    locked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Note on {self.item}"


class NoteAmendment(models.Model):
    """Added to a locked note, never changing it. Append-only in PostgreSQL."""

    note = models.ForeignKey(ConferenceNote, on_delete=models.PROTECT, related_name="amendments")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Amendment by {self.author} at {self.at:%Y-%m-%d %H:%M}"


class ActionItemQuerySet(models.QuerySet):
    def open(self) -> ActionItemQuerySet:
        return self.filter(status=ActionItem.Status.OPEN)


class ActionItem(models.Model):
    """Something a named team member agreed to do for a patient, by a date; may change the care plan."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    conference = models.ForeignKey(CaseConference, on_delete=models.PROTECT, related_name="actions")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="conference_actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions")
    # Why the owner was kept although they lack a competency the work needs (``training.gate``, warn mode):
    # blank when they hold them all, or when the clinic refuses such owners (strict).
    competence_override_reason = models.TextField(_("why this owner without the competence"), blank=True)
    due_on = models.DateField(_("due"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # The care-plan part the action created or changed (at most one), and what it did to it.
    plan = models.ForeignKey(
        CarePlan, null=True, blank=True, on_delete=models.PROTECT, related_name="conference_actions"
    )
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="conference_actions"
    )
    responsibility = models.ForeignKey(
        Responsibility, null=True, blank=True, on_delete=models.PROTECT, related_name="conference_actions"
    )
    plan_change = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(plan__isnull=True, milestone__isnull=True)
                    | models.Q(plan__isnull=True, responsibility__isnull=True)
                    | models.Q(milestone__isnull=True, responsibility__isnull=True)
                ),
                name="action_changes_at_most_one_part",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="action_owner_status"),
            models.Index(fields=["patient", "status"], name="action_patient_status"),
        ]

    def __str__(self) -> str:
        return self.description

    PART_FIELDS = ("plan", "milestone", "responsibility")

    @property
    def part(self) -> CarePlan | Milestone | Responsibility | None:
        """The plan part the action created or changed, if any."""
        return self.plan or self.milestone or self.responsibility

    @classmethod
    def part_field(cls, part: models.Model) -> str:
        """The field that holds ``part``: an action may change the plan, a milestone or a responsibility."""
        for name in cls.PART_FIELDS:
            if isinstance(part, cls._meta.get_field(name).related_model):  # type: ignore[arg-type]
                return name
        raise TypeError(f"A conference action cannot point at {type(part).__name__}")

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()
