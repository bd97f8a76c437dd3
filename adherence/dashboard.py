"""The clinic dashboard: who may see it, the filters, headline numbers, trends and breakdowns."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from careplans.models import CarePlan, Stratum
from teams.models import Discipline, Membership, Patient, Team, User

from . import metrics

TREND_WEEKS = 12
METRICS = {
    "exercise": "Exercise completion",
    "attendance": "Attendance",
    "milestones": "Milestones on time",
    "checkins": "Check-ins answered",
}


def overseen_patients(user: User) -> QuerySet[Patient] | None:
    """Clinic admins oversee every patient, team leads those of the teams they lead; others none (None)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_clinic_admin:
        return Patient.objects.all()
    led = Membership.objects.filter(user=user, role=Membership.Role.LEAD).values("team")
    if not led.exists():
        return None
    return Patient.objects.filter(team__in=led)


class DashboardFilters(forms.Form):
    start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="All teams",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    stratum = forms.ChoiceField(
        choices=[("", "Any stratum"), *Stratum.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Patient.Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, patients: QuerySet[Patient], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)  # noqa: S101  (declared just above)
        team.queryset = Team.objects.filter(pk__in=patients.values("team")).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end cannot be before the start.")
        return cleaned


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # exclusive


def window_and_patients(
    patients: QuerySet[Patient], filters: DashboardFilters
) -> tuple[Window, QuerySet[Patient]]:
    today = timezone.localdate()
    data = filters.cleaned_data if filters.is_valid() else {}
    end = (data.get("end") or today) + timedelta(days=1)
    start = data.get("start") or end - timedelta(weeks=TREND_WEEKS)
    if data.get("team"):
        patients = patients.filter(team=data["team"])
    if data.get("status"):
        patients = patients.filter(status=data["status"])
    if data.get("stratum"):
        plans = CarePlan.objects.filter(
            patient=OuterRef("pk"), status=CarePlan.Status.ACTIVE, risk_stratum=data["stratum"]
        )
        patients = patients.filter(Exists(plans))
    return Window(start, end), patients


def headline(patients: QuerySet[Patient], window: Window) -> dict[str, metrics.Rate]:
    today = timezone.localdate()
    return {
        "exercise": metrics.exercise_completion(patients, window.start, window.end),
        "attendance": metrics.attendance(patients, window.start, window.end),
        "milestones": metrics.milestone_progress(patients, window.start, window.end, today),
        "checkins": metrics.checkin_response(patients, window.start, window.end),
        "screening": metrics.screening_at_milestones(patients, window.start, window.end),
    }


def trend(patients: QuerySet[Patient], window: Window) -> dict[str, Any]:
    """Each headline metric per calendar week, for the twelve weeks up to the window's end: the
    metrics grouped by week, so a fixed six queries."""
    today = timezone.localdate()
    last = window.end - timedelta(days=1)
    first = last - timedelta(days=last.weekday(), weeks=TREND_WEEKS - 1)
    weeks = [first + timedelta(weeks=n) for n in range(TREND_WEEKS)]
    columns = {
        "exercise": metrics.exercise_completion_by(patients, first, window.end, metrics.WEEK),
        "attendance": metrics.attendance_by(patients, first, window.end, metrics.WEEK),
        "milestones": metrics.milestone_progress_by(patients, first, window.end, today, metrics.WEEK),
        "checkins": metrics.checkin_response_by(patients, first, window.end, metrics.WEEK),
    }
    series = {
        key: [column.get(week, metrics.EMPTY).whole_percent for week in weeks]
        for key, column in columns.items()
    }
    return {"labels": [w.strftime("%d %b") for w in weeks], "series": series, "names": METRICS}


def breakdowns(patients: QuerySet[Patient], window: Window) -> list[dict[str, Any]]:
    today = timezone.localdate()
    tables = []
    for by, (_field, title) in metrics.BREAKDOWNS.items():
        columns = {
            "exercise": metrics.exercise_completion_by(patients, window.start, window.end, by),
            "attendance": metrics.attendance_by(patients, window.start, window.end, by),
            "milestones": metrics.milestone_progress_by(patients, window.start, window.end, today, by),
            "checkins": metrics.checkin_response_by(patients, window.start, window.end, by),
        }
        groups = sorted({g for column in columns.values() for g in column}, key=lambda g: (g is None, str(g)))
        labels = _group_labels(by, groups)
        empty = metrics.Rate(Decimal(0), Decimal(0))
        rows = [
            {
                "group": group,
                "label": labels.get(group, group),
                "cells": [(key, columns[key].get(group, empty)) for key in METRICS],
            }
            for group in groups
        ]
        tables.append({"by": by, "title": title, "rows": rows})
    return tables


def _group_labels(by: str, groups: list[Any]) -> dict[Any, str]:
    """What people call a group: a clinician's name, a discipline's or stratum's label."""
    if by == "clinician":
        users = User.objects.filter(username__in=[g for g in groups if g])
        return {user.username: str(user) for user in users}
    if by == "discipline":
        return dict(Discipline.choices)
    if by == "stratum":
        return dict(Stratum.choices)
    return {}


DRILLDOWN = {
    "exercise": "patients with prescribed exercises",
    "attendance": "patients with sessions",
    "milestones": "patients with milestones due",
    "checkins": "patients sent reminders",
}


def drilldown_patients(patients: QuerySet[Patient], window: Window, metric: str, group_by: str, group: str):
    """The patients behind a number: those counted in the metric's denominator (and in a breakdown row)."""
    from careplans.models import Exercise, Milestone
    from checkins.models import Reminder

    from .models import Session

    counted = {
        "exercise": Exercise.objects.filter(
            plan__patient=OuterRef("pk"), plan__status=CarePlan.Status.ACTIVE
        ),
        "attendance": Session.objects.filter(
            patient=OuterRef("pk"), **metrics.between("starts_at", window.start, window.end)
        ),
        "milestones": Milestone.objects.filter(
            goal__plan__patient=OuterRef("pk"), due_date__gte=window.start, due_date__lt=window.end
        ),
        "checkins": Reminder.objects.filter(
            patient=OuterRef("pk"), **metrics.between("sent_at", window.start, window.end)
        ),
    }[metric]
    patients = patients.filter(Exists(counted))
    if group_by in metrics.BREAKDOWNS and group:
        if group_by == "stratum":
            plans = CarePlan.objects.filter(
                patient=OuterRef("pk"), status=CarePlan.Status.ACTIVE, risk_stratum=group
            )
            patients = patients.filter(Exists(plans))
        else:
            patients = patients.filter(**{metrics.BREAKDOWNS[group_by][0]: group})
    return patients.select_related("team", "primary_clinician").order_by("family_name", "given_name")
