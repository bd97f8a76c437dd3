"""The cast every test draws on: a clinician of North, a colleague, the lead, a clinic admin,
and an outsider who works only in South.

Also the suite's clock: ``pytest --clock=2027-03-28T00:30`` runs the whole session with Python's clock
moved to that instant (in the clinic's time zone unless an offset is given) and ticking on from there,
so a test that depends on the day it runs fails on the day it would. Tests that freeze their own
instant keep it.
"""

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db.models.signals import post_save
from django.utils import timezone

from teams.models import Discipline, Membership, User

from .celery_processes import celery_stop, celery_worker
from .factories import MembershipFactory, PatientFactory, TeamFactory, UserFactory

CLOCK = pytest.StashKey[tuple[datetime, time_machine.travel]]()


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="INSTANT",
        help="run the session with the clock moved to this ISO date-time (clinic time unless it has an "
        "offset, e.g. 2027-10-31T01:30+01:00 for the first of autumn's two 01:30s), ticking on from there",
    )


def clock_instant(text: str, zone: ZoneInfo) -> datetime:
    """The instant ``text`` names: with an offset as given; without one, the local time in ``zone``,
    refused when the clocks skip it (spring) or show it twice (autumn), as it names no one instant."""
    try:
        given = datetime.fromisoformat(text)
    except ValueError as error:
        raise pytest.UsageError(f"--clock: {error}") from None
    if given.tzinfo is not None:
        return given
    first, second = given.replace(tzinfo=zone), given.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        happens = "never happens" if first.utcoffset() < second.utcoffset() else "happens twice"
        raise pytest.UsageError(
            f"--clock: {text} {happens} in {zone.key} as the clocks change; give an offset, "
            f"e.g. {first.isoformat()} or {second.isoformat()}"
        )
    return first


def xdist_worker_cache(location: str, worker: str | None) -> str:
    """The cache's Redis URL for one pytest-xdist worker (gw0, gw1, ...): a database of its own (1-15),
    so a test that empties the cache (django-redis's clear() is FLUSHDB) never empties another
    worker's throttle and lockout counts midway. Outside xdist the URL is left as configured."""
    if not worker or not worker.startswith("gw") or not worker[2:].isdigit():
        return location
    url = urlsplit(location)
    return url._replace(path=f"/{1 + int(worker[2:]) % 15}").geturl()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "untrained: the suite's staff hold no training records (see trained_staff)"
    )
    cache = settings.CACHES["default"]
    cache["LOCATION"] = xdist_worker_cache(cache["LOCATION"], os.environ.get("PYTEST_XDIST_WORKER"))
    text = config.getoption("clock", None)
    if text:
        instant = clock_instant(text, ZoneInfo(settings.TIME_ZONE))
        traveller = time_machine.travel(instant, tick=True)
        traveller.start()
        config.stash[CLOCK] = (instant, traveller)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Before ``-m`` chooses a tier: a test that commits for real is slow (the whole database is emptied
    after it). A test about the moved clock runs only under one, a test at an instant of its own only
    without one: deselected (not skipped) in the other kind of run."""
    for item in items:
        database = item.get_closest_marker("django_db")
        if database is not None and database.kwargs.get("transaction"):
            item.add_marker(pytest.mark.slow)
    moved = CLOCK in config.stash
    unwanted = "at_its_own_instant" if moved else "under_a_moved_clock"
    dropped = [item for item in items if item.get_closest_marker(unwanted)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker(unwanted)]


def pytest_unconfigure(config):
    if CLOCK in config.stash:
        config.stash[CLOCK][1].stop()


def pytest_report_header(config):
    if CLOCK not in config.stash:
        return None
    instant = config.stash[CLOCK][0]
    local, utc = instant.astimezone(ZoneInfo(settings.TIME_ZONE)), instant.astimezone(ZoneInfo("UTC"))
    return f"clock moved to {local:%A %Y-%m-%d %H:%M %Z} ({utc:%H:%M} UTC), ticking"


@pytest.fixture
def north(db):
    return TeamFactory(name="North MSK")


@pytest.fixture
def south(db):
    return TeamFactory(name="South MSK")


@pytest.fixture
def clinician(north):
    user = UserFactory(username="physio", first_name="Priya", last_name="Shah")
    MembershipFactory(team=north, user=user)
    return user


@pytest.fixture
def colleague(north):
    user = UserFactory(username="psych", discipline=Discipline.PSYCHOLOGIST)
    MembershipFactory(team=north, user=user)
    return user


@pytest.fixture
def lead(north):
    user = UserFactory(username="lead")
    MembershipFactory(team=north, user=user, role=Membership.Role.LEAD)
    return user


@pytest.fixture
def clinic_admin(db):
    return UserFactory(username="admin", is_clinic_admin=True)


@pytest.fixture
def outsider(south):
    user = UserFactory(username="outsider")
    MembershipFactory(team=south, user=user)
    return user


@pytest.fixture
def patient(north, clinician):
    return PatientFactory(team=north, primary_clinician=clinician, given_name="Amelia", family_name="Okafor")


@pytest.fixture
def south_patient(south, outsider):
    return PatientFactory(team=south, primary_clinician=outsider, given_name="George", family_name="Evans")


@pytest.fixture
def login(client):
    """Log the test client in as a user and return it."""

    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture(scope="session")
def worker_mail_dir(tmp_path_factory):
    """Where the worker's emails land (Django's file backend), so a test can read what it sent."""
    return tmp_path_factory.mktemp("worker-mail")


@pytest.fixture
def celery_worker_process(django_db_setup, django_db_blocker, worker_mail_dir):
    """A real worker for one test, stopped before the test's database is emptied (its tasks could
    otherwise lock tables the flush needs). Tasks left queued by earlier tests are purged first."""
    from rehabcare.celery import app

    app.control.purge()
    with django_db_blocker.unblock():
        worker = celery_worker(
            settings.CELERY_TASK_DEFAULT_QUEUE,
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(worker_mail_dir),
        )
    yield worker
    celery_stop(worker)


@pytest.fixture
def api_as(db):
    """An API client signed in with a fresh knox token of the given user."""
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    def sign_in(user):
        client = APIClient()
        _row, token = AuthToken.objects.create(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return sign_in


@pytest.fixture
def sample_ids(patient, clinician) -> dict[str, int | str]:
    """An id of the patient's own record for every other kind of id a patient URL takes."""
    from screening.services import screening_record

    answers = {str(n): 0 for n in range(1, 10)} | {"9": 1}
    screening = screening_record(
        patient=patient, instrument_code="PHQ-9", timepoint="intake", answers=answers, entered_by=clinician
    )
    from careplans.models import Goal, Milestone
    from careplans.services import part_create, plan_create

    plan = plan_create(
        patient=patient, user=clinician, start_date=date(2026, 1, 5), review_date=date(2026, 3, 2)
    )
    goal = part_create(
        instance=Goal(
            plan=plan,
            patient_words="Back to gardening",
            measure="minutes",
            target_value="45",
            target_date=date(2026, 3, 2),
        ),
        user=clinician,
    )
    milestone = part_create(
        instance=Milestone(
            goal=goal, description="Half an hour", target="30 minutes", due_date=date(2026, 2, 2)
        ),
        user=clinician,
    )
    from careplans.education_seed import education_ensure
    from careplans.models import EducationItem
    from careplans.services import education_assign

    education_ensure(EducationItem)  # a transactional test before may have emptied the starter items
    assignment = education_assign(
        plan=plan, item=EducationItem.objects.get(slug="how-pain-works"), user=clinician
    )
    from careplans.models import Caregiver

    caregiver = part_create(
        instance=Caregiver(plan=plan, name="Maria", relationship="daughter", contact="maria@example.org"),
        user=clinician,
    )
    from checkins.models import Reminder
    from checkins.selectors import schedule_proposed

    schedule = schedule_proposed(patient=patient)
    schedule.save()
    reminder = Reminder.objects.create(
        schedule=schedule,
        patient=patient,
        due_at=schedule.created_at,
        channel=schedule.channel,
        status="failed",
    )
    from adherence.models import Session

    session = Session.objects.create(
        patient=patient, clinician=clinician, discipline="physiotherapist", starts_at=schedule.created_at
    )
    from routing.models import Review, RoutingRule
    from routing.rules_seed import rules_ensure

    # The seeded rules open the sample review; a transactional test before may have emptied them.
    rules_ensure(RoutingRule)
    high_pcs = screening_record(
        patient=patient,
        instrument_code="PCS",
        timepoint="intake",
        answers={str(n): 3 for n in range(1, 14)},
        entered_by=clinician,
    )
    # --- directory and referrals ---
    from careplans.models import CommunityResource, Referral
    from careplans.services import resource_save

    resource = resource_save(
        resource=CommunityResource(
            name="Pain Peers",
            category="peer_support",
            area="North",
            referral_method="self",
            phone="0113 496 0000",
        ),
        user=clinician,
    )
    referral = part_create(
        instance=Referral(
            plan=plan,
            resource=resource,
            category=resource.category,
            reason="Peer support",
            consent_given_on=plan.start_date,
            consent_recorded_how="verbal",
            consent_given_by="patient",
            sent_on=plan.start_date,
            follow_up_due=plan.start_date + timedelta(days=14),
            owner=clinician,
        ),
        user=clinician,
    )
    return {
        "resource_id": resource.pk,
        "referral_id": referral.pk,
        "review_id": Review.objects.get(screening=high_pcs).pk,
        "session_id": session.pk,
        "reminder_id": reminder.pk,
        "screening_id": screening.pk,
        "alert_id": screening.alerts.get().pk,
        "plan_id": plan.pk,
        "part": "goal",
        "part_id": goal.pk,
        "milestone_id": milestone.pk,
        "assignment_id": assignment.pk,
        "caregiver_id": caregiver.pk,
    }


@pytest.fixture
def world(patient, clinician, lead, clinic_admin, north):
    """A team at work: the patient screened (an open alert), a case conference in progress with the
    patient on its agenda and an action, an export; the ids team-scoped URLs take."""
    from adherence.models import Export
    from conferences import services as conference_services
    from screening.services import screening_record

    # A name no page shows by itself (the search box's example is a common surname).
    patient.family_name = "Quillfeather"
    patient.save(update_fields=["family_name"])
    screening = screening_record(
        patient=patient,
        instrument_code="PHQ-9",
        timepoint="intake",
        answers={str(n): 1 for n in range(1, 10)},
        entered_by=clinician,
    )
    Membership.objects.get_or_create(team=north, user=clinician)
    conference = conference_services.conference_plan(
        team=north,
        starts_at=timezone.now() + timedelta(days=2),
        chair=lead,
        attendees=[clinician, lead],
        user=lead,
    )
    conference = conference_services.conference_start(conference=conference, user=lead)
    item = conference_services.agenda_item_add(conference=conference, patient=patient, user=lead)
    action = conference_services.action_add(
        item=item, description="Call the GP", owner=clinician, due_on=date(2026, 12, 1), user=lead
    )
    export = Export.objects.create(
        requested_by=clinic_admin, title="Patients", params={"metric": "attendance"}
    )
    from training.models import Competency, SupervisionSession, TrainingRecord
    from training.seed import competencies_ensure

    competencies_ensure(Competency)  # a transactional test before may have emptied the seeded ones
    # The clinician's training record, and supervision the lead gave them (issue 22's pages).
    record = TrainingRecord.objects.create(
        user=clinician,
        competency=Competency.objects.get(code="motivational-interviewing"),
        course_or_evidence="MI course",
        completed_on=date(2026, 1, 10),
        created_by=clinician,
    )
    supervision = SupervisionSession.objects.create(
        supervisor=lead, held_at=timezone.now() - timedelta(days=3), minutes=60, recorded_by=lead
    )
    supervision.supervisees.set([clinician])
    return {
        "user_id": clinician.pk,
        "record_id": record.pk,
        "supervision_id": supervision.pk,
        "patient_id": patient.pk,
        "screening_id": screening.pk,
        "alert_id": screening.alerts.first().pk,
        "team_id": north.pk,
        "conference_id": conference.pk,
        "item_id": item.pk,
        "action_id": action.pk,
        "export_id": export.pk,
        "code": "PHQ-9",
        "token": "no-such-link",
        "signed": "no-such-link",
    }


# --- competence gate (issue 22) ---
# Giving someone work is gated by their training (``training.gate``: a reason, or refused where the clinic
# is strict). In the tests of the apps that assign owners (and the few other files listed), every staff
# member a test creates is trained in every competency the clinic lists (one record each: independent,
# since 2000, no renewal), so that their tests about other things assign owners as before. Tests of the
# gate itself mark themselves ``untrained`` (or live under tests/training/), as do any of these that count
# training records, and the demo's tests; everywhere else staff start with no records.
TRAINED_BY_DEFAULT = (
    "careplans/",
    "routing/",
    "conferences/",
    "test_access_matrix.py",
    "test_list_queries.py",
    "test_read_audit.py",
    "adherence/test_report.py",
    "browser/test_care_plan.py",
    "browser/test_preferences.py",
    "browser/test_routing_flow.py",
    "browser/test_case_conference.py",
)
# Files among those that are about training records themselves (the team's skill mix).
UNTRAINED_FILES = ("conferences/test_team_skill_mix.py",)
TRAINED_SINCE = date(2000, 1, 1)


def _trained(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    from training.models import Competency, Level, TrainingRecord
    from training.seed import competencies_ensure

    competencies = list(Competency.objects.all())
    if not competencies:  # a transactional test before emptied the seeded rows
        competencies_ensure(Competency)
        competencies = list(Competency.objects.all())
    TrainingRecord.objects.bulk_create(
        TrainingRecord(
            user=instance,
            competency=competency,
            course_or_evidence="The suite's standard staff training",
            completed_on=TRAINED_SINCE,
            level=Level.INDEPENDENT,
            created_by=instance,
        )
        for competency in competencies
    )


@pytest.fixture(autouse=True)
def trained_staff(request):
    """Staff created by the tests of ``TRAINED_BY_DEFAULT`` hold every competency (see above)."""
    where = request.node.path.relative_to(Path(__file__).parent).as_posix()
    # The demo's tests too: the demo must seed with whatever training its own data holds.
    untrained = (
        request.node.get_closest_marker("untrained")
        or where.startswith(UNTRAINED_FILES)
        or "demo" in where.rsplit("/", 1)[-1]
    )
    if untrained or not where.startswith(TRAINED_BY_DEFAULT):
        yield
        return
    post_save.connect(_trained, sender=User, dispatch_uid="tests-trained-staff")
    try:
        yield
    finally:
        post_save.disconnect(sender=User, dispatch_uid="tests-trained-staff")
