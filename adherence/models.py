"""What adherence and outcomes are measured from: sessions, clinicians' exercise logs, functional measures.

Check-in exercise logs live in ``checkins``; the metrics in ``adherence/metrics.py``
read both.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from careplans.models import Exercise, Modality
from teams.models import Discipline, Patient


class SessionModality(models.TextChoices):
    """How a session is held: the care modalities a session can take (``careplans.models.Modality``)."""

    IN_PERSON = Modality.IN_PERSON.value, Modality.IN_PERSON.label
    VIDEO = Modality.VIDEO.value, Modality.VIDEO.label
    PHONE = Modality.PHONE.value, Modality.PHONE.label
    GROUP = Modality.GROUP.value, Modality.GROUP.label


class SessionSeries(models.Model):
    """Recurring sessions booked at once from the plan: every few weeks, at the same local time."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="session_series")
    modality = models.CharField(max_length=16, choices=SessionModality.choices)
    video_link = models.URLField(blank=True)
    clinicians = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    first_starts_at = models.DateTimeField()
    every_weeks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(12)])
    count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(26)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("session series")

    def __str__(self) -> str:
        return f"{self.count} sessions every {self.every_weeks} weeks for patient {self.patient_id}"


class Session(models.Model):
    """An appointment and what became of it: held in person, by video, by phone or in a group, with one
    clinician (``clinician``, who leads it) or, as a joint session, several of different disciplines, each
    credited (``SessionClinician``, the lead included). Attendance counts a session once for its patient.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ATTENDED = "attended", _("Attended")
        MISSED = "missed", _("Missed")
        CANCELLED_BY_PATIENT = "cancelled_patient", _("Cancelled by patient")
        CANCELLED_BY_CLINIC = "cancelled_clinic", _("Cancelled by clinic")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sessions")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions")
    discipline = models.CharField(max_length=32, choices=Discipline.choices)
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    recorded_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    modality = models.CharField(
        max_length=16, choices=SessionModality.choices, default=SessionModality.IN_PERSON
    )
    video_link = models.URLField(blank=True)
    series = models.ForeignKey(
        SessionSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    clinicians: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="SessionClinician", related_name="credited_sessions"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            # Covering status: a team's attendance is counted from the index alone.
            models.Index(
                fields=["patient", "starts_at"], include=["status"], name="session_patient_starts_status"
            ),
            models.Index(fields=["clinician", "starts_at"], name="session_clinician_starts"),
        ]

    def __str__(self) -> str:
        when = formats.date_format(timezone.localtime(self.starts_at), "DATETIME_FORMAT")
        return f"{self.get_discipline_display()} session on {when}"


class SessionClinician(models.Model):
    """A clinician credited with a session, with the discipline they brought to it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="credits")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discipline = models.CharField(max_length=32, choices=Discipline.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "clinician"], name="sessionclinician_once")]
        indexes = [models.Index(fields=["clinician", "session"], name="sessionclinician_clinician")]

    def __str__(self) -> str:
        return f"{self.clinician_id} at session {self.session_id}"


class ExerciseWeekLog(models.Model):
    """A clinician's record of a week's home exercise: "did 3 of the 5 sessions this week"."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="exercise_week_logs")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="week_logs")
    week_starting = models.DateField(help_text=_("The Monday of the week."))
    sessions_done = models.PositiveSmallIntegerField(validators=[MaxValueValidator(14)])
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_starting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "week_starting"], name="exerciseweeklog_once_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sessions_done} sessions of {self.exercise_id} in week {self.week_starting}"

    def clean(self) -> None:
        if self.week_starting and self.week_starting.weekday() != 0:
            raise ValidationError({"week_starting": _("Give the Monday the week starts on.")})
        prescribed = self.exercise.sessions_per_week if self.exercise_id else None
        if prescribed is not None and self.sessions_done is not None and self.sessions_done > prescribed:
            raise ValidationError(
                {
                    "sessions_done": _("At most %(count)s, the sessions a week prescribed.")
                    % {"count": prescribed}
                }
            )


class FunctionalMeasure(models.Model):
    """A physical measure taken at a session: range of motion, strength, PSFS, timed tests."""

    class Kind(models.TextChoices):
        RANGE_OF_MOTION = "rom", _("Range of motion (degrees)")
        STRENGTH = "strength", _("Strength")
        PSFS = "psfs", _("Patient-Specific Functional Scale (0–10)")
        TIMED = "timed", _("Timed test")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="functional_measures")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="measures"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    label = models.CharField(
        max_length=120, help_text=_("Joint and movement, strength test, PSFS activity, or timed test.")
    )
    value = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(0)])
    unit = models.CharField(max_length=20, help_text=_("degrees, kg, grade, /10, seconds, metres..."))
    measured_on = models.DateField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-measured_on", "id"]
        indexes = [
            models.Index(fields=["patient", "kind", "label", "measured_on"], name="measure_patient_series")
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value} {self.unit}"

    def clean(self) -> None:
        if self.kind == self.Kind.PSFS and self.value is not None and self.value > 10:
            raise ValidationError({"value": _("The PSFS scores each activity from 0 to 10.")})
        if self.kind == self.Kind.RANGE_OF_MOTION and self.value is not None and self.value > 360:
            raise ValidationError({"value": _("Range of motion is at most 360 degrees.")})


class Export(models.Model):
    """A CSV built in the background for a large list; only the person who asked may download it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exports"
    )
    title = models.CharField(max_length=200)
    params = models.JSONField(
        default=dict, help_text=_("The dashboard filters and the metric behind the list.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    done_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    content = models.TextField(blank=True)
    # Audited, one event per patient, each time the file is downloaded.
    patient_ids = models.JSONField(
        default=list, blank=True, help_text=_("The patients whose rows are in the file.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0


class RollupGroup(models.Model):
    """A group of patients the roll-ups count together: a team's patients with the same primary
    clinician, status and risk stratum (of their active plan; NULL without one)."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16)
    stratum = models.CharField(max_length=8, null=True)

    class Meta:
        abstract = True


class WeekRollup(RollupGroup):
    """The adherence figures of one calendar week for one group of patients.

    Kept by ``rollups.refresh`` from the same definitions as ``metrics``; the dashboard sums these rows
    instead of scanning millions of logs. Source rows mark their week stale through triggers (see
    migration 0003), so no way of writing escapes it.
    """

    week = models.DateField(help_text=_("The Monday of the week."))
    exercise_logged = models.DecimalField(max_digits=14, decimal_places=1)
    exercise_prescribed_days = models.BigIntegerField(help_text=_("Σ sessions a week × days the plan ran."))
    sessions_attended = models.IntegerField()
    sessions_counted = models.IntegerField()
    milestones_on_time = models.IntegerField()
    milestones_due = models.IntegerField()
    reminders_completed = models.IntegerField()
    reminders_sent = models.IntegerField()
    milestones_screened = models.IntegerField()
    milestones_reached = models.IntegerField()
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["week", "team"], name="weekrollup_week_team")]

    def __str__(self) -> str:
        return f"Week of {self.week} for team {self.team_id}"


class OutcomeRollup(RollupGroup):
    """Outcome change (intake to latest, per instrument) counted for one group of patients."""

    instrument = models.CharField(max_length=16)
    patients = models.IntegerField()
    reliable = models.IntegerField()
    important = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["team"], name="outcomerollup_team")]

    def __str__(self) -> str:
        return f"{self.instrument} outcomes for team {self.team_id}"


class RollupStale(models.Model):
    """A team's roll-ups that a write made out of date: one week, or every week from ``week`` on when
    ``onwards`` (from the beginning when ``week`` is NULL). Append-only, so writers never wait."""

    team_id = models.BigIntegerField()
    week = models.DateField(null=True)
    onwards = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Team {self.team_id} from {self.week}{' on' if self.onwards else ''}"
