"""Staff competence: the clinic's list of competencies, each clinician's training in them, and clinical
supervision. Who may see or verify these is ``teams.policy``; what they mean for owning work is
``training.competence``."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# One patient reference: an MRN-like token (letters, digits, dashes, at least one digit), never a name.
PATIENT_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")
REFERENCE_SEPARATORS = re.compile(r"[,;\n]+")


def patient_references(text: str) -> list[str]:
    """The references in ``cases_discussed``, apart by commas, semicolons or lines."""
    return [part.strip() for part in REFERENCE_SEPARATORS.split(text) if part.strip()]


def validate_patient_references(text: str) -> None:
    """Supervision notes travel beyond the patient's team (a supervisor of another team): cases are named
    by reference only, so a name or a clinical sentence here is refused."""
    bad = [
        part
        for part in patient_references(text)
        if not PATIENT_REFERENCE.match(part) or not any(c.isdigit() for c in part)
    ]
    if bad:
        raise ValidationError(
            _("List cases by patient reference (MRN) only, apart by commas; not names or notes: %(bad)s"),
            params={"bad": ", ".join(bad[:3])},
            code="not_a_reference",
        )


class Competency(models.Model):
    """A skill an intervention may need (motivational interviewing, graded exposure, ...). Seeded
    (``training.seed``), edited by clinic admins; retired ones stay for the records that name them."""

    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=_("Named by the catalogue."))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    """How far a clinician has come in a competency. ``training.competence`` reads a lapsed renewal, or
    supervision below the expected amount, as ``under_supervision``."""

    TRAINED = "trained", _("Trained")
    UNDER_SUPERVISION = "under_supervision", _("Practising under supervision")
    INDEPENDENT = "independent", _("Independent")


class TrainingRecord(models.Model):
    """One clinician's training in one competency: added by the clinician, verified by a lead of one of
    their teams."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="training_records",
        verbose_name=_("clinician"),
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="records", verbose_name=_("competency")
    )
    course_or_evidence = models.TextField(
        _("course or evidence"), max_length=2000, help_text=_("The course, certificate or other evidence.")
    )
    completed_on = models.DateField(_("completed on"))
    level = models.CharField(_("level"), max_length=24, choices=Level.choices, default=Level.TRAINED)
    renews_on = models.DateField(
        _("renews on"), null=True, blank=True, help_text=_("Empty: does not need renewing.")
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "competency__position", "-completed_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        indexes = [models.Index(fields=["user", "competency"], name="training_user_competency")]
        constraints = [
            models.CheckConstraint(
                condition=Q(renews_on__isnull=True) | Q(renews_on__gt=F("completed_on")),
                name="training_renews_after_completed",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True, verified_at__isnull=True)
                | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="training_verified_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.competency} ({self.get_level_display()})"

    def clean(self) -> None:
        if (
            self.renews_on is not None
            and self.completed_on is not None
            and self.renews_on <= self.completed_on
        ):
            raise ValidationError({"renews_on": _("The renewal date comes after the date completed.")})


class SupervisionSession(models.Model):
    """Clinical supervision given: one supervisee (individual) or several (group, case-based). Cases are
    named by patient reference only; the notes are seen by the supervisor, the supervisees and the leads of
    a supervisee's team (``teams.policy.may_see_supervision``)."""

    class Format(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        GROUP = "group", _("Group")
        CASE_BASED = "case_based", _("Case-based")

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervisions_given",
        verbose_name=_("supervisor"),
    )
    supervisees: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="supervisions_received", verbose_name=_("supervisees")
    )
    # A moment, not a day: it counts in the month it falls in on the clinic's clock (TIME_ZONE), so a
    # session at 23:30 on 31 January in London is January's even when UTC says otherwise in summer.
    held_at = models.DateTimeField(_("held at"))
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1)])
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.INDIVIDUAL)
    competencies: models.ManyToManyField = models.ManyToManyField(
        Competency, blank=True, related_name="supervision_sessions", verbose_name=_("competencies covered")
    )
    cases_discussed = models.TextField(
        _("cases discussed"),
        blank=True,
        max_length=2000,
        validators=[validate_patient_references],
        help_text=_("Patient references (MRNs) only, apart by commas; never names or clinical details."),
    )
    learning_points = models.TextField(_("agreed learning points"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        indexes = [models.Index(fields=["held_at"], name="supervision_held_at")]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1), name="supervision_minutes_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} supervision by {self.supervisor} on {self.held_on:%Y-%m-%d}"

    @property
    def held_on(self) -> date:
        """The day on the clinic's calendar."""
        return timezone.localdate(self.held_at)
