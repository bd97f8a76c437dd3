"""The database's floor under each aggregate page: the same aggregates as one hand-written query.

Page time over bare-SQL time is the overhead of our code (its query count, the ORM, the rendering)
over what PostgreSQL needs anyway. The dashboards read the weekly roll-ups, so their floor is one
query over the roll-ups; the same figures aggregated from the raw rows are timed too
(``live_floors``), to show what the roll-ups save.
"""

import statistics
import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from conferences.agenda import agenda_window

from .pages import Cast

# Each query hands every aggregate back (as JSON), as the page needs them: a floor that discarded
# them would let PostgreSQL skip work the page cannot.

# The dashboard from the roll-ups: every figure overall and per team, clinician, discipline, stratum and
# week of the window, and the outcome counts per instrument.
DASHBOARD = """
WITH figures AS (
    SELECT GROUPING(t.name, u.username, u.discipline, r.stratum, r.week) AS grouping,
           sum(r.exercise_logged), sum(r.exercise_prescribed_days), sum(r.sessions_attended), sum(r.sessions_counted),
           sum(r.milestones_on_time), sum(r.milestones_due), sum(r.reminders_completed), sum(r.reminders_sent),
           sum(r.milestones_screened), sum(r.milestones_reached)
    FROM adherence_weekrollup r JOIN teams_team t ON t.id = r.team_id JOIN teams_user u ON u.id = r.clinician_id
    WHERE r.week >= %(start)s AND r.week < %(end)s AND {patients}
    GROUP BY GROUPING SETS ((), (t.name), (u.username), (u.discipline), (r.stratum), (r.week))
),
outcomes AS (
    SELECT r.instrument, sum(r.patients), sum(r.reliable), sum(r.important)
    FROM adherence_outcomerollup r WHERE {patients} GROUP BY r.instrument
)
SELECT (SELECT json_agg(figures) FROM figures), (SELECT json_agg(outcomes) FROM outcomes)
"""

# The same figures aggregated live from the raw rows (what the dashboard did before the roll-ups).
LIVE_DASHBOARD = """
WITH patients AS (
    SELECT p.id, p.team_id, p.primary_clinician_id AS clinician, u.discipline, plan.risk_stratum AS stratum
    FROM teams_patient p
    JOIN teams_user u ON u.id = p.primary_clinician_id
    LEFT JOIN careplans_careplan plan ON plan.patient_id = p.id AND plan.status = 'active'
    WHERE {live}
),
logged AS (
    SELECT p.team_id, p.clinician, p.discipline, p.stratum, date_trunc('week', l.logged_for) AS week,
           count(*) FILTER (WHERE l.done = 'done') + 0.5 * count(*) FILTER (WHERE l.done = 'partly') AS done
    FROM checkins_exerciselog l JOIN patients p ON p.id = l.patient_id
    WHERE l.logged_for >= %(start)s AND l.logged_for < %(end)s
    GROUP BY GROUPING SETS ((), (p.team_id), (p.clinician), (p.discipline), (p.stratum), (week))
),
prescribed AS (
    SELECT p.team_id, p.clinician, p.discipline, p.stratum,
           sum(e.sessions_per_week * GREATEST(0, %(end)s::date - GREATEST(%(start)s::date, plan.start_date)) / 7.0)
    FROM careplans_exercise e
    JOIN careplans_careplan plan ON plan.id = e.plan_id AND plan.status = 'active'
    JOIN patients p ON p.id = plan.patient_id
    GROUP BY GROUPING SETS ((), (p.team_id), (p.clinician), (p.discipline), (p.stratum))
),
attendance AS (
    SELECT p.team_id, p.clinician, p.discipline, p.stratum, date_trunc('week', s.starts_at) AS week,
           count(*) FILTER (WHERE s.status = 'attended') AS attended,
           count(*) FILTER (WHERE s.status IN ('attended', 'missed', 'cancelled_patient')) AS counted
    FROM adherence_session s JOIN patients p ON p.id = s.patient_id
    WHERE s.starts_at >= %(start)s AND s.starts_at < %(end)s
    GROUP BY GROUPING SETS ((), (p.team_id), (p.clinician), (p.discipline), (p.stratum), (week))
),
milestones AS (
    SELECT p.team_id, count(*) FILTER (WHERE m.achieved_on <= m.due_date) AS on_time, count(*) AS due
    FROM careplans_milestone m JOIN careplans_goal g ON g.id = m.goal_id
    JOIN careplans_careplan plan ON plan.id = g.plan_id JOIN patients p ON p.id = plan.patient_id
    WHERE m.due_date >= %(start)s AND m.due_date < %(end)s
    GROUP BY GROUPING SETS ((), (p.team_id))
)
SELECT (SELECT json_agg(logged) FROM logged), (SELECT json_agg(prescribed) FROM prescribed), (SELECT json_agg(attendance) FROM attendance),
       (SELECT json_agg(milestones) FROM milestones)
"""

# The agenda's reasons for one team: exercise completion and attendance per patient over the two weeks
# before this one, open urgent alerts, each screening since the last conference beside the previous
# result of its instrument, overdue milestones, and each patient's last check-in.
AGENDA = """
WITH patients AS (SELECT id FROM teams_patient WHERE team_id = %(team)s AND status = 'active'),
logged AS (
    SELECT l.patient_id, count(*) FILTER (WHERE l.done = 'done') + 0.5 * count(*) FILTER (WHERE l.done = 'partly')
    FROM checkins_exerciselog l WHERE l.patient_id IN (SELECT id FROM patients)
      AND l.logged_for >= %(start)s AND l.logged_for < %(end)s
    GROUP BY l.patient_id
),
attendance AS (
    SELECT s.patient_id, count(*) FILTER (WHERE s.status = 'attended'), count(*)
    FROM adherence_session s WHERE s.patient_id IN (SELECT id FROM patients)
      AND s.starts_at >= %(start)s AND s.starts_at < %(end)s
    GROUP BY s.patient_id
),
alerts AS (
    SELECT a.patient_id FROM screening_alert a WHERE a.patient_id IN (SELECT id FROM patients) AND a.status <> 'closed'
),
screenings AS (
    SELECT s.patient_id, s.instrument, s.total, s.flags, previous.total AS previous_total, previous.flags AS previous_flags
    FROM screening_screening s
    LEFT JOIN LATERAL (
        SELECT p.total, p.flags FROM screening_screening p
        WHERE p.patient_id = s.patient_id AND p.instrument = s.instrument AND p.administered_at < s.administered_at
          AND NOT EXISTS (SELECT 1 FROM screening_screening a WHERE a.amends_id = p.id)
        ORDER BY p.administered_at DESC, p.id DESC LIMIT 1
    ) previous ON true
    WHERE s.patient_id IN (SELECT id FROM patients) AND s.administered_at >= %(since)s AND s.administered_at < %(until)s
      AND NOT EXISTS (SELECT 1 FROM screening_screening a WHERE a.amends_id = s.id)
),
milestones AS (
    SELECT plan.patient_id, m.description, m.due_date
    FROM careplans_milestone m JOIN careplans_goal g ON g.id = m.goal_id
    JOIN careplans_careplan plan ON plan.id = g.plan_id AND plan.status = 'active'
    WHERE plan.patient_id IN (SELECT id FROM patients) AND m.achieved_on IS NULL AND m.due_date < %(end)s
),
checkins AS (
    SELECT c.patient_id, max(c.submitted_at) FROM checkins_checkin c
    WHERE c.patient_id IN (SELECT id FROM patients) GROUP BY c.patient_id
)
SELECT (SELECT json_agg(logged) FROM logged), (SELECT json_agg(attendance) FROM attendance), (SELECT json_agg(alerts) FROM alerts),
       (SELECT json_agg(screenings) FROM screenings), (SELECT json_agg(milestones) FROM milestones),
       (SELECT json_agg(checkins) FROM checkins)
"""


def _time(sql: str, params: dict, rounds: int) -> float:
    times = []
    with connection.cursor() as cursor:
        for _ in range(rounds + 1):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[1:])


def floors(cast: Cast, *, rounds: int = 3) -> dict[str, float]:
    """Bare-SQL milliseconds (median), keyed by the page they underlie."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    window = agenda_window(cast.conference)
    agenda = {
        "team": cast.team.pk,
        "start": monday - timedelta(days=14),
        "end": monday,
        "since": window.since,
        "until": window.until,
    }
    every_team = DASHBOARD.format(patients="true")  # noqa: S608 - a fixed fragment; values are parameters
    one_team = DASHBOARD.format(patients="r.team_id = %(team)s")  # noqa: S608 - likewise
    return {
        "clinic dashboard (all teams, 12 weeks)": _time(every_team, _dashboard_window(), rounds),
        "team dashboard": _time(one_team, _dashboard_window() | {"team": cast.team.pk}, rounds),
        "conference agenda (one team)": _time(AGENDA, agenda, rounds),
    }


def _dashboard_window() -> dict:
    this_week = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    return {"start": this_week - timedelta(weeks=11), "end": this_week + timedelta(weeks=1)}


def live_floors(cast: Cast, *, rounds: int = 3) -> dict[str, float]:
    """Milliseconds to aggregate the dashboards' figures from the raw rows, without the roll-ups."""
    window = _dashboard_window()
    every_team = LIVE_DASHBOARD.format(live="true")  # noqa: S608 - a fixed fragment; values are parameters
    one_team = LIVE_DASHBOARD.format(live="p.team_id = %(team)s")  # noqa: S608 - likewise
    return {
        "clinic dashboard (all teams, 12 weeks)": _time(every_team, window, rounds),
        "team dashboard": _time(one_team, window | {"team": cast.team.pk}, rounds),
    }
