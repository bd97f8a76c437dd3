"""Adherence's reasons for a case-conference agenda (``conferences.agenda`` calls them): exercise
completion and attendance under the team's thresholds, by the definitions of ``adherence.metrics``.

Both are measured over the team's whole weeks (14 days by default) before the current week: home
exercise is logged a week at a time, so a week still under way would read as exercise not done.

A team has thousands of patients and the agenda wants the few under a threshold: each reason is one
statement that hands back only the patients at or under it, with the figures behind each rate, and the
threshold is then checked exactly on those few rows (``_under``), as ``Rate`` compares. The figures
are the metrics' own per patient (``metrics.exercise_completion_by`` and ``attendance_by`` with
``PATIENT``; tests/adherence/test_agenda_rates.py holds the two to the same answers).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import dateformat

from teams.models import Patient

from .metrics import Rate, between
from .models import Session
from .selectors import week_of

# Below these a patient comes up at the case conference, unless the team sets its own thresholds.
DEFAULT_EXERCISE_BELOW = 60  # % of prescribed home-exercise sessions done
DEFAULT_ATTENDANCE_BELOW = 70  # % of booked sessions attended
DEFAULT_ADHERENCE_DAYS = 14  # measured over these days: whole weeks before the current one


def _weeks(as_of_day: date, days: int) -> tuple[date, date]:
    """[start, end): the team's number of days, ending on the Monday of the week the agenda is made in."""
    end = week_of(as_of_day)
    return end - timedelta(days=days), end


def _under(rates: dict[int, Rate], threshold: int) -> list[tuple[int, Rate]]:
    return sorted(
        (patient_id, rate)
        for patient_id, rate in rates.items()
        if rate.value is not None and rate.value * 100 < Decimal(threshold)
    )


def _span(start: date, end: date) -> str:
    """The weeks measured, as the product writes a day without its year: "9 Nov–22 Nov"."""
    return f"{dateformat.format(start, 'j M')}–{dateformat.format(end - timedelta(days=1), 'j M')}"


def _low(
    weeks: tuple[date, date], rates: dict[int, Rate], threshold: int, what: str, unit: str
) -> list[tuple[int, str]]:
    """Patients whose rate over the team's weeks is under ``threshold`` percent, with the numbers."""
    span = _span(*weeks)
    return [
        (
            patient_id,
            f"{rate.percent} of {what} {span} "
            # Whole sessions, as a clinician counts them: prescribed sessions are prorated by the days a
            # plan ran, and half a session is a "partly" (both rounded half up).
            f"({rate.whole_numerator} of {rate.whole_denominator}{unit}; under {threshold}%)",
        )
        for patient_id, rate in _under(rates, threshold)
    ]


# Patient by patient (LATERAL, each part from the patient's own index entries): the active plan's
# prescription as sessions a week × days it ran in the window (÷ 7 in Python, as the metric does), the
# check-in ticks ("partly" counting half) and the clinician's week logs. Kept: a prescription, and done
# at most ``below`` percent of it, in whole numbers (2 × logged × 7 × 100 ≤ 2 × below × days).
EXERCISE_AT_MOST_SQL = """
SELECT p.id, x.days, coalesce(l.done, 0), coalesce(l.partly, 0), coalesce(w.sessions, 0)
FROM ({patients}) p
JOIN LATERAL (
    SELECT sum(e.sessions_per_week * GREATEST(%s::date - GREATEST(%s::date, plan.start_date), 0))
           AS days
    FROM careplans_careplan plan JOIN careplans_exercise e ON e.plan_id = plan.id
    WHERE plan.patient_id = p.id AND plan.status = 'active'
) x ON x.days > 0
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE l.done = 'done') AS done,
           count(*) FILTER (WHERE l.done = 'partly') AS partly
    FROM checkins_exerciselog l
    WHERE l.patient_id = p.id AND l.logged_for >= %s AND l.logged_for < %s
) l
CROSS JOIN LATERAL (
    SELECT sum(w.sessions_done) AS sessions FROM adherence_exerciseweeklog w
    WHERE w.patient_id = p.id AND w.week_starting >= %s AND w.week_starting < %s
) w
WHERE (2 * l.done + l.partly + 2 * coalesce(w.sessions, 0)) * 700 <= 2 * %s * x.days
ORDER BY p.id
"""


def exercise_at_most(patients: QuerySet[Patient], start: date, end: date, below: int) -> dict[int, Rate]:
    """Exercise completion over [start, end) of the patients whose rate is at most ``below`` percent."""
    patient_sql, patient_params = patients.order_by().values("id").query.sql_with_params()
    # In the statement's order: the patients, the prescription's window, the logs' and the week logs'.
    params = [*patient_params, end, start, start, end, start, end, below]
    with connection.cursor() as cursor:
        cursor.execute(EXERCISE_AT_MOST_SQL.format(patients=patient_sql), params)
        rows = cursor.fetchall()
    return {
        patient_id: Rate(Decimal(done) + Decimal(partly) / 2 + Decimal(sessions), Decimal(days) / 7)
        for patient_id, days, done, partly, sessions in rows
    }


# Likewise patient by patient: the sessions that started in the window, attended over counted (attended,
# missed, cancelled by the patient). Kept: something counted, and attended at most ``below`` percent.
ATTENDANCE_AT_MOST_SQL = """
SELECT p.id, s.attended, s.counted
FROM ({patients}) p
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE s.status = %s) AS attended,
           count(*) FILTER (WHERE s.status = ANY(%s)) AS counted
    FROM adherence_session s
    WHERE s.patient_id = p.id AND s.starts_at >= %s AND s.starts_at < %s
) s
WHERE s.counted > 0 AND s.attended * 100 <= %s * s.counted
ORDER BY p.id
"""


def attendance_at_most(patients: QuerySet[Patient], start: date, end: date, below: int) -> dict[int, Rate]:
    """Attendance over [start, end) of the patients whose rate is at most ``below`` percent."""
    patient_sql, patient_params = patients.order_by().values("id").query.sql_with_params()
    window = between("starts_at", start, end)
    counted = [Session.Status.ATTENDED, Session.Status.MISSED, Session.Status.CANCELLED_BY_PATIENT]
    params = [*patient_params, Session.Status.ATTENDED, counted]
    params += [window["starts_at__gte"], window["starts_at__lt"], below]
    with connection.cursor() as cursor:
        cursor.execute(ATTENDANCE_AT_MOST_SQL.format(patients=patient_sql), params)
        rows = cursor.fetchall()
    return {patient_id: Rate(Decimal(attended), Decimal(total)) for patient_id, attended, total in rows}


def exercise_low(
    patients: QuerySet[Patient], *, as_of_day: date, days: int, below: int
) -> list[tuple[int, str]]:
    weeks = _weeks(as_of_day, days)
    rates = exercise_at_most(patients, *weeks, below)
    return _low(weeks, rates, below, "prescribed home exercise done", " sessions")


def attendance_low(
    patients: QuerySet[Patient], *, as_of_day: date, days: int, below: int
) -> list[tuple[int, str]]:
    weeks = _weeks(as_of_day, days)
    return _low(weeks, attendance_at_most(patients, *weeks, below), below, "sessions attended", "")
