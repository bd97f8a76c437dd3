"""Staff, teams, the patient registry, the one access rule and the audit trail.

Every other app reaches patients through ``Patient.objects.visible_to(user)``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
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
    def leads_a_team(self) -> bool:
        return self.memberships.filter(role=Membership.Role.LEAD).exists()


class TeamQuerySet(models.QuerySet):
    def available_to(self, user) -> TeamQuerySet:
        """The teams a user works in; clinic admins work across all of them."""
        if user.is_clinic_admin:
            return self.all()
        return self.filter(memberships__user=user)


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
        """The one access rule: clinic admins see everyone, staff the patients of their teams."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_clinic_admin:
            return self.all()
        return self.filter(team__memberships__user=user)


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
    """Who viewed or changed which patient record, and who signed in. Append-only in PostgreSQL."""

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

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-at"], name="audit_patient_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        who = self.actor or self.username
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.object_type} {self.object_id}"
