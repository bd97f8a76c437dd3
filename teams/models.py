"""Staff, teams, the patient registry, the one access rule, the audit trail and case conferences.

Every other app reaches patients through ``Patient.objects.visible_to(user)``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from phonenumber_field.modelfields import PhoneNumberField


class Discipline(models.TextChoices):
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    PHYSICIAN = "physician", "Physician"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    OTHER = "other", "Other"


class Language(models.TextChoices):
    """Languages reminders and check-ins may be sent in; a clinic extends this list as it translates."""

    ENGLISH = "en", "English"
    WELSH = "cy", "Welsh"
    ARABIC = "ar", "Arabic"
    BENGALI = "bn", "Bengali"
    CHINESE = "zh", "Chinese"
    FRENCH = "fr", "French"
    GERMAN = "de", "German"
    POLISH = "pl", "Polish"
    PORTUGUESE = "pt", "Portuguese"
    PUNJABI = "pa", "Punjabi"
    ROMANIAN = "ro", "Romanian"
    SOMALI = "so", "Somali"
    SPANISH = "es", "Spanish"
    URDU = "ur", "Urdu"


class User(AbstractUser):
    """A member of staff. Patients have no account."""

    discipline = models.CharField(max_length=32, choices=Discipline.choices, default=Discipline.OTHER)
    is_clinic_admin = models.BooleanField(
        "clinic admin",
        default=False,
        help_text="Sees every patient and the clinic-wide dashboards; manages users and teams.",
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def oversees_a_team(self) -> bool:
        """For the navigation: the dashboard link (see ``teams.policy.overseen_teams``)."""
        from .policy import oversees_any_team

        return oversees_any_team(self)


class TeamQuerySet(models.QuerySet):
    def available_to(self, user) -> TeamQuerySet:
        """The teams a user works in (``teams.policy.teams_worked_in``)."""
        from .policy import teams_worked_in

        return teams_worked_in(user, self)  # type: ignore[return-value]


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    members: models.ManyToManyField[User, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        LEAD = "lead", "Lead"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user")]
        ordering = ["team__name", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"


class PatientQuerySet(models.QuerySet):
    def visible_to(self, user) -> PatientQuerySet:
        """The one access rule (``teams.policy.patients_visible``)."""
        from .policy import patients_visible

        return patients_visible(user, self)  # type: ignore[return-value]


class Patient(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DISCHARGED = "discharged", "Discharged"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    mrn = models.CharField("MRN", max_length=32, help_text="Medical record number, unique in the clinic.")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    email = models.EmailField("contact email", blank=True)
    mobile = PhoneNumberField("mobile", blank=True)
    reminder_channel = models.CharField(
        "preferred reminder channel", max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    language = models.CharField(max_length=16, choices=Language.choices, default=Language.ENGLISH)
    consent_to_reminders = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="patients", verbose_name="care team"
    )
    primary_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_patients"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [models.UniqueConstraint(Lower("mrn"), name="patient_unique_mrn")]
        indexes = [
            models.Index(fields=["team", "status"], name="patient_team_status"),
            models.Index(Lower("family_name"), Lower("given_name"), name="patient_name_lower"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.mrn})"

    def get_absolute_url(self) -> str:
        return reverse("patient_overview", kwargs={"patient_id": self.pk})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class AuditEvent(models.Model):
    """Who viewed or changed which patient record, and who signed in. Append-only and hash-chained in
    PostgreSQL."""

    class Action(models.TextChoices):
        VIEW = "view", "View"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"
        EXPORT = "export", "Export"
        LOGIN = "login", "Login"
        LOGIN_FAILED = "login_failed", "Login failed"
        LOGOUT = "logout", "Logout"
        # A patient-scoped page asked for by someone outside the patient's team (answered 404).
        DENIED = "denied", "Access denied"
        # High severity: a clinician opened a patient outside their teams, giving a reason.
        EMERGENCY = "emergency", "Emergency access"

    at = models.DateTimeField("when", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The name typed at a failed login, which may match no account.
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The hash chain (teams migration 0005): sealed at commit, in commit order, by PostgreSQL itself.
    # Each event's hash covers its fields and the previous event's hash; ``verify_audit`` checks it.
    seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-at"], name="audit_patient_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        who = self.actor or self.username
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.object_type} {self.object_id}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


# What brings a patient onto a case conference's agenda by itself, unless a team sets its own.
DEFAULT_EXERCISE_BELOW = 60
DEFAULT_ATTENDANCE_BELOW = 70
DEFAULT_ADHERENCE_DAYS = 14
DEFAULT_CHECKIN_SILENCE_DAYS = 7


class ConferenceSeries(models.Model):
    """A team's regular case conference: when it meets, who chairs, and what puts a patient on its agenda."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="conference_series")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.THURSDAY)
    local_time = models.TimeField("time", help_text="In the clinic's time zone.")
    every_weeks = models.PositiveSmallIntegerField(
        "every", default=1, validators=[MinValueValidator(1), MaxValueValidator(8)], help_text="weeks"
    )
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True, help_text="Plan the next conference by itself.")
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
        help_text="Whole weeks (7, 14, 21...) before the current one: home exercise is logged by the week.",
    )
    checkin_silence_days = models.PositiveSmallIntegerField(
        "no check-in for (days)",
        default=DEFAULT_CHECKIN_SILENCE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name_plural = "conference series"

    def __str__(self) -> str:
        every = "every week" if self.every_weeks == 1 else f"every {self.every_weeks} weeks"
        return f"{self.team}: {self.get_weekday_display()} {self.local_time:%H:%M}, {every}"

    def clean(self) -> None:
        if self.adherence_days and self.adherence_days % 7:
            raise ValidationError({"adherence_days": "Give whole weeks: 7, 14, 21 or more days."})
        if self.chair_id and self.team_id:
            leads = Membership.objects.filter(
                team_id=self.team_id, user_id=self.chair_id, role=Membership.Role.LEAD
            )
            if not leads.exists():
                raise ValidationError({"chair": "The chair must be a lead of the team."})


class CaseConferenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseConferenceQuerySet:
        """Conferences of the teams a user works in (``teams.policy.conferences_visible``)."""
        from .policy import conferences_visible

        return conferences_visible(user, self)  # type: ignore[return-value]


class CaseConference(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        CLOSED = "closed", "Closed"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="conferences")
    starts_at = models.DateTimeField("date and time")
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
        return f"{self.team} case conference, {timezone.localtime(self.starts_at):%a %d %b %Y %H:%M}"

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
    patient_perspective = models.TextField("patient's perspective", blank=True)
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
        OPEN = "open", "Open"
        DONE = "done", "Done"

    conference = models.ForeignKey(CaseConference, on_delete=models.PROTECT, related_name="actions")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="conference_actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions")
    due_on = models.DateField("due")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # The care-plan part the action created or changed, and what it did to it.
    part_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    part_id = models.PositiveBigIntegerField(null=True, blank=True)
    part = GenericForeignKey("part_type", "part_id")
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
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="action_owner_status"),
            models.Index(fields=["patient", "status"], name="action_patient_status"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()


class UserSession(models.Model):
    """A signed-in browser session of a user, so that all of them can be ended at once: by the user
    ("sign out everywhere"), or when the account is deactivated or its privileges change."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} since {self.started_at:%Y-%m-%d %H:%M}"


class EmergencyAccess(models.Model):
    """ "Break glass": a clinician opening a patient outside their teams, for a stated reason, for a
    limited time. Granting it writes an ``emergency`` audit event and tells the patient's team leads
    and the clinic admins."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="emergency_accesses")
    reason = models.TextField()
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "expires_at"], name="emergency_user_expires")]

    def __str__(self) -> str:
        return f"{self.user} → {self.patient_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class EmergencyNote(models.Model):
    """What a clinician did for a patient under emergency access, for the patient's team to read. A
    note is kept as written (no edits), with its author and time."""

    access = models.ForeignKey(EmergencyAccess, on_delete=models.PROTECT, related_name="notes")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="emergency_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Emergency note by {self.author} at {self.created_at:%Y-%m-%d %H:%M}"
