"""Weekly adherence roll-ups: the dashboard's figures summed ahead, kept fresh from stale marks.

A clinic's dashboard aggregates millions of exercise logs, sessions and reminders; summing them
live takes seconds. ``WeekRollup`` holds, per calendar week, each group of patients' numerators and
denominators (a team's patients with the same primary clinician, status and risk stratum), computed
by the definitions in ``metrics``. Reading the dashboard then sums a few thousand rows.

Freshness: every write to a source row marks its team's week stale, by a trigger (migration 0003).
``refresh`` (the ``adherence.tasks.rollups_refresh`` task, every minute) recomputes what was
marked, plus this week and last (their figures run up to today). A change that regroups history (a
patient moving team or clinician, a plan's stratum) marks every week of the team.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import metrics
from .metrics import EMPTY, Rate

# Any transaction-level advisory lock key of our own: two refreshes never run at once.
REFRESH_LOCK = 7_310_001
BEGINNING = date(1900, 1, 1)

# Each patient's figures per week of [start, end), by the definitions in ``metrics``, for the patients
# the ``patients`` CTE names; then what is done with them.
FIGURES_SQL = """
WITH patients AS ({patients}),
figures (patient_id, week, logged, prescribed, attended, counted, on_time, due, completed, sent, screened, reached) AS (
    SELECT l.patient_id, date_trunc('week', l.logged_for::timestamp)::date,
           count(*) FILTER (WHERE l.done = 'done') + 0.5 * count(*) FILTER (WHERE l.done = 'partly'),
           0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM checkins_exerciselog l
    WHERE l.patient_id IN (SELECT id FROM patients) AND l.logged_for >= %(start)s AND l.logged_for < %(end)s
    GROUP BY 1, 2
  UNION ALL
    SELECT w.patient_id, w.week_starting, sum(w.sessions_done), 0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM adherence_exerciseweeklog w
    WHERE w.patient_id IN (SELECT id FROM patients) AND w.week_starting >= %(start)s AND w.week_starting < %(end)s
    GROUP BY 1, 2
  UNION ALL
    SELECT plan.patient_id, wk::date, 0,
           sum(e.sessions_per_week * GREATEST(0, LEAST(wk::date + 7, %(clip)s) - GREATEST(wk::date, plan.start_date))),
           0, 0, 0, 0, 0, 0, 0, 0
    FROM careplans_exercise e
    JOIN careplans_careplan plan ON plan.id = e.plan_id AND plan.status = 'active'
    CROSS JOIN LATERAL generate_series(
        date_trunc('week', GREATEST(plan.start_date, %(start)s)::timestamp),
        LEAST(%(end)s, %(clip)s) - 1, interval '7 days'
    ) AS wk
    WHERE plan.patient_id IN (SELECT id FROM patients)
    GROUP BY 1, 2
  UNION ALL
    SELECT s.patient_id, date_trunc('week', s.starts_at AT TIME ZONE %(zone)s)::date, 0, 0,
           count(*) FILTER (WHERE s.status = 'attended'),
           count(*) FILTER (WHERE s.status IN ('attended', 'missed', 'cancelled_patient')),
           0, 0, 0, 0, 0, 0
    FROM adherence_session s
    WHERE s.patient_id IN (SELECT id FROM patients) AND s.starts_at >= %(start_at)s AND s.starts_at < %(end_at)s
    GROUP BY 1, 2
  UNION ALL
    SELECT plan.patient_id, date_trunc('week', m.due_date::timestamp)::date, 0, 0, 0, 0,
           count(*) FILTER (WHERE m.achieved_on <= m.due_date), count(*), 0, 0, 0, 0
    FROM careplans_milestone m
    JOIN careplans_goal g ON g.id = m.goal_id JOIN careplans_careplan plan ON plan.id = g.plan_id
    WHERE plan.patient_id IN (SELECT id FROM patients) AND m.due_date >= %(start)s
      AND m.due_date < LEAST(%(end)s, %(clip)s)
    GROUP BY 1, 2
  UNION ALL
    SELECT r.patient_id, date_trunc('week', r.sent_at AT TIME ZONE %(zone)s)::date, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE r.status = 'completed'), count(*), 0, 0
    FROM checkins_reminder r
    WHERE r.patient_id IN (SELECT id FROM patients) AND r.sent_at >= %(start_at)s AND r.sent_at < %(end_at)s
    GROUP BY 1, 2
  UNION ALL
    SELECT plan.patient_id, date_trunc('week', m.achieved_on::timestamp)::date, 0, 0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM screening_screening s
               WHERE s.patient_id = plan.patient_id AND s.timepoint = 'milestone'
                 AND (s.administered_at AT TIME ZONE %(zone)s)::date BETWEEN m.achieved_on AND m.achieved_on + %(follow_up)s
           )),
           count(*)
    FROM careplans_milestone m
    JOIN careplans_goal g ON g.id = m.goal_id JOIN careplans_careplan plan ON plan.id = g.plan_id
    WHERE plan.patient_id IN (SELECT id FROM patients) AND m.battery_id IS NOT NULL
      AND m.achieved_on >= %(start)s AND m.achieved_on < %(end)s
    GROUP BY 1, 2
)
{consumer}
"""

TEAM_PATIENTS = """
    SELECT p.id, p.team_id, p.primary_clinician_id AS clinician_id, p.status, plan.risk_stratum AS stratum
    FROM teams_patient p
    LEFT JOIN careplans_careplan plan ON plan.patient_id = p.id AND plan.status = 'active'
    WHERE p.team_id = ANY(%(teams)s)
"""

INTO_ROLLUPS = """
INSERT INTO adherence_weekrollup (
    week, team_id, clinician_id, status, stratum, exercise_logged, exercise_prescribed_days,
    sessions_attended, sessions_counted, milestones_on_time, milestones_due, reminders_completed,
    reminders_sent, milestones_screened, milestones_reached, refreshed_at
)
SELECT f.week, p.team_id, p.clinician_id, p.status, p.stratum, sum(f.logged), sum(f.prescribed),
       sum(f.attended), sum(f.counted), sum(f.on_time), sum(f.due), sum(f.completed), sum(f.sent),
       sum(f.screened), sum(f.reached), %(now)s
FROM figures f JOIN patients p ON p.id = f.patient_id
GROUP BY f.week, p.team_id, p.clinician_id, p.status, p.stratum
"""

BY_WEEK = """
SELECT f.week, sum(f.logged), sum(f.prescribed), sum(f.attended), sum(f.counted), sum(f.on_time), sum(f.due),
       sum(f.completed), sum(f.sent), sum(f.screened), sum(f.reached), NULL
FROM figures f GROUP BY f.week
"""

OUTCOMES_SQL = """
INSERT INTO adherence_outcomerollup (team_id, clinician_id, status, stratum, instrument, patients, reliable, important)
SELECT p.team_id, p.primary_clinician_id, p.status, plan.risk_stratum, pairs.instrument, count(*),
       count(*) FILTER (WHERE pairs.reliable), count(*) FILTER (WHERE pairs.important)
FROM ({pairs}) pairs
JOIN teams_patient p ON p.id = pairs.patient_id
LEFT JOIN careplans_careplan plan ON plan.patient_id = p.id AND plan.status = 'active'
GROUP BY 1, 2, 3, 4, 5
"""


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _recompute(cursor: Any, teams: list[int], start: date, end: date, today: date) -> None:
    """Replace the roll-ups of these teams for the weeks [start, end) (both Mondays)."""
    cursor.execute(
        "DELETE FROM adherence_weekrollup WHERE team_id = ANY(%s) AND week >= %s AND week < %s",
        [teams, start, end],
    )
    cursor.execute(
        FIGURES_SQL.format(patients=TEAM_PATIENTS, consumer=INTO_ROLLUPS),
        _window(start, end, today) | {"teams": teams, "now": timezone.now()},
    )


def _window(start: date, end: date, today: date) -> dict[str, Any]:
    return {
        "start": start,
        "end": end,
        "start_at": _local_midnight(start),
        "end_at": _local_midnight(end),
        "clip": today + timedelta(days=1),
        "zone": settings.TIME_ZONE,
        "follow_up": metrics.SCREENING_AFTER_MILESTONE_DAYS,
    }


def patient_weeks(patient_id: int, start: date, today: date) -> dict[date, "Figures"]:
    """One patient's figures for each week from ``start`` (a Monday) up to today, computed live (one
    query; no roll-up is kept per patient)."""
    sql = FIGURES_SQL.format(patients="SELECT %(patient)s::bigint AS id", consumer=BY_WEEK)
    with connection.cursor() as cursor:
        cursor.execute(sql, _window(start, today + timedelta(days=1), today) | {"patient": patient_id})
        return {row[0]: Figures.of(row[1:]) for row in cursor.fetchall()}


def _recompute_outcomes(cursor: Any, teams: list[int]) -> None:
    cursor.execute("DELETE FROM adherence_outcomerollup WHERE team_id = ANY(%s)", [teams])
    pairs = metrics.OUTCOME_PAIRS_SQL.format(
        patients="SELECT id FROM teams_patient WHERE team_id = ANY(%(teams)s)"
    )
    cursor.execute(OUTCOMES_SQL.format(pairs=pairs), metrics.outcome_pairs_params() | {"teams": teams})


@transaction.atomic
def refresh(*, today: date | None = None) -> bool:
    """Recompute what writes marked stale since the last refresh, and this week and last for every
    team. False when another refresh holds the lock (it will do the work)."""
    today = today or timezone.localdate()
    this_week = _monday(today)
    next_week = this_week + timedelta(weeks=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT max(id) FROM adherence_rollupstale")
        upto = cursor.fetchone()[0] or 0
        cursor.execute(
            "SELECT team_id, week, onwards FROM adherence_rollupstale WHERE id <= %s GROUP BY 1, 2, 3", [upto]
        )
        marks = cursor.fetchall()
        onwards: dict[int, date] = {}
        for team, week, everything_after in marks:
            if everything_after:
                onwards[team] = min(week or BEGINNING, onwards.get(team, next_week))
        single_weeks: dict[date, list[int]] = defaultdict(list)
        for team, week, everything_after in marks:
            if (
                not everything_after
                and week < this_week - timedelta(weeks=1)
                and week < onwards.get(team, next_week)
            ):
                single_weeks[week].append(team)
        for team, first in onwards.items():
            _recompute(cursor, [team], first, next_week, today)
        for week, teams in single_weeks.items():
            _recompute(cursor, teams, week, week + timedelta(weeks=1), today)
        cursor.execute("SELECT array_agg(id) FROM teams_team")
        every_team = cursor.fetchone()[0] or []
        _recompute(cursor, every_team, this_week - timedelta(weeks=1), next_week, today)
        marked_teams = sorted({team for team, _week, _onwards in marks})
        if marked_teams:
            _recompute_outcomes(cursor, marked_teams)
        cursor.execute("DELETE FROM adherence_rollupstale WHERE id <= %s", [upto])
    return True


def mark_everything() -> None:
    """Mark every team's roll-ups stale from the beginning (after a bulk load that bypassed triggers)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO adherence_rollupstale (team_id, week, onwards) SELECT id, NULL, true FROM teams_team"
        )


# --- Reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which roll-up rows a reader may sum: the teams (None for every team), and the filters."""

    teams: list[int] | None
    status: str = ""
    stratum: str = ""

    def where(self) -> tuple[str, dict[str, Any]]:
        clauses: list[str] = ["true"]
        params: dict[str, Any] = {}
        if self.teams is not None:
            clauses.append("r.team_id = ANY(%(teams)s)")
            params["teams"] = self.teams
        if self.status:
            clauses.append("r.status = %(status)s")
            params["status"] = self.status
        if self.stratum:
            clauses.append("r.stratum = %(stratum)s")
            params["stratum"] = self.stratum
        return " AND ".join(clauses), params


SUMS = """
    sum(r.exercise_logged), sum(r.exercise_prescribed_days),
    sum(r.sessions_attended), sum(r.sessions_counted),
    sum(r.milestones_on_time), sum(r.milestones_due), sum(r.reminders_completed), sum(r.reminders_sent),
    sum(r.milestones_screened), sum(r.milestones_reached), max(r.refreshed_at)
"""

# The window's totals overall and per breakdown (team, primary clinician, discipline, stratum) and,
# when asked, per week: one query, GROUPING SETS of those asked for ({columns}: GROUPING() of them, then
# each of them).
GROUPED_SQL = """
SELECT {columns}, {sums}
FROM adherence_weekrollup r
JOIN teams_team t ON t.id = r.team_id
JOIN teams_user u ON u.id = r.clinician_id
WHERE r.week >= %(start)s AND r.week < %(end)s AND {where}
GROUP BY GROUPING SETS ((){sets})
"""

WEEKLY_SQL = """
SELECT r.week, {sums}
FROM adherence_weekrollup r
WHERE r.week >= %(start)s AND r.week < %(end)s AND {where}
GROUP BY r.week
"""

OUTCOME_READ_SQL = """
SELECT r.instrument, sum(r.patients), sum(r.reliable), sum(r.important)
FROM adherence_outcomerollup r WHERE {where}
GROUP BY r.instrument ORDER BY r.instrument
"""


@dataclass(frozen=True)
class Figures:
    exercise: Rate
    attendance: Rate
    milestones: Rate
    checkins: Rate
    screening: Rate
    refreshed_at: datetime | None

    @classmethod
    def nothing(cls) -> "Figures":
        """Figures of a group or week with no rows: every rate has nothing to count."""
        return cls(EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, None)

    @classmethod
    def of(cls, sums: tuple) -> "Figures":
        logged, prescribed, attended, counted, on_time, due, completed, sent, screened, reached, refreshed = (
            sums
        )
        return cls(
            exercise=_rate(logged, Decimal(prescribed or 0) / 7),
            attendance=_rate(attended, counted),
            milestones=_rate(on_time, due),
            checkins=_rate(completed, sent),
            screening=_rate(screened, reached),
            refreshed_at=refreshed,
        )


def _rate(numerator: Any, denominator: Any) -> Rate:
    return Rate(Decimal(numerator or 0), Decimal(denominator or 0))


# Each breakdown's column in GROUPED_SQL, and the weeks'.
_COLUMNS = {
    "team": "t.name",
    "clinician": "u.username",
    "discipline": "u.discipline",
    "stratum": "r.stratum",
    "week": "r.week",
}
EVERY_BREAKDOWN = ("team", "clinician", "discipline", "stratum")


def grouped(
    scope: Scope, start: date, end: date, by: tuple[str, ...] = EVERY_BREAKDOWN, *, weeks: bool = False
) -> dict[str | None, dict[Any, Figures]]:
    """The window's figures overall (under None, key None) and per breakdown in ``by`` (under "team"
    and so on, keyed as ``metrics.BREAKDOWNS`` keys its groups); with ``weeks``, each week's too (under
    "week", keyed by its Monday). One query: the breakdowns a page does not show are not summed."""
    where, params = scope.where()
    wanted = [*by, *(["week"] if weeks else [])]
    columns = [_COLUMNS[key] for key in wanted]
    # GROUPING(...) is a bit mask of the columns *not* grouped by, the first column the highest bit.
    every = (1 << len(wanted)) - 1
    masks: dict[int, str | None] = {every: None}
    for n, key in enumerate(wanted):
        masks[every ^ (1 << (len(wanted) - 1 - n))] = key
    sql = GROUPED_SQL.format(
        columns=", ".join([f"GROUPING({', '.join(columns)})" if columns else "0", *columns]),
        sums=SUMS,
        where=where,
        sets="".join(f", ({column})" for column in columns),
    )
    result: dict[str | None, dict[Any, Figures]] = {key: {} for key in masks.values()}
    with connection.cursor() as cursor:
        cursor.execute(sql, params | {"start": start, "end": end})
        for row in cursor.fetchall():
            grouped_by = masks[row[0]]
            group = None if grouped_by is None else row[1 + wanted.index(grouped_by)]
            result[grouped_by][group] = Figures.of(row[1 + len(wanted) :])
    return result


def weekly(scope: Scope, start: date, end: date) -> dict[date, Figures]:
    where, params = scope.where()
    with connection.cursor() as cursor:
        cursor.execute(WEEKLY_SQL.format(sums=SUMS, where=where), params | {"start": start, "end": end})
        return {row[0]: Figures.of(row[1:]) for row in cursor.fetchall()}


def outcomes(scope: Scope) -> list[metrics.OutcomeChange]:
    where, params = scope.where()
    with connection.cursor() as cursor:
        cursor.execute(OUTCOME_READ_SQL.format(where=where), params)
        return metrics.outcome_rows(cursor.fetchall())
