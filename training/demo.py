"""North MSK's training and supervision for the demo (issue 22): who is trained in what, a lapsed renewal,
a record awaiting verification, and supervision that fell short last month. Written through the services,
dated from the demo's one reading of the clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from teams.demo import DemoCalendar
from teams.models import User

from . import services
from .competence import last_full_month
from .models import Competency, Level, SupervisionSession, TrainingRecord
from .seed import competencies_ensure

# username, competency code, course or evidence, level, years since completion (a fraction is fine),
# days to renewal (None: no renewal; negative: lapsed), verified by the lead.
RECORDS = [
    (
        "psych",
        "cbt-informed-practice",
        "Doctorate in clinical psychology; BABCP accreditation",
        Level.INDEPENDENT,
        6,
        None,
        True,
    ),
    ("psych", "motivational-interviewing", "MINT trainer certificate", Level.INDEPENDENT, 4, None, True),
    (
        "psych",
        "graded-exposure",
        "Graded exposure for chronic pain, 2-day workshop",
        Level.INDEPENDENT,
        3,
        400,
        True,
    ),
    (
        "psych",
        "suicide-risk-assessment",
        "Suicide-risk assessment and safety planning (annual)",
        Level.INDEPENDENT,
        0.9,
        40,
        True,
    ),
    (
        "psych",
        "acceptance-commitment-therapy",
        "ACT for persistent pain, 4-day course",
        Level.INDEPENDENT,
        2,
        None,
        True,
    ),
    (
        "physio",
        "pain-neuroscience-education",
        "Explain Pain course, certificate on file",
        Level.TRAINED,
        2,
        None,
        True,
    ),
    (
        "physio",
        "psychologically-informed-physiotherapy",
        "STarT Back training, online module and case review",
        Level.TRAINED,
        0.2,
        None,
        False,
    ),
    (
        "physio",
        "cbt-informed-practice",
        "CBT skills for physiotherapists, 6 sessions",
        Level.UNDER_SUPERVISION,
        0.5,
        700,
        True,
    ),
    (
        "physio",
        "motivational-interviewing",
        "Introduction to MI, 2 days (renew every 2 years)",
        Level.UNDER_SUPERVISION,
        2,
        -20,
        True,
    ),
    (
        "ot",
        "workplace-return-to-work",
        "Vocational rehabilitation certificate",
        Level.INDEPENDENT,
        5,
        None,
        True,
    ),
]

# months back (2: the month before last, 1: last month), day of the month, hour, minutes, format,
# supervisees, competencies covered, cases, learning points. Two months ago had enough (75 minutes);
# last month had too little (30), so the physio's practice under supervision is below the expected amount.
SESSIONS = [
    (
        2,
        9,
        14,
        45,
        SupervisionSession.Format.INDIVIDUAL,
        ["physio"],
        ["cbt-informed-practice"],
        "MRN100003",
        "Use a thought record when the patient predicts harm from bending.",
    ),
    (
        2,
        23,
        13,
        30,
        SupervisionSession.Format.CASE_BASED,
        ["physio", "ot"],
        ["motivational-interviewing", "workplace-return-to-work"],
        "MRN100005, MRN100011",
        "Agree the return-to-work goal in the patient's words before the employer call.",
    ),
    (
        1,
        14,
        14,
        30,
        SupervisionSession.Format.INDIVIDUAL,
        ["physio"],
        ["motivational-interviewing"],
        "MRN100007",
        "Reflect before advising; practise double-sided reflections.",
    ),
]


def _years_before(day: date, years: float) -> date:
    return day - timedelta(days=round(365.25 * years))


@transaction.atomic
def demo_training_seed(calendar: DemoCalendar) -> int:
    """Training records for North MSK's psychologist, physio and OT (the lead verifies all but one), and
    the psychologist's supervision of the physio over the last two full months. Idempotent: someone with a
    record, or a supervisor with a session, is left alone. Returns how many records exist."""
    competencies_ensure(Competency)
    today = calendar.today
    people = {
        user.username: user for user in User.objects.filter(username__in=["lead", "psych", "physio", "ot"])
    }
    lead = people["lead"]
    has_records = set(
        TrainingRecord.objects.filter(user__in=people.values()).values_list("user__username", flat=True)
    )
    codes = {competency.code: competency for competency in Competency.objects.all()}
    for username, code, evidence, level, years, renews_in, verified in RECORDS:
        if username in has_records:
            continue
        completed_on = _years_before(today, years)
        record = services.training_record_add(
            user=people[username],
            competency=codes[code],
            course_or_evidence=evidence,
            completed_on=completed_on,
            level=level,
            renews_on=today + timedelta(days=renews_in) if renews_in is not None else None,
        )
        if verified:
            services.training_record_verify(user=lead, record=record)

    psych = people["psych"]
    if not SupervisionSession.objects.filter(supervisor=psych).exists():
        last = last_full_month(today)
        months = {1: last, 2: last_full_month(last)}
        zone = ZoneInfo(settings.TIME_ZONE)  # the clinic's clock, as the monthly sums read it
        for back, day, hour, minutes, format_, supervisees, covered, cases, points in SESSIONS:
            services.supervision_log(
                user=psych,
                supervisees=[people[name] for name in supervisees],
                held_at=datetime.combine(months[back].replace(day=day), time(hour), tzinfo=zone),
                minutes=minutes,
                format=format_,
                competencies=[codes[code] for code in covered],
                cases_discussed=cases,
                learning_points=points,
            )
    return TrainingRecord.objects.count()
