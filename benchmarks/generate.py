"""The clinic-network data set, generated in PostgreSQL with ``INSERT ... SELECT generate_series``.

At scale 1.0: 40 teams, 300 clinicians, 100,000 patients (2,500 a team), 1,000,000 screenings
(two years of history), 3,000,000 check-ins, 10,000,000 exercise-log entries, 1,500,000 sessions,
an active care plan per active patient, a planned case conference per team. Smaller scales shrink
the number of patients (and so everything hanging off them); the history per patient stays the same.

Benchmark rows are marked: usernames ``bench-…``, MRNs ``B…``, team names ``Bench team …``.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from adherence import rollups

PER_PATIENT = {"screenings": 10, "checkins": 30, "exercise_logs": 100, "sessions": 15}


@dataclass(frozen=True)
class Size:
    teams: int
    clinicians: int
    patients: int

    @classmethod
    def at(cls, scale: float) -> "Size":
        teams = max(2, round(40 * scale))
        return cls(
            teams=teams,
            clinicians=max(teams * 3, round(300 * scale)),
            patients=max(10, round(100_000 * scale)),
        )


FIRST_NAMES = (
    "{Amelia,Oliver,Isla,George,Ava,Noah,Mia,Arthur,Grace,Leo,Freya,Oscar,Aisha,Mohammed,Zofia,Kwame}"
)
LAST_NAMES = (
    "{Okafor,Thompson,Evans,Hughes,Patel,Nowak,Campbell,Khan,Murphy,Davies,Robinson,Wright,Chen,Walker}"
)

# Each step: (what, SQL). Parameters: %(teams)s, %(clinicians)s, %(patients)s and the per-patient counts.
STEPS: list[tuple[str, str]] = [
    (
        "teams",
        """INSERT INTO teams_team (name) SELECT 'Bench team ' || lpad(g::text, 3, '0') FROM generate_series(1, %(teams)s) g""",
    ),
    (
        "staff",
        """INSERT INTO teams_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                   is_active, date_joined, discipline, is_clinic_admin, mobile, language)
           SELECT '!', false, 'bench-c' || g, 'Clinician', 'Number ' || g, 'bench-c' || g || '@clinic.example',
                  false, true, now(),
                  (ARRAY['physiotherapist','psychologist','physician','occupational_therapist'])[1 + g %% 4],
                  false, '', ''
           FROM generate_series(1, %(clinicians)s) g
           UNION ALL
           SELECT '!', false, 'bench-admin', 'Bench', 'Admin', 'bench-admin@clinic.example', true, true, now(),
                  'other', true, '', ''""",
    ),
    (
        "memberships",
        """INSERT INTO teams_membership (role, user_id, team_id)
           SELECT CASE WHEN u.n <= %(teams)s THEN 'lead' ELSE 'member' END, u.id, t.id
           FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM teams_user WHERE username LIKE 'bench-c%%') u
           JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM teams_team WHERE name LIKE 'Bench team %%') t
             ON t.k = (u.n - 1) %% %(teams)s""",
    ),
    (
        "patients",
        """WITH staff AS (
               SELECT m.user_id, m.team_id,
                      row_number() OVER (PARTITION BY m.team_id ORDER BY m.user_id) - 1 AS j,
                      count(*) OVER (PARTITION BY m.team_id) AS size
               FROM teams_membership m JOIN teams_team t ON t.id = m.team_id WHERE t.name LIKE 'Bench team %%'),
           teams AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM teams_team WHERE name LIKE 'Bench team %%')
           INSERT INTO teams_patient (mrn, given_name, family_name, date_of_birth, email, mobile, reminder_channel,
                                      language, consent_to_reminders, reminder_consent_given_on,
                                      reminder_consent_note, status, created_at, updated_at,
                                      primary_clinician_id, team_id, mobile_failed_reason, email_failed_reason)
           SELECT 'B' || lpad(g::text, 7, '0'),
                  ('%(first)s'::text[])[1 + g %% 16], ('%(last)s'::text[])[1 + (g / 16) %% 14],
                  date '1950-01-01' + (g * 37) %% 20000, '', '', 'email', 'en', true,
                  current_date - 730, 'bench',
                  CASE WHEN (g / %(teams)s) %% 10 = 9 THEN 'discharged' ELSE 'active' END,
                  now() - interval '2 years', now(), s.user_id, t.id, '', ''
           FROM generate_series(1, %(patients)s) g
           JOIN teams t ON t.k = g %% %(teams)s
           JOIN staff s ON s.team_id = t.id AND s.j = (g / %(teams)s) %% s.size""",
    ),
    (
        "screenings",
        """INSERT INTO screening_screening (instrument, instrument_version, timepoint, source, administered_at,
                                            answers, total, subscales, band, flags, amendment_reason, created_at,
                                            entered_by_id, patient_id, language, wording_version)
           SELECT x.code, '1.0', CASE WHEN x.i <= 2 THEN 'intake' ELSE 'milestone' END, 'clinician', x.at,
                  CASE WHEN x.code = 'PHQ-9'
                       THEN jsonb_build_object('1', x.v, '2', x.v, '3', x.v, '4', x.v, '5', x.v, '6', x.v,
                                               '7', x.v, '8', x.v, '9', 0)
                       ELSE jsonb_build_object('1', x.v, '2', x.v, '3', x.v, '4', x.v, '5', x.v, '6', x.v, '7', x.v)
                  END,
                  x.total, '{}'::jsonb,
                  CASE WHEN x.total < 5 THEN 'minimal' WHEN x.total < 10 THEN 'mild' WHEN x.total < 15 THEN 'moderate'
                       WHEN x.code = 'PHQ-9' AND x.total < 20 THEN 'moderately severe' ELSE 'severe' END,
                  CASE WHEN x.total >= 10 THEN ARRAY['high']::varchar[] ELSE ARRAY[]::varchar[] END,
                  '', x.at, x.clinician, x.patient, '', ''
           FROM (SELECT p.id AS patient, p.primary_clinician_id AS clinician, g AS i,
                        CASE WHEN g %% 2 = 1 THEN 'PHQ-9' ELSE 'GAD-7' END AS code,
                        (p.id + g) %% 4 AS v,
                        ((p.id + g) %% 4) * CASE WHEN g %% 2 = 1 THEN 8 ELSE 7 END AS total,
                        now() - interval '730 days' + (g - 1) * interval '73 days' AS at
                 FROM teams_patient p CROSS JOIN generate_series(1, %(screenings)s) g
                 WHERE p.mrn LIKE 'B%%') x""",
    ),
    (
        "care plans",
        """INSERT INTO careplans_careplan (version, status, start_date, review_date, risk_stratum, summary_physical,
                                           summary_psychological, summary_social, support_modality,
                                           support_frequency, created_at, created_by_id, patient_id)
           SELECT 1, 'active', current_date - 300, current_date + 60, 'medium', 'Low back pain', '', '', '', '', now(),
                  p.primary_clinician_id, p.id
           FROM teams_patient p WHERE p.mrn LIKE 'B%%' AND p.status = 'active'""",
    ),
    (
        "goals",
        """INSERT INTO careplans_goal (version, patient_words, value, measure, baseline, target_value, target_date,
                                       position, plan_id)
           SELECT 1, 'Walk my grandson to school', '', 'Walking distance (m)', '200', '1200', current_date + 60, 0, c.id
           FROM careplans_careplan c JOIN teams_patient p ON p.id = c.patient_id WHERE p.mrn LIKE 'B%%'""",
    ),
    (
        "milestones",
        """INSERT INTO careplans_milestone (version, description, target, due_date, achieved_on, goal_id)
           SELECT 1, 'Step ' || g, 'Walking distance: ' || (400 * g) || ' m', current_date - 120 + 90 * g,
                  CASE WHEN g = 1 THEN current_date - 125 END, goal.id
           FROM careplans_goal goal JOIN careplans_careplan c ON c.id = goal.plan_id
           JOIN teams_patient p ON p.id = c.patient_id CROSS JOIN generate_series(1, 2) g WHERE p.mrn LIKE 'B%%'""",
    ),
    (
        "exercises",
        """INSERT INTO careplans_exercise (version, name, sets, reps, sessions_per_week, rest_days, phase,
                                           progression_rule, lighter_alternative, plan_id, goal_id)
           SELECT 1, (ARRAY['Sit to stand','Bridging'])[g], 3, 10, 5, '{}', 1, '', 'Fewer repetitions', c.id, goal.id
           FROM careplans_careplan c JOIN careplans_goal goal ON goal.plan_id = c.id
           JOIN teams_patient p ON p.id = c.patient_id CROSS JOIN generate_series(1, 2) g WHERE p.mrn LIKE 'B%%'""",
    ),
    (
        "responsibilities",
        """INSERT INTO careplans_responsibility (version, intervention, details, discipline, frequency, modality,
                                                 starts_on, status, owner_id, plan_id,
                                                 competence_override_reason)
           SELECT 1, 'graded_exposure', '', 'psychologist', 'weekly', 'in_person', current_date - 200, 'active',
                  c.created_by_id, c.id, ''
           FROM careplans_careplan c JOIN teams_patient p ON p.id = c.patient_id WHERE p.mrn LIKE 'B%%'""",
    ),
    (
        "sessions",
        """INSERT INTO adherence_session (discipline, starts_at, status, recorded_at, note, modality, video_link,
                                          clinician_id, patient_id)
           SELECT 'physiotherapist', date_trunc('day', now()) - g * interval '7 days' + interval '10 hours',
                  CASE WHEN (p.id + g) %% 5 = 0 THEN 'missed' ELSE 'attended' END, now(), '', 'in_person', '',
                  p.primary_clinician_id, p.id
           FROM teams_patient p CROSS JOIN generate_series(1, %(sessions)s) g WHERE p.mrn LIKE 'B%%'""",
    ),
    (
        "session credits",
        """INSERT INTO adherence_sessionclinician (session_id, clinician_id, discipline)
           SELECT s.id, s.clinician_id, s.discipline
           FROM adherence_session s JOIN teams_patient p ON p.id = s.patient_id WHERE p.mrn LIKE 'B%%'""",
    ),
    (
        "check-ins",
        """INSERT INTO checkins_checkin (submitted_at, mood, pain, sleep_quality, sleep_hours, stressors, patient_id)
           SELECT date_trunc('day', now()) - g * interval '1 day' + interval '19 hours',
                  (p.id + g) %% 11, (p.id * 3 + g) %% 11, (p.id + 2 * g) %% 11, 7.0, '', p.id
           FROM teams_patient p CROSS JOIN generate_series(1, %(checkins)s) g WHERE p.mrn LIKE 'B%%'""",
    ),
    (
        "exercise logs",
        """INSERT INTO checkins_exerciselog (logged_for, done, exercise_id, patient_id)
           SELECT current_date - g, (ARRAY['done','done','partly','not_done'])[1 + (e.id + g) %% 4], e.id, c.patient_id
           FROM careplans_exercise e JOIN careplans_careplan c ON c.id = e.plan_id
           JOIN teams_patient p ON p.id = c.patient_id
           CROSS JOIN generate_series(1, %(exercise_days)s) g WHERE p.mrn LIKE 'B%%'""",
    ),
    (
        "case conferences",
        """INSERT INTO conferences_caseconference (starts_at, status, chair_id, team_id)
           SELECT date_trunc('day', now()) + interval '7 days 13 hours', 'planned', m.user_id, m.team_id
           FROM teams_membership m JOIN teams_team t ON t.id = m.team_id
           WHERE t.name LIKE 'Bench team %%' AND m.role = 'lead'""",
    ),
]

META = "CREATE TABLE IF NOT EXISTS bench_meta (scale double precision NOT NULL, generated_at timestamptz NOT NULL)"


def generated_scale() -> float | None:
    with connection.cursor() as cursor:
        cursor.execute(META)
        cursor.execute("SELECT scale FROM bench_meta ORDER BY generated_at DESC LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row else None


def generate(scale: float, *, report: Callable[[str], None] = print) -> dict[str, float]:
    """Fill the database at ``scale``; return the seconds each step took. Call on an empty database."""
    size = Size.at(scale)
    params = {
        "teams": size.teams,
        "clinicians": size.clinicians,
        "patients": size.patients,
        "first": FIRST_NAMES,
        "last": LAST_NAMES,
        **PER_PATIENT,
        # Two exercises an active plan (nine patients in ten): 100 entries a patient on average.
        "exercise_days": math.ceil(PER_PATIENT["exercise_logs"] / 2 / 0.9),
    }
    took: dict[str, float] = {}
    with connection.cursor() as cursor:
        # Row triggers (the roll-ups' stale marks) would fire once per generated row: off while loading,
        # then every roll-up is marked stale at once, for the benchmark's first refresh.
        cursor.execute("SELECT DISTINCT event_object_table FROM information_schema.triggers")
        triggered = [table for (table,) in cursor.fetchall()]
        for table in triggered:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        for name, sql in STEPS:
            started = time.perf_counter()
            cursor.execute(sql % params)
            took[name] = time.perf_counter() - started
            report(f"  {name}: {cursor.rowcount:,} rows in {took[name]:.1f} s")
        for table in triggered:
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        rollups.mark_everything()
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")  # the visibility map lets index-only scans skip the heap
        took["vacuum and analyze"] = time.perf_counter() - started
        cursor.execute(META)
        cursor.execute("INSERT INTO bench_meta (scale, generated_at) VALUES (%s, now())", [scale])
    return took
