"""The clinic dashboard: who may see it, the filters, headline numbers, trends and breakdowns."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import quote

from django import forms
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import dateformat, timezone
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from careplans.catalogue import CATALOGUE, Kind
from careplans.models import CarePlan, Responsibility, Stratum
from teams import policy
from teams.models import Discipline, Patient, Team, User
from training.skillmix import Competence

from . import metrics, rollups, selectors
from .models import SessionModality

TREND_WEEKS = 12
METRICS = {
    "exercise": _("Exercise completion"),
    "attendance": _("Attendance"),
    "milestones": _("Milestones on time"),
    "checkins": _("Check-ins answered"),
}
# What a headline tile's "3 of 4" counts, in whole units (``Rate.whole_numerator``).
COUNTED = {
    "exercise": _("planned exercise sessions done"),
    "attendance": _("sessions attended"),
    "milestones": _("milestones met on time"),
    "checkins": _("check-ins answered"),
}
# An axis label: the product's date format without the year (settings.DATE_FORMAT is "j M Y").
WEEK_LABEL = "j M"


def overseen_patients(teams: QuerySet[Team]) -> QuerySet[Patient]:
    return Patient.objects.filter(team__in=teams)


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
        empty_label=_("All teams"),
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

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = teams
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)  # noqa: S101  (declared just above)
        team.queryset = teams.order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        return cleaned


@dataclass(frozen=True)
class Window:
    """Whole calendar weeks, Monday to Sunday: the figures are summed a week at a time."""

    start: date  # a Monday
    end: date  # the Monday after, exclusive


def window_of(filters: DashboardFilters) -> Window:
    """The whole weeks from the start's to the end's (by default the 12 weeks up to this one)."""
    today = timezone.localdate()
    data = filters.cleaned_data if filters.is_valid() else {}
    end = selectors.week_of(data.get("end") or today) + timedelta(weeks=1)
    start = selectors.week_of(data["start"]) if data.get("start") else end - timedelta(weeks=TREND_WEEKS)
    return Window(start, end)


def scope_of(user: User, filters: DashboardFilters) -> rollups.Scope:
    """The roll-up rows behind the dashboard: the teams the user oversees, narrowed by the filters."""
    data = filters.cleaned_data if filters.is_valid() else {}
    if data.get("team"):
        teams: list[int] | None = [data["team"].pk]
    elif policy.is_clinic_admin(user):
        teams = None
    else:
        teams = list(filters.teams.values_list("pk", flat=True))
    return rollups.Scope(teams, status=data.get("status") or "", stratum=data.get("stratum") or "")


def window_and_patients(
    patients: QuerySet[Patient], filters: DashboardFilters
) -> tuple[Window, QuerySet[Patient]]:
    """The window, and the overseen patients the filters leave: for lists of the patients behind a number."""
    data = filters.cleaned_data if filters.is_valid() else {}
    if data.get("team"):
        patients = patients.filter(team=data["team"])
    if data.get("status"):
        patients = patients.filter(status=data["status"])
    if data.get("stratum"):
        plans = CarePlan.objects.filter(
            patient=OuterRef("pk"), status=CarePlan.Status.ACTIVE, risk_stratum=data["stratum"]
        )
        patients = patients.filter(Exists(plans))
    return window_of(filters), patients


def _headline(figures: rollups.Figures | None) -> dict[str, metrics.Rate]:
    figures = figures or rollups.Figures.nothing()
    return {
        "exercise": figures.exercise,
        "attendance": figures.attendance,
        "milestones": figures.milestones,
        "checkins": figures.checkins,
        "screening": figures.screening,
    }


def headline(scope: rollups.Scope, window: Window) -> dict[str, metrics.Rate]:
    return _headline(rollups.grouped(scope, window.start, window.end, by=())[None].get(None))


def week_label(week: date) -> str:
    return dateformat.format(week, WEEK_LABEL)


def chart_point(rate: metrics.Rate, partial: bool) -> int | None:
    """A week's point on a chart: its whole percentage, or None (no point) with nothing to count. In the
    week not over, nothing done *yet* is no point either: home exercise is logged when the week is
    reviewed and a reminder is answered days after it is sent, so a 0 so far would read as a fall."""
    if partial and not rate.numerator:
        return None
    return rate.whole_percent


def trend(
    scope: rollups.Scope,
    window: Window,
    today: date | None = None,
    by_week: dict[date, rollups.Figures] | None = None,
) -> dict[str, Any]:
    """Each headline metric per calendar week, for the twelve weeks up to the window's end (one query,
    or none when ``by_week`` holds them already).

    The week that holds today is not over: its figures are this week so far, and ``partial`` is its
    index (None when the twelve weeks are all past), so a chart draws it apart rather than as a fall
    (and leaves it out while nothing is recorded yet, see ``chart_point``).
    """
    today = today or timezone.localdate()
    first = window.end - timedelta(weeks=TREND_WEEKS)
    weeks = [first + timedelta(weeks=n) for n in range(TREND_WEEKS)]
    if by_week is None:
        by_week = rollups.weekly(scope, first, window.end)
    partial = next((n for n, week in enumerate(weeks) if week <= today < week + timedelta(weeks=1)), None)
    series = {
        key: [chart_point(_headline(by_week.get(week))[key], n == partial) for n, week in enumerate(weeks)]
        for key in METRICS
    }
    labels = [week_label(week) for week in weeks]
    return {
        "labels": labels,
        "series": series,
        "names": METRICS,
        "partial": partial,
        "partial_label": None if partial is None else labels[partial],
        "summaries": {key: _summary(series[key], weeks, partial) for key in METRICS},
    }


def _summary(values: list[int | None], weeks: list[date], partial: int | None) -> str:
    """A tile's trend in words, for a screen reader: its first and last weeks with figures."""
    known = [(n, value) for n, value in enumerate(values) if value is not None]
    if not known:
        return "No figures in these 12 weeks."

    def point(n: int, value: int) -> str:
        so_far = ", this week so far" if n == partial else ""
        return f"{value}% in the week of {week_label(weeks[n])}{so_far}"

    if len(known) == 1:
        return f"12 weeks: only {point(*known[0])}."
    return f"12 weeks: from {point(*known[0])} to {point(*known[-1])}."


# The breakdowns the dashboard shows at once. The one per primary clinician (300 rows at a clinic of 40
# teams) opens on demand (``clinician_table``): an admin reads a team's row first, and it is most of the
# page's rendering; its CSV is one click as before.
SHOWN = ("team", "discipline", "stratum")
CLINICIANS = "clinician"
# The sections worked out from the raw rows rather than the roll-ups (``?part=``): the page asks for
# these as soon as it is shown, so its figures from the roll-ups never wait for them ...
PARTS = ("reviews", "competent-share")
# ... and for these when they are opened. Sessions by kind sum every session and exercise log of the
# window for each patient seen (a patient's exercise counts for each way they were seen, so no weekly
# roll-up can hold it): tens of seconds for a clinic of 100,000 patients (BENCHMARKS.md).
ON_DEMAND = (CLINICIANS, "session-kinds")


def breakdowns(
    scope: rollups.Scope,
    window: Window,
    grouped: dict[str | None, dict[Any, rollups.Figures]] | None = None,
    by: tuple[str, ...] = rollups.EVERY_BREAKDOWN,
) -> list[dict[str, Any]]:
    """One table per breakdown in ``by``, in ``metrics.BREAKDOWNS``'s order (one query without
    ``grouped``, two with the clinicians' names)."""
    grouped = grouped if grouped is not None else rollups.grouped(scope, window.start, window.end, by)
    return [
        _table(key, title, grouped[key]) for key, (_field, title) in metrics.BREAKDOWNS.items() if key in by
    ]


def _table(by: str, title: str | Promise, figures: dict[Any, rollups.Figures]) -> dict[str, Any]:
    groups = sorted(figures, key=_group_order(by))
    labels = _group_labels(by, groups)
    rows = [
        {
            "group": group,
            "label": labels.get(group, group),
            "cells": [(key, _headline(figures[group])[key]) for key in METRICS],
        }
        for group in groups
    ]
    return {"by": by, "title": title, "rows": rows}


def link_cells(tables: list[dict[str, Any]], drill_url: str, query: str) -> None:
    """Give each breakdown row its cells as HTML, each percentage linked to the patients behind it
    (``row["cells_html"]``): written here in one pass rather than by the template, whose variable lookups
    and tags cost a fraction of a millisecond a cell (hundreds of cells a page), as ``core.forms`` does for
    select options. The HTML is what the template wrote before, character for character."""
    link = f"{escape(drill_url)}?metric="
    suffix = escape(f"&{query}") if query else ""
    for table in tables:
        by = escape(table["by"])
        for row in table["rows"]:
            group = escape(quote(str(row["group"])))  # as the template's |urlencode wrote it
            cells = [
                f'<td><a href="{link}{key}&amp;by={by}&amp;group={group}{suffix}">{rate.percent}</a></td>'
                if rate.denominator
                else f"<td>{rate.percent}</td>"
                for key, rate in row["cells"]
            ]
            row["cells_html"] = mark_safe("".join(cells))  # noqa: S308 - every value above is escaped


def clinician_table(scope: rollups.Scope, window: Window) -> dict[str, Any]:
    """The breakdown per primary clinician, opened on demand: two queries."""
    return breakdowns(scope, window, by=(CLINICIANS,))[0]


def page(scope: rollups.Scope, window: Window, today: date | None = None) -> dict[str, Any]:
    """What the dashboard shows from the roll-ups: two queries, whatever the number of patients (three
    for a window shorter than the trend's twelve weeks, whose trend reaches before it)."""
    first = window.end - timedelta(weeks=TREND_WEEKS)
    # The trend's weeks come with the totals when the window holds them all (weeks before the trend's are
    # summed too, and not shown).
    together = window.start <= first
    grouped = rollups.grouped(scope, window.start, window.end, SHOWN, weeks=together)
    overall = grouped[None].get(None)
    figures = _headline(overall)
    weekly = trend(scope, window, today, grouped["week"] if together else None)
    return {
        "headline": figures,
        # One tile per headline metric, with what it counts and its trend in words.
        "tiles": [
            {
                "key": key,
                "name": name,
                "rate": figures[key],
                "counted": COUNTED[key],
                "summary": weekly["summaries"][key],
            }
            for key, name in METRICS.items()
        ],
        "refreshed_at": overall.refreshed_at if overall else None,
        "trend": weekly,
        "tables": breakdowns(scope, window, grouped, SHOWN),
        "on_demand": {"by": CLINICIANS, "title": metrics.BREAKDOWNS[CLINICIANS][1]},
        "outcomes": rollups.outcomes(scope),
    }


def review_figures(patients: QuerySet[Patient], window: Window, today: date) -> dict[str, Any]:
    """From a flag to the plan, for the patients the filters leave: all of them, then per team (one
    query). See ``metrics.review_timeliness`` for what each number counts."""
    overall, teams = metrics.review_timeliness(patients, window.start, window.end, today)
    return {"overall": overall, "teams": teams}


def _group_order(by: str):
    """Groups by name, with "none" last; risk strata in their own order (low, medium, high)."""
    if by == "stratum":
        rank = {value: n for n, value in enumerate(Stratum.values)}
        return lambda group: (group is None, rank.get(group, len(rank)), str(group))
    return lambda group: (group is None, str(group))


def _group_labels(by: str, groups: list[Any]) -> dict[Any, str]:
    """What people call a group: a clinician's name, a discipline's or stratum's label."""
    if by == "clinician":
        users = User.objects.filter(username__in=[g for g in groups if g])
        return {user.username: str(user) for user in users}
    if by == "discipline":
        return {value: str(label) for value, label in Discipline.choices}
    if by == "stratum":
        return {value: str(label) for value, label in Stratum.choices}
    return {}


DRILLDOWN = {
    "exercise": "patients with prescribed exercises",
    "attendance": "patients with sessions",
    "milestones": "patients with milestones due",
    "checkins": "patients sent reminders",
}


def _counted(metric: str, window: Window) -> Exists:
    """Whether a patient (``OuterRef("pk")``) is in the metric's denominator over the window."""
    from careplans.models import Exercise, Milestone
    from checkins.models import Reminder

    from .models import Session

    rows = {
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
    return Exists(rows)


def patients_counted(patients: QuerySet[Patient], window: Window) -> QuerySet[Patient]:
    """The patients a breakdown table's figures are made of: those in any metric's denominator."""
    return patients.filter(reduce(or_, (Q(_counted(metric, window)) for metric in METRICS)))


def drilldown_patients(patients: QuerySet[Patient], window: Window, metric: str, group_by: str, group: str):
    """The patients behind a number: those counted in the metric's denominator (and in a breakdown row)."""
    patients = patients.filter(_counted(metric, window))
    if group_by in metrics.BREAKDOWNS and group:
        if group_by == "stratum":
            plans = CarePlan.objects.filter(
                patient=OuterRef("pk"), status=CarePlan.Status.ACTIVE, risk_stratum=group
            )
            patients = patients.filter(Exists(plans))
        else:
            patients = patients.filter(**{metrics.BREAKDOWNS[group_by][0]: group})
    return patients.select_related("team", "primary_clinician").order_by("family_name", "given_name")


def patient_values(
    metric: str, patient_ids: list[int], window: Window, today: date
) -> dict[int, metrics.Rate]:
    """Each listed patient's own figure behind a number, by the metric's definition (a fixed number of
    queries for a page of patients). Planned exercise runs up to today, as in the roll-ups."""
    patients = Patient.objects.filter(pk__in=patient_ids)
    end = min(window.end, today + timedelta(days=1))
    if metric == "exercise":
        return metrics.exercise_completion_by(patients, window.start, end, metrics.PATIENT)
    if metric == "attendance":
        return metrics.attendance_by(patients, window.start, window.end, metrics.PATIENT)
    if metric == "milestones":
        return metrics.milestone_progress_by(patients, window.start, window.end, today, metrics.PATIENT)
    return metrics.checkin_response_by(patients, window.start, window.end, metrics.PATIENT)


# --- sessions (issue 20) ---------------------------------------------------------------------------


def session_breakdown(patients: QuerySet[Patient], window: Window) -> dict[str, list[dict[str, Any]]]:
    """Attendance and exercise completion by modality and by joint vs single session, for the patients
    the filters leave (``metrics.session_kinds``: one query). Modalities in their own order, those
    with no session in the window left out."""
    by_modality, by_joint = metrics.session_kinds(patients, window.start, window.end)
    return {
        "modality": [
            {"key": value, "label": label, "figures": by_modality[value]}
            for value, label in SessionModality.choices
            if value in by_modality
        ],
        "joint": [
            {"key": key, "label": label, "figures": by_joint[joint]}
            for joint, key, label in ((True, "joint", "Joint"), (False, "single", "One clinician"))
            if joint in by_joint
        ],
    }


# --- skill mix (issue 22) --------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetentShare:
    """A team's psychological interventions in the window, and how many their owners were competent for."""

    team_id: int
    team: str
    rate: metrics.Rate

    @property
    def competent(self) -> int:
        return int(self.rate.numerator)

    @property
    def total(self) -> int:
        return int(self.rate.denominator)


def competent_share(patients: QuerySet[Patient], window: Window, on: date) -> list[CompetentShare]:
    """Per team, of the psychological responsibilities active or done in the window (for the patients the
    filters leave), those whose owner was competent on ``on`` in everything the intervention needs
    (``training.competence``'s rules; an intervention that names no competency counts as competent).
    Counted per (team, owner, intervention) in the database, competence read for every owner at once:
    four queries, whatever the number of responsibilities."""
    psychological = {code: i.competencies for code, i in CATALOGUE.items() if i.kind == Kind.PSYCHOLOGICAL}
    groups = list(
        Responsibility.objects.filter(
            plan__patient__in=patients,
            intervention__in=list(psychological),
            status__in=[Responsibility.Status.ACTIVE, Responsibility.Status.DONE],
            starts_on__lt=window.end,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=window.start))
        .values("plan__patient__team_id", "plan__patient__team__name", "owner_id", "intervention")
        .annotate(count=Count("id"))
        .values_list(
            "plan__patient__team_id", "plan__patient__team__name", "owner_id", "intervention", "count"
        )
    )
    competence = Competence.of({owner for _team, _name, owner, _code, _n in groups}, on=on)
    teams: dict[int, tuple[str, int, int]] = {}
    for team_id, name, owner, code, count in groups:
        _name, competent, total = teams.get(team_id, (name, 0, 0))
        if not competence.gaps(owner, psychological[code]):
            competent += count
        teams[team_id] = (name, competent, total + count)
    return [
        CompetentShare(team_id, name, metrics.Rate(Decimal(competent), Decimal(total)))
        for team_id, (name, competent, total) in sorted(teams.items(), key=lambda item: item[1][0])
    ]
