"""The dashboard and API break attendance and adherence down by how sessions are held (issue 20): by
modality, and joint vs single, a joint session counted once for its patient. Checked against fixtures
counted by hand; the clock is frozen on Wednesday 13 May 2026, so the window is the 12 weeks from
Monday 23 February to Sunday 17 May."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from adherence import metrics, services
from adherence.models import ExerciseWeekLog, SessionClinician
from careplans.models import CarePlan
from teams.models import Discipline

from ..careplans.factories import make_exercise, make_plan
from ..factories import MembershipFactory, PatientFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 5, 13, 12, 0, tzinfo=LONDON)
KINDS = {"part": "session-kinds"}


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.TIME_ZONE = "Europe/London"
    with time_machine.travel(NOW, tick=False):
        yield


def _with_exercise(patient, user, per_week, weeks_logged):
    """An active plan since January with one exercise; ``per_week`` sessions logged in each of
    ``weeks_logged`` weeks of the window."""
    plan = make_plan(patient, user, start_date=date(2026, 1, 1), review_date=date(2026, 8, 1))
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.ACTIVE)
    exercise = make_exercise(plan, user, sessions_per_week=per_week)
    for week in range(weeks_logged):
        ExerciseWeekLog.objects.create(
            patient=patient,
            exercise=exercise,
            week_starting=date(2026, 3, 2) + timedelta(weeks=week),
            sessions_done=per_week,
            entered_by=user,
        )


def _session(patient, clinicians, day, modality, status, user):
    link = "https://meet.example.org/x" if modality == "video" else ""
    (session,) = services.session_book(
        patient=patient,
        clinicians=clinicians,
        starts_at=datetime(2026, 4, day, 10, tzinfo=LONDON),
        modality=modality,
        video_link=link,
        user=user,
    )
    if status != "scheduled":
        services.session_set_status(session=session, status=status, user=user)
    return session


@pytest.fixture
def seen(north, clinician, colleague, patient):
    """Amelia: a joint video session attended, a video one missed, a phone one attended; 3 of 3
    exercise sessions a week logged in 3 of the 12 weeks (9 of 36). Ben: in person attended and
    cancelled by him, group attended and cancelled by the clinic (not counted against him); 2 of 2
    logged in 2 weeks (4 of 24). Out of the window: a video session in January."""
    ben = PatientFactory(team=north, primary_clinician=clinician, given_name="Ben", family_name="Ng")
    _with_exercise(patient, clinician, 3, 3)
    _with_exercise(ben, clinician, 2, 2)
    _session(patient, [clinician, colleague], 1, "video", "attended", clinician)
    _session(patient, [clinician], 8, "video", "missed", clinician)
    _session(patient, [colleague], 9, "phone", "attended", colleague)
    _session(ben, [clinician], 2, "in_person", "attended", clinician)
    _session(ben, [clinician], 3, "in_person", "cancelled_patient", clinician)
    _session(ben, [clinician], 6, "group", "attended", clinician)
    _session(ben, [clinician], 7, "group", "cancelled_clinic", clinician)
    services.session_book(
        patient=ben,
        clinicians=[clinician, colleague],
        starts_at=datetime(2026, 1, 14, 10, tzinfo=LONDON),
        modality="video",
        video_link="https://meet.example.org/x",
        user=clinician,
    )
    return ben


def _numbers(rows):
    return {
        row["key"]: (
            row["figures"].patients,
            row["figures"].attendance.percent,
            row["figures"].attendance.whole_numerator,
            row["figures"].attendance.whole_denominator,
            row["figures"].exercise.percent,
        )
        for row in rows
    }


def test_the_dashboard_breaks_attendance_and_adherence_down_by_modality_and_joint(login, lead, seen):
    page = login(lead).get(reverse("clinic_dashboard"))
    # Worked out from every session and log of the window: the page fetches the tables when opened.
    assert 'hx-get="?part=session-kinds" hx-trigger="toggle once"' in page.text
    kinds = login(lead).get(reverse("clinic_dashboard"), KINDS).context["session_kinds"]
    assert _numbers(kinds["modality"]) == {
        "in_person": (1, "50%", 1, 2, "17%"),  # Ben: 4 of 24
        "video": (1, "50%", 1, 2, "25%"),  # Amelia: 9 of 36
        "phone": (1, "100%", 1, 1, "25%"),
        "group": (1, "100%", 1, 1, "17%"),  # the clinic's cancellation is not counted
    }
    assert [row["key"] for row in kinds["modality"]] == ["in_person", "video", "phone", "group"]
    # Single: 3 attended of 5 counted, Amelia and Ben: (9 + 4) of (36 + 24) = 22%.
    assert _numbers(kinds["joint"]) == {"joint": (1, "100%", 1, 1, "25%"), "single": (2, "60%", 3, 5, "22%")}
    assert "By how sessions are held" in page.text and "exercise completion of the patients" in page.text


def test_a_joint_session_crediting_two_clinicians_counts_once_for_its_patient(
    north, clinician, colleague, patient
):
    physician = UserFactory(username="doctor", discipline=Discipline.PHYSICIAN)
    MembershipFactory(team=north, user=physician)
    session = _session(patient, [clinician, colleague, physician], 1, "video", "attended", colleague)
    assert SessionClinician.objects.filter(session=session).count() == 3
    by_modality, by_joint = metrics.session_kinds(north.patients.all(), date(2026, 2, 23), date(2026, 5, 18))
    assert (by_joint[True].attendance.numerator, by_joint[True].attendance.denominator) == (1, 1)
    assert by_joint[True].patients == 1 and False not in by_joint
    assert by_modality["video"].attendance.denominator == 1


def test_the_breakdown_runs_the_same_queries_for_few_and_many_sessions(
    login, lead, north, clinician, colleague, seen, django_assert_max_num_queries
):
    client = login(lead)
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("clinic_dashboard"), KINDS)
    for n in range(12):
        extra = PatientFactory(team=north, primary_clinician=clinician)
        _with_exercise(extra, clinician, 2, 1)
        for day, modality in enumerate(("video", "phone", "group", "in_person"), start=13):
            clinicians = [clinician, colleague] if n % 2 else [clinician]
            _session(extra, clinicians, day, modality, "attended" if day % 2 else "missed", clinician)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("clinic_dashboard"), KINDS)
    # Joint: Amelia and the six extra patients seen jointly; single: Amelia, Ben and the other six.
    assert {row["key"]: row["figures"].patients for row in page.context["session_kinds"]["joint"]} == {
        "joint": 7,
        "single": 8,
    }


def test_the_api_gives_a_teams_breakdown_to_its_lead_only(api_as, lead, clinician, outsider, north, seen):
    url = reverse("api_team_session_kinds", kwargs={"team_id": north.pk})
    body = api_as(lead).get(url).json()
    assert body["start"] == "2026-02-23" and body["end"] == "2026-05-18"
    video = next(row for row in body["by_modality"] if row["modality"] == "video")
    assert video["patients"] == 1
    assert video["attendance"] == {"numerator": 1.0, "denominator": 2.0, "value": 0.5}
    assert video["exercise_completion"]["value"] == 0.25
    single = next(row for row in body["by_joint"] if row["joint"] == "single")
    assert single["attendance"]["value"] == 0.6
    assert api_as(clinician).get(url).status_code == 404
    assert api_as(outsider).get(url).status_code == 404
