"""Check-in schedules, the reminders they produce, and what patients send back.

A ``Reminder`` row is the truth about a due slot: created once per schedule and
slot (a unique constraint makes dispatch idempotent), then moved from pending to
sent, failed, completed or expired by tasks that may run more than once.
"""

from __future__ import annotations

import zoneinfo
from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from careplans.models import Activity, Caregiver, CaregiverScope, Exercise
from screening.models import Alert, Battery
from teams.models import Patient


class Cadence(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKDAYS = "weekdays", _("On chosen weekdays")
    EVERY_N_DAYS = "every_n_days", _("Every few days")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


# What a clinician sets in the schedule editor: the form's fields, and those a saved schedule's audit
# event names.
SCHEDULE_FIELDS = [
    "cadence",
    "weekdays",
    "every_n_days",
    "anchor_date",
    "local_time",
    "time_zone",
    "channel",
    "fallback_channel",
    "fallback_consent_given_on",
    "quiet_start",
    "quiet_end",
    "paused_until",
]

# The fields only one cadence uses. A schedule keeps those of its own cadence and none of another's, so
# what is stored is what is used (the form ignores the others, ``Schedule.clean`` clears them).
CADENCE_FIELDS: dict[str, tuple[str, ...]] = {
    Cadence.DAILY: (),
    Cadence.WEEKDAYS: ("weekdays",),
    Cadence.EVERY_N_DAYS: ("every_n_days", "anchor_date"),
}


def cadence_fields_unused(cadence: str) -> list[str]:
    """The fields of the other cadences, which a schedule of this cadence does not keep."""
    used = CADENCE_FIELDS.get(cadence, ())
    return [name for names in CADENCE_FIELDS.values() for name in names if name not in used]


def validate_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(name)s is not a known time zone, e.g. Europe/London.") % {"name": repr(name)}
        )


class Schedule(models.Model):
    """When and how a patient is invited to check in. The consent it rests on is the patient's own
    (``Patient.consent_to_reminders`` and its day and note), shown and edited with the schedule."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="checkin_schedule")
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.DAILY)
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(choices=WEEKDAYS),
        default=list,
        blank=True,
        help_text=_("For chosen weekdays."),
    )
    every_n_days = models.PositiveSmallIntegerField(
        "every how many days",
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(28)],
        help_text=_("From 2 to 28."),
    )
    anchor_date = models.DateField(
        _("counting from"), null=True, blank=True, help_text=_("The first day of the count.")
    )
    local_time = models.TimeField(help_text=_("In the patient's own time zone."))
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    # Where a reminder goes when the channel fails permanently (a dead number, a bounced address): only
    # with the patient's consent to be reached that way, recorded with its day.
    fallback_channel = models.CharField(max_length=8, choices=Channel.choices, blank=True)
    fallback_consent_given_on = models.DateField(
        _("agreed to the fallback on"),
        null=True,
        blank=True,
        help_text=_("The day the patient agreed to it."),
    )
    quiet_start = models.TimeField(null=True, blank=True, help_text=_("No reminder from this time..."))
    quiet_end = models.TimeField(
        null=True, blank=True, help_text=_("...until this time (may span midnight).")
    )
    paused_until = models.DateField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Check-ins for patient {self.patient_id}"

    def clean(self) -> None:
        """Checks the chosen cadence's fields, and clears those of the others (``CADENCE_FIELDS``)."""
        for name in cadence_fields_unused(self.cadence):
            setattr(self, name, [] if name == "weekdays" else None)
        errors: dict[str, str] = {}
        if self.cadence == Cadence.WEEKDAYS and not self.weekdays:
            errors["weekdays"] = "Choose at least one weekday."
        if self.cadence == Cadence.EVERY_N_DAYS:
            if self.every_n_days is None:
                errors["every_n_days"] = "Say every how many days, from 2 to 28."
            if self.anchor_date is None:
                errors["anchor_date"] = "Give the day the count starts from."
        if (self.quiet_start is None) != (self.quiet_end is None):
            errors["quiet_end"] = "Give both ends of the quiet hours, or neither."
        elif self.quiet_start is not None and self.quiet_start == self.quiet_end:
            errors["quiet_end"] = "Quiet hours need a start and an end that differ."
        if errors:
            raise ValidationError(errors)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def consent_given_on(self) -> date | None:
        """The day the patient agreed to reminders, from their own record (the one record of consent),
        or None while they do not consent."""
        patient = self.patient
        return patient.reminder_consent_given_on if patient.consent_to_reminders else None


class DeliveryStatus(models.TextChoices):
    """How far a message got, as its provider reports it."""

    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED_TEMPORARY = "failed_temporary", _("Failed for now, retrying")
    FAILED_PERMANENT = "failed_permanent", _("Failed permanently")


class Reminder(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        COMPLETED = "completed", _("Completed")
        EXPIRED = "expired", _("Expired")

    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="reminders")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reminders")
    due_at = models.DateTimeField(help_text=_("The slot this reminder is for (UTC)."))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    battery = models.ForeignKey(
        Battery,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A questionnaire due when the reminder was made, opened by the same link."),
    )
    # Follow-up screenings (routing's re-screens) due when the reminder was sent, answered by the same
    # link after the battery's instruments; an instrument of the battery is not asked twice.
    rescreen_instruments = ArrayField(
        models.CharField(max_length=20),
        default=list,
        blank=True,
        help_text=_("Instruments of follow-up screenings due when the reminder was sent."),
    )
    # Only a hash of the link's token is kept; the token itself exists only in the message sent.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text=_("Handed to a worker to send."))
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Its latest message's state (``Delivery``), as the provider's receipts report it.
    delivery_status = models.CharField(max_length=20, choices=DeliveryStatus.choices, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    questionnaire_completed_at = models.DateTimeField(null=True, blank=True)
    # The questionnaire's answers so far, {instrument code: {item number: answer}}, saved page by page so
    # the patient can pause and carry on with the same link. Emptied when the answers are sent (they
    # become screenings then) and when the link expires.
    questionnaire_draft = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "due_at"], name="reminder_one_per_schedule_slot"),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"], name="reminder_status_claimed"),
            models.Index(fields=["patient", "-due_at"], name="reminder_patient_due"),
        ]

    def __str__(self) -> str:
        return f"Reminder {self.pk} for patient {self.patient_id} at {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def has_questionnaire(self) -> bool:
        """Whether the link opens a questionnaire: a battery, follow-up screenings, or both."""
        return self.battery_id is not None or bool(self.rescreen_instruments)


class Delivery(models.Model):
    """One message of a reminder handed to a provider: written (``sending``) before the provider is asked,
    so a worker killed while asking leaves a row whose ``reference`` the next worker looks up with the
    provider instead of sending again; then updated by the provider's answer and its delivery receipts."""

    reminder = models.ForeignKey(Reminder, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    backend = models.CharField(max_length=200, help_text=_("The backend it went through."))
    to = models.CharField(max_length=254)
    reference = models.UUIDField(unique=True, help_text=_("Ours, given to the provider with the message."))
    body_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("The body's hash: how a provider that keeps no reference of ours (Twilio) is searched."),
    )
    provider_id = models.CharField(
        max_length=100, blank=True, help_text=_("The provider's id of the message.")
    )
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.SENDING)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_at = models.DateTimeField(null=True, blank=True, help_text=_("When the status last changed."))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder"], condition=Q(status="sending"), name="delivery_one_sending_per_reminder"
            ),
        ]
        indexes = [models.Index(fields=["provider_id"], name="delivery_provider_id")]

    def __str__(self) -> str:
        return f"{self.channel} of reminder {self.reminder_id}: {self.status}"


class CheckIn(models.Model):
    """What the patient reported: mood, pain, sleep, stressors and their home exercise."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="checkins")
    reminder = models.OneToOneField(
        Reminder, null=True, blank=True, on_delete=models.PROTECT, related_name="checkin"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    mood = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(10)], help_text=_("0 very low – 10 very good")
    )
    pain = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(10)], help_text=_("0 no pain – 10 worst")
    )
    sleep_quality = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    sleep_hours = models.DecimalField(
        max_digits=3, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )
    stressors = models.TextField(blank=True)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["patient", "-submitted_at"], name="checkin_patient_submitted")]

    def __str__(self) -> str:
        return f"Check-in {self.pk} of patient {self.patient_id}"


class ExerciseLog(models.Model):
    class Done(models.TextChoices):
        DONE = "done", _("Done")
        PARTLY = "partly", _("Partly")
        NOT_DONE = "not_done", _("Not done")

    checkin = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="exercise_logs"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="exercise_logs")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="logs")
    logged_for = models.DateField()
    done = models.CharField(max_length=10, choices=Done.choices)

    class Meta:
        ordering = ["-logged_for", "id"]
        # A patient's logs over a window (the agenda, the overview's weeks): the range, not all of them.
        # Covering "done" too: a team's weeks of exercise are counted from the index alone.
        indexes = [
            models.Index(
                fields=["patient", "logged_for"], include=["done"], name="exerciselog_patient_day_done"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "exercise"],
                condition=Q(checkin__isnull=False),
                name="exerciselog_once_per_checkin",
            )
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id} {self.done} on {self.logged_for}"


class ActivityLog(models.Model):
    """A behavioural-activation activity the patient ticked in a check-in, like an exercise."""

    class Done(models.TextChoices):
        DONE = "done", _("Done")
        PARTLY = "partly", _("Partly")
        NOT_DONE = "not_done", _("Not done")

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="activity_logs")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="activity_logs")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="logs")
    logged_for = models.DateField()
    done = models.CharField(max_length=10, choices=Done.choices)

    class Meta:
        ordering = ["-logged_for", "id"]
        indexes = [models.Index(fields=["patient", "logged_for"], name="activitylog_patient_day")]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "activity"], name="activitylog_once_per_checkin")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.done} on {self.logged_for}"


class CaregiverMessage(models.Model):
    """A message to a caregiver: queued, then sent or refused by the consent check at the moment of
    sending (a scope not given, expired or withdrawn refuses it; nothing is sent), or failed when the
    sending task ran out of retries (``refused_reason`` then holds the error)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        REFUSED = "refused", _("Refused: no consent")
        FAILED = "failed", _("Failed after retries")

    caregiver = models.ForeignKey(Caregiver, on_delete=models.PROTECT, related_name="messages")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="caregiver_messages")
    scope = models.CharField(max_length=24, choices=CaregiverScope.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    refused_reason = models.CharField(max_length=300, blank=True)
    queued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} to caregiver {self.caregiver_id} ({self.get_status_display()})"


class OutboxMessage(models.Model):
    """What the development backends 'sent': the outbox page shows these instead of a real inbox."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    # The sender's reference (a reminder's ``Delivery.reference``), so a send can be looked up as with a
    # real provider.
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to} at {self.sent_at:%Y-%m-%d %H:%M}"
