"""Staff, teams, the patient registry, the one access rule, emergency access and the audit trail.

Every other app reaches patients through ``Patient.objects.visible_to(user)``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.indexes import OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class Discipline(models.TextChoices):
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    PHYSICIAN = "physician", _("Physician")
    OCCUPATIONAL_THERAPIST = "occupational_therapist", _("Occupational therapist")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    """Languages reminders and check-ins may be sent in; a clinic extends this list as it translates."""

    ENGLISH = "en", _("English")
    WELSH = "cy", _("Welsh")
    ARABIC = "ar", _("Arabic")
    BENGALI = "bn", _("Bengali")
    CHINESE = "zh", _("Chinese")
    FRENCH = "fr", _("French")
    GERMAN = "de", _("German")
    POLISH = "pl", _("Polish")
    PORTUGUESE = "pt", _("Portuguese")
    PUNJABI = "pa", _("Punjabi")
    ROMANIAN = "ro", _("Romanian")
    SOMALI = "so", _("Somali")
    SPANISH = "es", _("Spanish")
    URDU = "ur", _("Urdu")


class User(AbstractUser):
    """A member of staff. Patients have no account."""

    discipline = models.CharField(max_length=32, choices=Discipline.choices, default=Discipline.OTHER)
    is_clinic_admin = models.BooleanField(
        "clinic admin",
        default=False,
        help_text=_("Sees every patient and the clinic-wide dashboards; manages users and teams."),
    )
    # Where an urgent alert's escalation reaches them by SMS (leads and clinic admins).
    mobile = PhoneNumberField(_("mobile"), blank=True, help_text=_("For urgent-alert escalations by SMS."))
    # The interface language they chose; empty follows the clinic's (LANGUAGE_CODE).
    language = models.CharField(
        "interface language", max_length=16, blank=True, choices=settings.LANGUAGES, default=""
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
    alert_ack_minutes = models.PositiveIntegerField(
        "minutes to acknowledge an urgent alert",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Within the clinic's opening hours, before it escalates; empty: the clinic's default."),
    )
    supervision_minutes_per_month = models.PositiveIntegerField(
        _("supervision minutes a month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Expected for anyone practising under supervision; empty: the clinic's default "
            "(SUPERVISION_MINUTES_PER_MONTH)."
        ),
    )
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
        MEMBER = "member", _("Member")
        LEAD = "lead", _("Lead")

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
        ACTIVE = "active", _("Active")
        DISCHARGED = "discharged", _("Discharged")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    mrn = models.CharField(
        _("MRN"), max_length=32, help_text=_("Medical record number, unique in the clinic.")
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    email = models.EmailField(_("contact email"), blank=True)
    mobile = PhoneNumberField(_("mobile"), blank=True)
    reminder_channel = models.CharField(
        "preferred reminder channel", max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    language = models.CharField(max_length=16, choices=Language.choices, default=Language.ENGLISH)
    # A provider's delivery receipt said messages to this number (or address) can never arrive: set when
    # one fails permanently, cleared when the number (or address) is changed.
    mobile_failed_at = models.DateTimeField(_("mobile failed"), null=True, blank=True)
    mobile_failed_reason = models.CharField(max_length=300, blank=True)
    email_failed_at = models.DateTimeField(_("email failed"), null=True, blank=True)
    email_failed_reason = models.CharField(max_length=300, blank=True)
    # The one record of consent to reminders: whether the patient agrees now, since when and how. The
    # check-in schedule shows and edits this record too; it keeps no consent of its own.
    consent_to_reminders = models.BooleanField(default=False)
    reminder_consent_given_on = models.DateField(
        "agreed to reminders on",
        null=True,
        blank=True,
        help_text=_("The day the patient agreed to receive reminders."),
    )
    reminder_consent_note = models.CharField(
        "how they agreed",
        max_length=200,
        blank=True,
        help_text=_("E.g. verbally at intake, or a signed form."),
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="patients", verbose_name=_("care team")
    )
    primary_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_patients"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("mrn"), name="patient_unique_mrn"),
            # Consent is recorded with the day it was given, so reminders never start before it.
            models.CheckConstraint(
                condition=Q(consent_to_reminders=False) | Q(reminder_consent_given_on__isnull=False),
                name="patient_reminder_consent_dated",
            ),
        ]
        indexes = [
            # A team's active patients, which each of the agenda's finders reads as a subquery, from the
            # index alone (the id included): a team's patients are spread over the whole table.
            models.Index(fields=["team", "status"], include=["id"], name="patient_team_status"),
            models.Index(Lower("family_name"), Lower("given_name"), name="patient_name_lower"),
            # The list's order, read from an index: its first page without sorting 100,000 rows.
            models.Index(fields=["family_name", "given_name", "id"], name="patient_name_order"),
            # The list's search: a name or MRN starting with a term (istartswith: UPPER(...) LIKE 'TERM%').
            *(
                models.Index(OpClass(Upper(field), name="text_pattern_ops"), name=f"patient_{field}_prefix")
                for field in ("family_name", "given_name", "mrn")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.mrn})"

    def get_absolute_url(self) -> str:
        return reverse("patient_overview", kwargs={"patient_id": self.pk})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def clean(self) -> None:
        if not self.consent_to_reminders:
            return
        if self.reminder_consent_given_on is None:
            raise ValidationError(
                {"reminder_consent_given_on": _("Enter the day the patient agreed to reminders.")}
            )
        if self.reminder_consent_given_on > timezone.localdate():
            raise ValidationError(
                {"reminder_consent_given_on": _("The day they agreed cannot be in the future.")}
            )


class AuditEvent(models.Model):
    """Who viewed or changed which patient record, and who signed in. Append-only and hash-chained in
    PostgreSQL."""

    class Action(models.TextChoices):
        VIEW = "view", _("View")
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        EXPORT = "export", _("Export")
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOGOUT = "logout", _("Logout")
        # A patient-scoped page asked for by someone outside the patient's team (answered 404).
        DENIED = "denied", _("Access denied")
        # High severity: a clinician opened a patient outside their teams, giving a reason.
        EMERGENCY = "emergency", _("Emergency access")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
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
