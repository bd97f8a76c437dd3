"""Education read through the check-in link, no account: the link lists what the team assigned, the item
opens in the plain-language version where the patient's literacy is limited, and opening it is the read
receipt the plan page shows. Wrong, expired and other patients' links mark nothing and get the same page."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careplans.education_seed import education_ensure
from careplans.models import CarePlan, CarePreferences, EducationAssignment, EducationItem
from careplans.services import education_assign
from checkins import services
from checkins.models import Reminder
from teams.models import AuditEvent

from ..careplans.factories import make_plan
from .factories import make_schedule

# A Monday in late November 2026, winter time in London.
SENT_AT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
READ_AT = SENT_AT + timedelta(hours=1)
TOKEN = "a-link-token-for-tests"


@pytest.fixture(autouse=True)
def starter_items(db):
    education_ensure(EducationItem)


@pytest.fixture
def visitor():
    """The patient's phone, at an address of its own (the link rate limit counts per address)."""
    return Client(REMOTE_ADDR=f"198.51.100.{uuid.uuid4().int % 250 + 1}")


def _link(patient, token=TOKEN, **kwargs) -> Reminder:
    fields = {
        "status": Reminder.Status.SENT,
        "channel": "email",
        "token_hash": services.token_hash(token),
        "sent_at": SENT_AT,
        "expires_at": SENT_AT + timedelta(hours=48),
    }
    return Reminder.objects.create(
        schedule=make_schedule(patient), patient=patient, due_at=SENT_AT, **(fields | kwargs)
    )


def _assigned(plan, user, slug="how-pain-works") -> EducationAssignment:
    return education_assign(plan=plan, item=EducationItem.objects.get(slug=slug), user=user)


def _read_url(assignment, token=TOKEN, version="") -> str:
    url = reverse("checkin_education_read", kwargs={"token": token, "assignment_id": assignment.pk})
    return f"{url}?version={version}" if version else url


@pytest.fixture
def plan(patient, clinician):
    return make_plan(patient, clinician)


def _limited(patient):
    CarePreferences.objects.create(patient=patient, forms_confidence=CarePreferences.FormsConfidence.A_LITTLE)


def test_the_plan_page_shows_the_item_read_after_the_patient_opens_it(
    patient, clinician, plan, visitor, login
):
    _limited(patient)
    assignment = _assigned(plan, clinician)
    _link(patient)
    plan_url = reverse("careplan_detail", kwargs={"patient_id": patient.pk, "plan_id": plan.pk})
    staff = login(clinician)
    assert "not read yet" in staff.get(plan_url).text

    with time_machine.travel(READ_AT, tick=False):
        link_page = visitor.get(reverse("checkin_form", args=[TOKEN]))
        assert "Things to read from your team" in link_page.text
        assert _read_url(assignment) in link_page.text
        page = visitor.get(_read_url(assignment))
    assert page.status_code == 200
    assert "Your pain is real." in page.text  # the plain-language version
    assignment.refresh_from_db()
    assert assignment.first_read_at == assignment.last_read_at == READ_AT
    assert assignment.read_plain is True
    assert "read 30 Nov 2026, plain-language version" in staff.get(plan_url).text


def test_reading_again_keeps_the_first_reading_and_records_the_last(patient, clinician, plan, visitor):
    assignment = _assigned(plan, clinician)
    _link(patient)
    with time_machine.travel(READ_AT, tick=False):
        visitor.get(_read_url(assignment))
    with time_machine.travel(READ_AT + timedelta(hours=20), tick=False):
        visitor.get(_read_url(assignment, version="plain"))
    assignment.refresh_from_db()
    assert assignment.first_read_at == READ_AT
    assert assignment.last_read_at == READ_AT + timedelta(hours=20)
    assert assignment.read_plain is True


def test_without_limited_literacy_the_full_version_opens_with_a_link_to_the_plain_one(
    patient, clinician, plan, visitor
):
    assignment = _assigned(plan, clinician)
    _link(patient)
    with time_machine.travel(READ_AT, tick=False):
        page = visitor.get(_read_url(assignment))
    assert "Hurt does not always mean harm." in page.text
    assert "Your pain is real." not in page.text
    assert 'href="?version=plain"' in page.text
    assignment.refresh_from_db()
    assert assignment.read_plain is False


def test_limited_literacy_opens_the_plain_version_and_the_full_one_is_a_choice(
    patient, clinician, plan, visitor
):
    _limited(patient)
    assignment = _assigned(plan, clinician)
    _link(patient)
    with time_machine.travel(READ_AT, tick=False):
        plain = visitor.get(_read_url(assignment))
        assert 'href="?version=full"' in plain.text
        full = visitor.get(_read_url(assignment, version="full"))
    assert "Hurt does not always mean harm." in full.text
    assignment.refresh_from_db()
    assert assignment.read_plain is False  # the version last shown


def test_the_read_is_audited_as_the_patients_own(patient, clinician, plan, visitor):
    assignment = _assigned(plan, clinician)
    _link(patient)
    with time_machine.travel(READ_AT, tick=False):
        visitor.get(_read_url(assignment))
    event = AuditEvent.objects.get(object_type="educationassignment", action=AuditEvent.Action.UPDATE)
    assert event.patient == patient
    assert event.actor is None and event.username == "patient link"
    assert set(event.changed_fields) == {"first_read_at", "last_read_at", "read_plain"}


def _unavailable_body(visitor) -> str:
    return visitor.get(reverse("checkin_form", args=["no-such-link"])).text


def test_a_wrong_or_expired_link_gets_the_unavailable_page_and_marks_nothing(
    patient, clinician, plan, visitor
):
    assignment = _assigned(plan, clinician)
    _link(patient)
    with time_machine.travel(READ_AT, tick=False):
        wrong = visitor.get(_read_url(assignment, token="not-the-token"))
        expected = _unavailable_body(visitor)
    with time_machine.travel(SENT_AT + timedelta(hours=48, seconds=1), tick=False):
        expired = visitor.get(_read_url(assignment))
    for response in (wrong, expired):
        assert response.status_code == 404
        assert response.text == expected
        assert "This link is not available" in response.text
    assignment.refresh_from_db()
    assert assignment.first_read_at is None and assignment.last_read_at is None
    assert not AuditEvent.objects.filter(object_type="educationassignment", action="update").exists()


def test_an_item_assigned_to_another_patient_gets_the_same_page_and_is_not_marked(
    patient, south_patient, clinician, outsider, plan, visitor
):
    theirs = _assigned(make_plan(south_patient, outsider), outsider)
    _link(patient)
    with time_machine.travel(READ_AT, tick=False):
        response = visitor.get(_read_url(theirs))
        expected = _unavailable_body(visitor)
    assert response.status_code == 404 and response.text == expected
    theirs.refresh_from_db()
    assert theirs.first_read_at is None


def test_retired_items_and_completed_plans_are_not_offered(patient, clinician, plan, visitor):
    retired = _assigned(plan, clinician, slug="sleep-and-pain")
    kept = _assigned(plan, clinician, slug="pacing-everyday-activity")
    EducationItem.objects.filter(slug="sleep-and-pain").update(active=False)
    _link(patient)
    with time_machine.travel(READ_AT, tick=False):
        link_page = visitor.get(reverse("checkin_form", args=[TOKEN])).text
        assert "Pacing: doing a little, often" in link_page and "Sleep and pain" not in link_page
        assert visitor.get(_read_url(retired)).status_code == 404
        CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.COMPLETED)
        assert visitor.get(_read_url(kept)).status_code == 404


def test_after_the_check_in_is_sent_the_thanks_page_lists_the_items_and_they_still_open(
    patient, clinician, plan, visitor
):
    assignment = _assigned(plan, clinician)
    _link(patient)
    with time_machine.travel(READ_AT, tick=False):
        thanks = visitor.post(
            reverse("checkin_form", args=[TOKEN]),
            {"mood": 6, "pain": 3, "sleep_quality": 7, "sleep_hours": 7, "stressors": ""},
        )
        assert "Thank you, Amelia" in thanks.text, thanks.text
        assert _read_url(assignment) in thanks.text
        page = visitor.get(_read_url(assignment))
    assert page.status_code == 200
    assert "Back to your check-in" not in page.text  # sent already: nothing to go back to


def test_the_reading_pages_share_the_links_rate_limit(patient, clinician, plan, visitor, settings):
    settings.PATIENT_LINK_RATE = 3
    assignment = _assigned(plan, clinician)
    _link(patient)
    with time_machine.travel(READ_AT, tick=False):
        statuses = [visitor.get(_read_url(assignment, token=f"guess-{n}")).status_code for n in range(3)]
        assert statuses == [404, 404, 404]
        refused = visitor.get(_read_url(assignment))
    assert refused.status_code == 429
    assignment.refresh_from_db()
    assert assignment.first_read_at is None


def test_the_reading_page_makes_as_many_queries_with_many_items(
    patient, clinician, plan, visitor, django_assert_max_num_queries
):
    first = _assigned(plan, clinician)
    _link(patient)
    with time_machine.travel(READ_AT, tick=False):
        with django_assert_max_num_queries(12) as few:
            visitor.get(_read_url(first))
        for slug in ("pacing-everyday-activity", "sleep-and-pain", "flare-up-plan", "your-team"):
            _assigned(plan, clinician, slug=slug)
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = visitor.get(_read_url(first))
    assert page.text.count('class="patient-reading-link"') == 4
