"""Distress screening: scored results, batteries, clinic settings per instrument, and alerts.

The instruments themselves are data in ``screening/instruments/``; a ``Screening``
stores the code and version it was scored with, the answers and the computed result.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams.models import Patient


class Timepoint(models.TextChoices):
    INTAKE = "intake", _("Intake")
    MILESTONE = "milestone", _("Milestone")
    DISCHARGE = "discharge", _("Discharge")
    ADHOC = "adhoc", _("Ad hoc")


class ScreeningQuerySet(models.QuerySet):
    def current(self) -> ScreeningQuerySet:
        """Results as they stand: an amended result is replaced by its amendment."""
        return self.filter(amendment__isnull=True)


class Screening(models.Model):
    """One administration of one instrument. Immutable: a correction is a new row that amends it."""

    class Source(models.TextChoices):
        CLINICIAN = "clinician", _("Entered by a clinician")
        PATIENT = "patient", _("Patient self-report")

    # Indexed with the time it was given (``screening_patient_at``), which serves a patient alone too.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings", db_index=False)
    instrument = models.CharField(max_length=20)
    instrument_version = models.CharField(max_length=20)
    timepoint = models.CharField(max_length=16, choices=Timepoint.choices)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.CLINICIAN)
    administered_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(help_text=_("Raw answers keyed by item number."))
    total = models.IntegerField()
    subscales = models.JSONField(default=dict, blank=True)
    band = models.CharField(max_length=64, null=True, blank=True)
    flags = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    amends = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendment"
    )
    amendment_reason = models.TextField(blank=True)
    # For a result the patient completed themselves: the language they answered in and the version of the
    # wording they saw (the instrument's own for English, a loaded translation's otherwise).
    language = models.CharField(max_length=16, blank=True)
    wording_version = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "instrument", "administered_at"], name="screening_patient_instr"),
            # A patient's results in a window (the agenda's since the last conference), every instrument.
            models.Index(fields=["patient", "administered_at"], name="screening_patient_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(amendment_reason=""),
                name="screening_amendment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total} for {self.patient_id} on {self.administered_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("screening_detail", kwargs={"patient_id": self.patient_id, "screening_id": self.pk})

    @property
    def has_safety_flag(self) -> bool:
        return "safety" in self.flags


class Battery(models.Model):
    """A named set of instruments given together, e.g. at intake. Clinic admins edit these."""

    name = models.CharField(max_length=100, unique=True)
    instruments = ArrayField(models.CharField(max_length=20), help_text=_("Instrument codes, in order."))
    timepoint = models.CharField(max_length=16, choices=Timepoint.choices, default=Timepoint.ADHOC)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "batteries"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .instruments import INSTRUMENTS

        unknown = [code for code in self.instruments if code not in INSTRUMENTS]
        if unknown:
            raise ValidationError(
                {"instruments": _("Unknown instrument code(s): %(codes)s.") % {"codes": ", ".join(unknown)}}
            )
        if len(set(self.instruments)) != len(self.instruments):
            raise ValidationError({"instruments": _("Each instrument may appear once.")})


class InstrumentSetting(models.Model):
    """The clinic's own cut-off and change thresholds for an instrument, where the defaults are missing."""

    instrument = models.CharField(max_length=20, unique=True)
    high_cutoff = models.IntegerField(
        null=True, blank=True, help_text=_("A total at or above this adds the 'high' flag.")
    )
    mcid = models.DecimalField(
        "MCID",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Minimal clinically important difference, in points."),
    )
    rc = models.DecimalField(
        "reliable change",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Reliable change threshold, in points."),
    )
    source = models.TextField(
        blank=True,
        help_text=_("Where these values come from: the citation and the population they were found in."),
    )

    def __str__(self) -> str:
        return f"Settings for {self.instrument}"

    def clean(self) -> None:
        from .instruments import INSTRUMENTS

        if self.instrument not in INSTRUMENTS:
            raise ValidationError({"instrument": _("Unknown instrument code.")})
        values = (self.high_cutoff, self.mcid, self.rc)
        if any(value is not None for value in values) and not self.source.strip():
            raise ValidationError(
                {"source": _("Say where these values come from (citation and population).")}
            )


class InstrumentTranslation(models.Model):
    """A validated translation of an instrument a clinic has loaded: what the patient sees around the items
    (title, stem, answer labels) and where the translation comes from. Its items' wording is
    ``ItemWording`` in its language. A questionnaire goes by link in a language other than English only
    where one is loaded."""

    instrument = models.CharField(max_length=20)
    language = models.CharField(max_length=16)
    wording_version = models.CharField(max_length=40, help_text=_("The translation's own version or date."))
    title = models.CharField(
        max_length=200, help_text=_("What the patient sees as the questionnaire's title.")
    )
    stem = models.TextField(blank=True)
    # {item number: [label of each answer, lowest value first]}, every item of the instrument.
    answer_labels = models.JSONField(default=dict)
    source = models.TextField(help_text=_("Who translated and validated it: the citation and population."))
    licence = models.TextField(help_text=_("The terms the clinic holds it under."))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["instrument", "language"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "language"], name="instrumenttranslation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} in {self.language} ({self.wording_version})"


class ItemWording(models.Model):
    """Official wording of an item in one language: licensed English wording of a copyrighted item, or an
    item of a validated translation (``InstrumentTranslation``), loaded by a clinic."""

    instrument = models.CharField(max_length=20)
    item_number = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=16, default="en")
    text = models.TextField()

    class Meta:
        ordering = ["instrument", "language", "item_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "item_number", "language"], name="itemwording_unique_item_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} item {self.item_number} ({self.language})"


class AlertQuerySet(models.QuerySet):
    def unresolved(self) -> AlertQuerySet:
        return self.exclude(status=Alert.Status.CLOSED)


class Alert(models.Model):
    """A result that needs someone to act: closed only by a named person who records what was done."""

    class Kind(models.TextChoices):
        URGENT = "urgent", _("Urgent safety alert")
        REVIEW = "review", _("Psychosocial review")
        CHECKIN = "checkin", _("Check-in concern")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLOSED = "closed", _("Closed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    # The result that raised it; empty for an alert raised by a patient's check-in.
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(max_length=255)
    opened_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "kind"], name="alert_one_per_screening_kind"),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(action_taken="")),
                name="alert_closed_has_action",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "status"], name="alert_patient_status"),
            # The review queue's closed view, most recently closed first, and its "raised between" filter.
            models.Index(fields=["status", "-closed_at"], name="alert_status_closed_at"),
            models.Index(fields=["opened_at"], name="alert_opened_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.patient_id} ({self.get_status_display()})"


class AlertEscalation(models.Model):
    """One step of an urgent alert's escalation: made once per alert and step, sent once.

    Like a reminder: the dispatcher inserts the row when the step falls due (unique per alert and step),
    claims it, and the send locks it and sends only while ``sent_at`` is empty.
    """

    class Step(models.IntegerChoices):
        LEAD = 1, "Team lead"
        ADMINS = 2, "Clinic admins"

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="escalations")
    step = models.PositiveSmallIntegerField(choices=Step.choices)
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Who it reached, by name (never their addresses): shown on the alert's story.
    recipients = ArrayField(models.CharField(max_length=150), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alert", "step"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "step"], name="alertescalation_one_per_step"),
        ]
        indexes = [models.Index(fields=["sent_at", "claimed_at"], name="alertescalation_pending")]

    def __str__(self) -> str:
        return f"{self.get_step_display()} escalation of alert {self.alert_id}"

    @property
    def reached_nobody(self) -> bool:
        """The step came and nobody could be reached (nobody in its role with an email or a mobile):
        recorded as done with no recipients, never as sent to someone."""
        return self.sent_at is not None and not self.recipients

    @property
    def told_nobody(self) -> bool:
        """The last step reached nobody: nobody beyond the team was told of the alert."""
        return self.reached_nobody and self.step == self.Step.ADMINS

    @property
    def story(self) -> str:
        """What the alert's story says of this step (its moment is shown beside it)."""
        if self.reached_nobody:
            if self.step == self.Step.LEAD:
                return "No team lead to escalate to (none with an email or a mobile), so on to clinic admins"
            return "Nobody to escalate to: no clinic admin with an email or a mobile"
        who = "the team lead" if self.step == self.Step.LEAD else "clinic admins"
        return f"Escalated to {who} ({', '.join(self.recipients)})"
