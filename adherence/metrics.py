"""The adherence and outcome metrics, defined once and computed in PostgreSQL.

Every metric is a ``Rate``: a numerator over a denominator for a set of patients and a
window of dates [start, end). A rate with nothing to count (denominator 0) has no
value and is shown as "—", never as 0%.

- exercise completion = logged / prescribed exercise sessions in the window.
  Logged: each check-in tick counts 1 for "done" and ½ for "partly"; a clinician's
  week log counts its sessions. Prescribed: each exercise of an active plan counts
  its sessions per week × the days of the window the plan was running ÷ 7.
- attendance = attended / (attended + missed + cancelled by patient) sessions that
  started in the window (sessions the clinic cancelled do not count against the patient).
- milestone progress = milestones achieved on or before their due date / milestones
  due in the window (due dates up to today).
- check-in response = check-ins completed / reminders sent in the window.
- screening completion at milestones = reached milestones that call for a battery
  with a milestone screening within 14 days / such milestones reached in the window.
- outcome change, per instrument = patients whose latest result shows reliable
  improvement over their intake result / patients with both (and the same for a
  clinically important improvement), using each instrument's published thresholds.
- time from flag to plan change, per team = the median, in days, from a review's opening (the
  flag) to its resolution as "plan updated", over the reviews so resolved in the window.
- reviews resolved in time, per team = reviews resolved (in any way) on or before their due day
  / reviews whose due day fell in the window and has passed (today's is not over yet).
- attendance per modality (in person, video, phone, group) = attended / (attended + missed + cancelled
  by patient) over the sessions of that modality that started in the window; per joint vs single
  likewise, a session being joint when two or more clinicians are credited with it. A joint session is
  one session of its patient, counted once however many clinicians hold it.
- exercise completion per modality (the dashboard's "adherence" by modality) = exercise completion, as
  above, of the patients who had a session of that modality counted in attendance in the window (a
  patient seen by video and by phone counts in both rows); joint vs single likewise.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careplans.models import CarePlan, Exercise, Milestone
from checkins.models import ExerciseLog, Reminder
from screening.instruments import INSTRUMENTS
from screening.models import Screening, Timepoint
from teams.models import Patient

from .models import ExerciseWeekLog, Session

SCREENING_AFTER_MILESTONE_DAYS = 14


@dataclass(frozen=True)
class Rate:
    numerator: Decimal
    denominator: Decimal

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)

    @property
    def whole_percent(self) -> int | None:
        """For charts: the rate as a whole percentage, None when there is nothing to count."""
        value = self.value
        return None if value is None else round(value * 100)

    @property
    def whole_numerator(self) -> int:
        """The numerator in whole units, for "3 of 4": half a session (a "partly") rounds up."""
        return whole(self.numerator)

    @property
    def whole_denominator(self) -> int:
        """The denominator in whole units: planned exercise sessions are prorated by the days a plan
        ran (3 a week over 10 days is 4.29), and a clinician counts those as the nearest whole session."""
        return whole(self.denominator)

    @property
    def percent(self) -> str:
        value = self.value
        return "—" if value is None else f"{round(value * 100)}%"

    def __str__(self) -> str:
        return self.percent


def whole(number: Decimal | int) -> int:
    """The nearest whole number, a half rounded up (as people count, not Python's half-to-even)."""
    return int(Decimal(number).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def between(field: str, start: date, end: date) -> dict[str, datetime]:
    """A date-time field within the local days [start, end), as a range an index can serve (rather
    than the field's date, which PostgreSQL must compute for every row)."""
    return {
        f"{field}__gte": timezone.make_aware(datetime.combine(start, time.min)),
        f"{field}__lt": timezone.make_aware(datetime.combine(end, time.min)),
    }


def _rate(numerator, denominator) -> Rate:
    return Rate(Decimal(numerator or 0), Decimal(denominator or 0))


EMPTY = Rate(Decimal(0), Decimal(0))


def exercise_completion(patients: QuerySet[Patient], start: date, end: date) -> Rate:
    return exercise_completion_by(patients, start, end, None).get(None, EMPTY)


def attendance(patients: QuerySet[Patient], start: date, end: date) -> Rate:
    return attendance_by(patients, start, end, None).get(None, EMPTY)


def milestone_progress(patients: QuerySet[Patient], start: date, end: date, today: date) -> Rate:
    return milestone_progress_by(patients, start, end, today, None).get(None, EMPTY)


def checkin_response(patients: QuerySet[Patient], start: date, end: date) -> Rate:
    return checkin_response_by(patients, start, end, None).get(None, EMPTY)


def screening_at_milestones(patients: QuerySet[Patient], start: date, end: date) -> Rate:
    reached = Milestone.objects.filter(
        goal__plan__patient__in=patients,
        battery__isnull=False,
        achieved_on__gte=start,
        achieved_on__lt=end,
    )
    screened = Screening.objects.filter(
        patient_id=OuterRef("goal__plan__patient_id"),
        timepoint=Timepoint.MILESTONE,
        administered_at__date__gte=OuterRef("achieved_on"),
        administered_at__date__lte=OuterRef("achieved_on") + timedelta(days=SCREENING_AFTER_MILESTONE_DAYS),
    )
    totals = reached.aggregate(followed=Count("id", filter=Exists(screened)), reached=Count("id"))
    return _rate(totals["followed"], totals["reached"])


@dataclass(frozen=True)
class OutcomeChange:
    instrument: str
    patients: int
    reliable_improvement: Rate
    clinically_important_improvement: Rate


# Each patient's outcome pair per instrument with published thresholds: whether their latest result
# improved on their intake result by the reliable-change and the clinically important amounts. The MCID is
# the one for the patient's baseline (their intake total) where the instrument gives MCIDs by baseline
# (``ChangeThresholds.mcid_for``: the first range that holds it, else the overall MCID).
OUTCOME_PAIRS_SQL = """
WITH results AS (
    SELECT s.patient_id, s.instrument, s.timepoint, s.total, s.administered_at,
           ROW_NUMBER() OVER (
               PARTITION BY s.patient_id, s.instrument ORDER BY s.administered_at DESC, s.id DESC
           ) AS newest
    FROM screening_screening s
    WHERE s.patient_id IN ({patients})
      AND NOT EXISTS (SELECT 1 FROM screening_screening a WHERE a.amends_id = s.id)
),
intake AS (
    SELECT DISTINCT ON (patient_id, instrument) patient_id, instrument, total, administered_at
    FROM results WHERE timepoint = 'intake'
    ORDER BY patient_id, instrument, administered_at, total
),
latest AS (SELECT patient_id, instrument, total, administered_at FROM results WHERE newest = 1),
pairs AS (
    SELECT i.patient_id, i.instrument, i.total AS baseline,
           (l.total - i.total) * (CASE WHEN i.instrument = ANY(%(better)s) THEN 1 ELSE -1 END) AS gain
    FROM intake i JOIN latest l USING (patient_id, instrument)
    WHERE l.administered_at > i.administered_at
)
SELECT p.patient_id, p.instrument, p.gain >= t.rc AS reliable,
       p.gain >= COALESCE(
           (SELECT b.mcid
            FROM UNNEST(%(baseline_codes)s::text[], %(baseline_lows)s::int[], %(baseline_highs)s::int[],
                        %(baseline_mcids)s::numeric[]) WITH ORDINALITY AS b(code, low, high, mcid, n)
            WHERE b.code = p.instrument AND (b.low IS NULL OR p.baseline >= b.low)
              AND (b.high IS NULL OR p.baseline <= b.high)
            ORDER BY b.n LIMIT 1),
           t.mcid) AS important
FROM pairs p
JOIN UNNEST(%(codes)s::text[], %(rcs)s::numeric[], %(mcids)s::numeric[]) AS t(code, rc, mcid)
  ON t.code = p.instrument
"""


def outcome_pairs_params() -> dict[str, Any]:
    with_thresholds = [i for i in INSTRUMENTS.values() if i.thresholds is not None]
    return {
        "better": [i.code for i in INSTRUMENTS.values() if i.higher_is_better],
        "codes": [i.code for i in with_thresholds],
        "rcs": [i.thresholds.rc for i in with_thresholds if i.thresholds],
        "mcids": [i.thresholds.mcid for i in with_thresholds if i.thresholds],
        **_baseline_mcid_params(with_thresholds),
    }


def _baseline_mcid_params(instruments: list[Any]) -> dict[str, list[Any]]:
    """The MCIDs by baseline as four parallel arrays (instrument, low, high, MCID), in each instrument's
    order, for ``OUTCOME_PAIRS_SQL``."""
    rules = [(i.code, rule) for i in instruments if i.thresholds for rule in i.thresholds.mcid_by_baseline]
    return {
        "baseline_codes": [code for code, _ in rules],
        "baseline_lows": [rule.low for _, rule in rules],
        "baseline_highs": [rule.high for _, rule in rules],
        "baseline_mcids": [rule.mcid for _, rule in rules],
    }


def outcome_change(patients: QuerySet[Patient]) -> list[OutcomeChange]:
    """Per instrument with published thresholds: who improved reliably between intake and latest."""
    pairs = OUTCOME_PAIRS_SQL.format(patients="SELECT unnest(%(patients)s::bigint[])")
    sql = f"""
        SELECT instrument, count(*), count(*) FILTER (WHERE reliable), count(*) FILTER (WHERE important)
        FROM ({pairs}) pairs GROUP BY instrument ORDER BY instrument
    """  # noqa: S608 - fixed fragments; values are parameters
    params = outcome_pairs_params() | {"patients": list(patients.values_list("id", flat=True))}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return outcome_rows(rows)


def outcome_rows(rows: list[tuple[str, int, int, int]]) -> list[OutcomeChange]:
    return [
        OutcomeChange(code, total, _rate(reliable, total), _rate(important, total))
        for code, total, reliable, important in rows
    ]


# --- Each metric, overall (by=None) or broken down --------------------------------------------------

BREAKDOWNS = {
    "team": ("team__name", _("Team")),
    "clinician": ("primary_clinician__username", _("Primary clinician")),
    "discipline": ("primary_clinician__discipline", _("Discipline")),
    "stratum": ("stratum", _("Risk stratum")),
}


def _with_stratum(rows: QuerySet, patient_path: str) -> QuerySet:
    """Each row's patient's risk stratum (of their active plan, NULL without one), as ``group``: a LEFT
    JOIN on the active plan (one at most, by constraint) rather than a subquery run for every row."""
    plans = f"{patient_path}__care_plans"
    active = FilteredRelation(plans, condition=Q(**{f"{plans}__status": CarePlan.Status.ACTIVE}))
    return rows.annotate(active_plan=active).annotate(group=F("active_plan__risk_stratum"))


# Grouping by patient (keyed by patient id), for lists of patients such as a conference agenda.
PATIENT = "patient"


def _grouped(rows: QuerySet, patient_path: str, by: str | None, **aggregates) -> dict[Any, dict[str, Any]]:
    """Aggregate rows per patient, per group of their patient (team, clinician, discipline or
    stratum), or all together under the key None: one query either way. (Weekly figures come from
    ``rollups``, by the same definitions.)"""
    if by is None:
        return {None: rows.aggregate(**aggregates)}
    if by == PATIENT:
        rows = rows.annotate(group=F(patient_path))
    elif by == "stratum":
        rows = _with_stratum(rows, patient_path)
    else:
        rows = rows.annotate(group=F(f"{patient_path}__{BREAKDOWNS[by][0]}"))
    grouped = rows.values("group").annotate(**aggregates).order_by("group")
    return {row["group"]: row for row in grouped}


def attendance_by(patients: QuerySet[Patient], start: date, end: date, by: str | None) -> dict[Any, Rate]:
    rows = _grouped(
        Session.objects.filter(patient__in=patients, **between("starts_at", start, end)),
        "patient",
        by,
        attended=Count("patient", filter=Q(status=Session.Status.ATTENDED)),
        counted=Count("patient", filter=Q(status__in=["attended", "missed", "cancelled_patient"])),
    )
    return {group: _rate(row["attended"], row["counted"]) for group, row in rows.items()}


def checkin_response_by(
    patients: QuerySet[Patient], start: date, end: date, by: str | None
) -> dict[Any, Rate]:
    rows = _grouped(
        Reminder.objects.filter(patient__in=patients, **between("sent_at", start, end)),
        "patient",
        by,
        completed=Count("id", filter=Q(status=Reminder.Status.COMPLETED)),
        sent=Count("id"),
    )
    return {group: _rate(row["completed"], row["sent"]) for group, row in rows.items()}


def milestone_progress_by(
    patients: QuerySet[Patient], start: date, end: date, today: date, by: str | None
) -> dict[Any, Rate]:
    rows = _grouped(
        Milestone.objects.filter(
            goal__plan__patient__in=patients,
            due_date__gte=start,
            due_date__lt=min(end, today + timedelta(days=1)),
        ),
        "goal__plan__patient",
        by,
        on_time=Count("id", filter=Q(achieved_on__isnull=False, achieved_on__lte=F("due_date"))),
        due=Count("id"),
    )
    return {group: _rate(row["on_time"], row["due"]) for group, row in rows.items()}


def exercise_completion_by(
    patients: QuerySet[Patient], start: date, end: date, by: str | None
) -> dict[Any, Rate]:
    ticks = _grouped(
        ExerciseLog.objects.filter(patient__in=patients, logged_for__gte=start, logged_for__lt=end),
        "patient",
        by,
        # Counting patient (never NULL), not id: the (patient, day) index covering "done" answers alone.
        ticked_done=Count("patient", filter=Q(done=ExerciseLog.Done.DONE)),
        ticked_partly=Count("patient", filter=Q(done=ExerciseLog.Done.PARTLY)),
    )
    week_logs = _grouped(
        ExerciseWeekLog.objects.filter(patient__in=patients, week_starting__gte=start, week_starting__lt=end),
        "patient",
        by,
        total=Sum("sessions_done"),
    )
    days_running = Greatest(Value(end) - Greatest(Value(start), F("plan__start_date")), Value(timedelta(0)))
    prescribed = _grouped(
        Exercise.objects.filter(plan__patient__in=patients, plan__status=CarePlan.Status.ACTIVE).annotate(
            days=days_running
        ),
        "plan__patient",
        by,
        total=Sum(ExpressionWrapper(F("sessions_per_week") * F("days"), output_field=DurationField())),
    )
    result = {}
    for group in set(ticks) | set(week_logs) | set(prescribed):
        tick = ticks.get(group, {"ticked_done": 0, "ticked_partly": 0})
        logged = (
            Decimal(tick["ticked_done"])
            + Decimal(tick["ticked_partly"]) / 2
            + Decimal(week_logs.get(group, {}).get("total") or 0)
        )
        total = prescribed.get(group, {}).get("total")
        result[group] = _rate(logged, Decimal(total.total_seconds()) / 86400 / 7 if total else 0)
    return result


# --- Reviews: from a flag to owned work (issue 19) ---------------------------------------------------


@dataclass(frozen=True)
class ReviewTimeliness:
    """One team's (or, with ``team`` None, every team's) reviews over a window."""

    team: str | None
    median_days: Decimal | None  # None: no review was resolved as plan updated in the window
    plan_changes: int
    in_time: Rate  # resolved by their due day / due in the window


# Both figures in one pass over the reviews of the patients given, per team and for all of them
# (GROUPING SETS), PostgreSQL doing the median (percentile_cont) and the counts (FILTER). The due day is
# a clinic's day: a resolution counts as in time when it falls on or before it in the clinic's zone.
REVIEW_TIMELINESS_SQL = """
SELECT t.name,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM r.resolved_at - r.opened_at) / 86400
       ) FILTER (WHERE {changed}) AS median_days,
       count(*) FILTER (WHERE {changed}) AS plan_changes,
       count(*) FILTER (WHERE {due}) AS due,
       count(*) FILTER (
           WHERE {due} AND r.state = 'resolved' AND (r.resolved_at AT TIME ZONE %s)::date <= r.due_on
       ) AS in_time,
       GROUPING(t.id) AS overall
FROM routing_review r
JOIN teams_patient p ON p.id = r.patient_id
JOIN teams_team t ON t.id = p.team_id
WHERE r.patient_id IN ({patients}) AND (({changed}) OR ({due}))
GROUP BY GROUPING SETS ((t.id, t.name), ())
ORDER BY overall DESC, t.name
"""
_CHANGED = "r.resolution = 'plan_updated' AND r.resolved_at >= %s AND r.resolved_at < %s"
_DUE = "r.due_on >= %s AND r.due_on < %s"


def review_timeliness(
    patients: QuerySet[Patient], start: date, end: date, today: date
) -> tuple[ReviewTimeliness, list[ReviewTimeliness]]:
    """All the patients' reviews over the local days [start, end), then each team's: one query."""
    window = between("t", start, end)
    changed = [window["t__gte"], window["t__lt"]]
    due = [start, max(start, min(end, today))]
    patient_sql, patient_params = patients.values("id").query.sql_with_params()
    sql = REVIEW_TIMELINESS_SQL.format(changed=_CHANGED, due=_DUE, patients=patient_sql)
    params = [
        *changed,  # the median
        *changed,  # plan changes
        *due,  # due
        *due,  # in time
        timezone.get_current_timezone_name(),
        *patient_params,
        *changed,
        *due,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = [
        ReviewTimeliness(
            team=None if overall else name,
            median_days=None if median is None else Decimal(str(median)),
            plan_changes=plan_changes,
            in_time=_rate(in_time, due_count),
        )
        for name, median, plan_changes, due_count, in_time, overall in rows
    ]
    overall_row = next((row for row in found if row.team is None), None)
    return (
        overall_row or ReviewTimeliness(team=None, median_days=None, plan_changes=0, in_time=EMPTY),
        [row for row in found if row.team is not None],
    )


# --- sessions (issue 20) ---------------------------------------------------------------------------

COUNTED_STATUSES = [Session.Status.ATTENDED, Session.Status.MISSED, Session.Status.CANCELLED_BY_PATIENT]


@dataclass(frozen=True)
class SessionKindFigures:
    """Attendance and exercise completion for one kind of session: a modality, or joint / single."""

    attendance: Rate
    exercise: Rate
    patients: int


# Attendance by modality and by joint vs single, and the exercise completion of the patients seen in
# each way, in one statement (GROUPING SETS; PostgreSQL sums each patient's exercise once, and only
# the few rows per kind come back). A session is joint when someone besides its lead is credited with
# it (a subquery, not a join, so a session is never counted once per clinician). GROUPING(modality,
# joint) is 1 for a modality's row and 2 for joint or single.
SESSION_KINDS_SQL = """
WITH patients AS ({patients}),
sessions AS (
    SELECT s.patient_id, s.modality, s.status = 'attended' AS attended, s.status = ANY(%s) AS counted,
           EXISTS (
               SELECT 1 FROM adherence_sessionclinician c
               WHERE c.session_id = s.id AND c.clinician_id <> s.clinician_id
           ) AS joint
    FROM adherence_session s
    WHERE s.patient_id IN (SELECT id FROM patients) AND s.starts_at >= %s AND s.starts_at < %s
),
kinds AS (SELECT DISTINCT patient_id, modality, joint FROM sessions WHERE counted),
seen AS (SELECT DISTINCT patient_id AS id FROM kinds),
exercise AS (
    SELECT patient_id, sum(logged) AS logged, sum(days) AS days FROM (
        SELECT l.patient_id,
               count(*) FILTER (WHERE l.done = 'done')
                 + 0.5 * count(*) FILTER (WHERE l.done = 'partly') AS logged,
               0 AS days
        FROM checkins_exerciselog l
        WHERE l.patient_id IN (SELECT id FROM seen) AND l.logged_for >= %s AND l.logged_for < %s
        GROUP BY l.patient_id
      UNION ALL
        SELECT w.patient_id, sum(w.sessions_done), 0
        FROM adherence_exerciseweeklog w
        WHERE w.patient_id IN (SELECT id FROM seen) AND w.week_starting >= %s AND w.week_starting < %s
        GROUP BY w.patient_id
      UNION ALL
        SELECT plan.patient_id, 0,
               sum(e.sessions_per_week * GREATEST(0, %s::date - GREATEST(%s::date, plan.start_date)))
        FROM careplans_exercise e
        JOIN careplans_careplan plan ON plan.id = e.plan_id AND plan.status = 'active'
        WHERE plan.patient_id IN (SELECT id FROM seen)
        GROUP BY plan.patient_id
    ) parts
    GROUP BY patient_id
),
attendance AS (
    SELECT GROUPING(modality, joint) AS by, modality, joint,
           count(*) FILTER (WHERE attended) AS attended, count(*) FILTER (WHERE counted) AS counted
    FROM sessions GROUP BY GROUPING SETS ((modality), (joint))
),
by_modality AS (
    SELECT k.modality, count(*) AS patients, sum(e.logged) AS logged, sum(e.days) AS days
    FROM (SELECT DISTINCT patient_id, modality FROM kinds) k LEFT JOIN exercise e USING (patient_id)
    GROUP BY k.modality
),
by_joint AS (
    SELECT k.joint, count(*) AS patients, sum(e.logged) AS logged, sum(e.days) AS days
    FROM (SELECT DISTINCT patient_id, joint FROM kinds) k LEFT JOIN exercise e USING (patient_id)
    GROUP BY k.joint
)
SELECT a.by, a.modality, a.joint, a.attended, a.counted,
       COALESCE(m.patients, j.patients, 0), COALESCE(m.logged, j.logged, 0), COALESCE(m.days, j.days, 0)
FROM attendance a
LEFT JOIN by_modality m ON a.by = 1 AND m.modality = a.modality
LEFT JOIN by_joint j ON a.by = 2 AND j.joint = a.joint
"""


def session_kinds(
    patients: QuerySet[Patient], start: date, end: date
) -> tuple[dict[str, SessionKindFigures], dict[bool, SessionKindFigures]]:
    """Attendance and exercise completion by modality, and by joint (True) vs single (False), for the
    sessions that started in [start, end): one query, whatever the number of rows. A patient's
    prescribed sessions are summed as days over the kind's patients and divided by seven once."""
    window = between("t", start, end)
    patient_sql, patient_params = patients.values("id").order_by().query.sql_with_params()  # unsorted: a set
    params = [
        *patient_params,
        list(COUNTED_STATUSES),
        window["t__gte"],
        window["t__lt"],
        start,
        end,  # exercise logs
        start,
        end,  # week logs
        end,
        start,  # the prescription
    ]
    with connection.cursor() as cursor:
        cursor.execute(SESSION_KINDS_SQL.format(patients=patient_sql), params)
        rows = cursor.fetchall()
    by_modality: dict[str, SessionKindFigures] = {}
    by_joint: dict[bool, SessionKindFigures] = {}
    for by, modality, joint, attended, counted, seen, logged, days in rows:
        figures = SessionKindFigures(
            attendance=_rate(attended, counted),
            exercise=_rate(logged, Decimal(days) / 7),
            patients=seen,
        )
        if by == 1:
            by_modality[modality] = figures
        else:
            by_joint[joint] = figures
    return by_modality, by_joint
