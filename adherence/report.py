"""The progress report for a patient and, with consent, the people around them: plain words, small charts."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg
from django.db.models.functions import TruncWeek
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from careplans.consent import refusal
from careplans.models import Caregiver, CaregiverScope, CarePlan, Goal
from careplans.selectors import caregiver_of_patient, plan_current
from checkins.models import CheckIn
from core.i18n import patient_language
from teams.models import Patient

from . import metrics


class NoConsent(Exception):
    """The patient's consent does not cover a progress report for the named caregiver, today: ``reason``
    says why (no such caregiver, no consent to progress reports, consent ended or withdrawn)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Movement:
    name: str
    before: float | None
    now: float | None
    better_when: str  # "higher" or "lower"
    points: str  # SVG polyline points of the weekly averages

    @property
    def words(self) -> str:
        if self.before is None or self.now is None:
            return gettext("not enough check-ins yet to tell")
        change = self.now - self.before
        if abs(change) < 1:
            return gettext("about the same (%(now).0f out of 10)") % {"now": self.now}
        improved = change > 0 if self.better_when == "higher" else change < 0
        words = {"before": self.before, "now": self.now}
        if improved:
            return gettext("better: from about %(before).0f to %(now).0f out of 10") % words
        return gettext("worse: from about %(before).0f to %(now).0f out of 10") % words


def _in_words(rate: metrics.Rate) -> str:
    value = rate.value
    if value is None:
        return gettext("not measured yet")
    if value >= Decimal("0.9"):
        return gettext("nearly all of it")
    if value >= Decimal("0.7"):
        return gettext("most of it (about 3 in 4)")
    if value >= Decimal("0.45"):
        return gettext("about half")
    return gettext("less than half so far")


def _sparkline(values: list[float | None], width: int = 120, height: int = 28) -> str:
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    step = width / max(1, len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - (v / 10) * height:.1f}" for i, v in known)


def progress_report(*, patient: Patient, caregiver_id: int | None = None) -> dict[str, Any]:
    """What the report says, in the language active (the views and the caregiver's message set the
    patient's: core.i18n.patient_language). For a caregiver, the patient's consent to progress reports
    is checked now, each time it is rendered or sent: none, ended or withdrawn raises ``NoConsent``."""
    plan = plan_current(patient=patient)
    today = timezone.localdate()
    caregiver = None
    if caregiver_id is not None:
        caregiver = caregiver_of_patient(patient=patient, caregiver_id=caregiver_id)
        if caregiver is None:
            raise NoConsent("no such caregiver on this patient's plans")
        reason = refusal(caregiver, CaregiverScope.PROGRESS_REPORTS, today)
        if reason:
            raise NoConsent(reason)
    goals: list[Goal] = list(plan.goals.prefetch_related("milestones")) if plan else []
    since = timezone.now() - timedelta(weeks=12)
    weekly = list(
        CheckIn.objects.filter(patient=patient, submitted_at__gte=since)
        .annotate(week=TruncWeek("submitted_at"))
        .values("week")
        .annotate(mood=Avg("mood"), pain=Avg("pain"), sleep=Avg("sleep_quality"))
        .order_by("week")
    )

    def movement(name: str, key: str, better: str) -> Movement:
        values = [None if row[key] is None else float(row[key]) for row in weekly]
        return Movement(
            name=name,
            before=values[0] if values else None,
            now=values[-1] if len(values) > 1 else None,
            better_when=better,
            points=_sparkline(values),
        )

    patients = Patient.objects.filter(pk=patient.pk)
    four_weeks = (today - timedelta(weeks=4), today + timedelta(days=1))
    return {
        "patient": patient,
        "caregiver": caregiver,
        "plan": plan,
        "goals": goals,
        "reached": [m for goal in goals for m in goal.milestones.all() if m.achieved_on],
        "movements": [
            movement(gettext("Mood"), "mood", "higher"),
            movement(gettext("Pain"), "pain", "lower"),
            movement(gettext("Sleep"), "sleep", "higher"),
        ],
        "exercise": _in_words(metrics.exercise_completion(patients, *four_weeks)),
        "sessions": _in_words(metrics.attendance(patients, *four_weeks)),
        "checkins": _in_words(metrics.checkin_response(patients, *four_weeks)),
        "today": today,
        "active": plan is not None and plan.status == CarePlan.Status.ACTIVE,
    }


def progress_report_text(*, patient: Patient, caregiver: Caregiver) -> tuple[str, str]:
    """(subject, body) of the report as a message to the caregiver; ``NoConsent`` without their consent
    (the message is checked again when it is sent). In the patient's language, as the report is."""
    with translation.override(patient_language(patient)):
        context = progress_report(patient=patient, caregiver_id=caregiver.pk)
        body = render_to_string("adherence/report_caregiver.txt", context | {"clinic": settings.CLINIC_NAME})
        words = {"clinic": settings.CLINIC_NAME, "name": patient.given_name}
        return gettext("%(clinic)s: %(name)s's progress") % words, body
