"""Referrals from the plan, tracked to the end: consent, a resource or another service, the status flow
and its follow-ups, workplace accommodations, the plan's history, merging concurrent edits, the overdue
follow-up on the conference agenda and the owner's tasks, the letter as a PDF, and who may see them."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from careplans import agenda as careplans_agenda
from careplans.models import Referral, ResourceCategory
from careplans.selectors import plan_timeline
from careplans.services import EditConflict, part_update
from conferences.agenda import REASON_CODES, agenda_entries
from conferences.services import conference_plan
from teams.models import AuditEvent, Patient

from ..factories import PatientFactory
from .factories import make_goal, make_plan
from .referral_factories import make_referral, make_resource

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 10, 7)


def _at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False)


@pytest.fixture(autouse=True)
def on_a_wednesday():
    # Consent and sending cannot be in the future, follow-ups count from today: the tests pin today.
    with _at(TODAY):
        yield


@pytest.fixture
def plan(patient, clinician):
    plan = make_plan(patient, clinician)
    make_goal(plan, clinician, words="Back to my allotment")
    return plan


@pytest.fixture
def peers(lead):
    return make_resource(lead, "Pain Peers")


def _url(plan, name, **kwargs):
    return reverse(name, kwargs={"patient_id": plan.patient_id, "plan_id": plan.pk} | kwargs)


def _new_url(plan):
    return _url(plan, "careplan_part_new", part="referral")


def _edit_url(referral):
    return _url(referral.plan, "careplan_part_edit", part="referral", part_id=referral.pk)


def _api_url(referral):
    ids = {"patient_id": referral.plan.patient_id, "plan_id": referral.plan_id}
    return reverse("api_care_plan_part", kwargs=ids | {"part": "referral", "part_id": referral.pk})


def _posted(referral, **changes):
    """The edit form as loaded, with ``changes``."""
    data = {
        "version": referral.version,
        "resource": referral.resource_id or "",
        "service_name": referral.service_name,
        "service_contact": referral.service_contact,
        "category": referral.category,
        "reason": referral.reason,
        "consent_given_on": referral.consent_given_on.isoformat(),
        "consent_recorded_how": referral.consent_recorded_how,
        "consent_given_by": referral.consent_given_by,
        "sent_on": referral.sent_on.isoformat(),
        "owner": referral.owner_id,
        "status": referral.status,
        "follow_up_due": referral.follow_up_due.isoformat() if referral.follow_up_due else "",
        "outcome_note": referral.outcome_note,
        "accommodations": referral.accommodations,
        "accommodations_other": referral.accommodations_other,
        "accommodation_review_on": (
            referral.accommodation_review_on.isoformat() if referral.accommodation_review_on else ""
        ),
    }
    return data | changes


def test_referring_from_the_plan_to_a_directory_resource(login, clinician, plan, peers):
    client = login(clinician)
    form = client.get(_new_url(plan) + f"?resource={peers.pk}").context["form"]
    assert form.initial["resource"] == peers.pk
    assert form.initial["follow_up_due"] == TODAY + timedelta(days=14)
    assert [value for value, _label in form.fields["status"].choices] == ["sent"]
    response = client.post(
        _new_url(plan),
        {
            "resource": peers.pk,
            "reason": "Wants to meet others living with pain.",
            "consent_given_on": "2026-10-07",
            "consent_recorded_how": "verbal",
            "consent_given_by": "patient",
            "sent_on": "2026-10-07",
            "owner": clinician.pk,
            "status": "sent",
            "follow_up_due": "2026-10-21",
        },
    )
    assert response.url == plan.get_absolute_url()
    referral = Referral.objects.get()
    assert referral.resource == peers and referral.category == ResourceCategory.PEER_SUPPORT
    page = client.get(plan.get_absolute_url())
    assert "Pain Peers" in page.text and "follow up by 21 Oct 2026" in page.text.replace("\xa0", " ")


def test_consent_is_required_with_a_message_on_each_field(login, clinician, plan, peers):
    response = login(clinician).post(
        _new_url(plan),
        {
            "resource": peers.pk,
            "reason": "Peer support.",
            "sent_on": "2026-10-07",
            "owner": clinician.pk,
            "status": "sent",
            "follow_up_due": "2026-10-21",
        },
    )
    errors = response.context["form"].errors
    assert errors["consent_given_on"] == ["Enter the day the patient consented to the referral."]
    assert errors["consent_recorded_how"] == ["Say how consent was given: verbally or in writing."]
    assert errors["consent_given_by"] == ["Say who consented: the patient, or a caregiver on their behalf."]
    assert not Referral.objects.exists()


def test_consent_comes_before_sending(clinician, plan, peers):
    with pytest.raises(ValidationError) as refused:
        make_referral(plan, clinician, peers, sent_on=date(2026, 10, 5), consent_given_on=date(2026, 10, 6))
    assert "Consent comes before the referral is sent" in str(refused.value.message_dict["consent_given_on"])


def test_a_referral_goes_to_a_resource_or_another_service_not_neither_nor_both(clinician, plan, peers):
    with pytest.raises(ValidationError) as neither:
        make_referral(plan, clinician, service_name="")
    assert neither.value.message_dict["resource"] == [
        "Choose a resource from the directory, or name another service."
    ]
    with pytest.raises(ValidationError) as both:
        make_referral(plan, clinician, peers, service_name="Somewhere else")
    assert "not both" in both.value.message_dict["service_name"][0]
    with pytest.raises(ValidationError) as no_contact:
        make_referral(plan, clinician, service_name="Leeds Debt Line", service_contact="")
    assert "contact" in no_contact.value.message_dict["service_contact"][0]
    external = make_referral(plan, clinician)
    assert external.service == "Leeds Debt Line"


def test_attended_only_after_accepted_and_each_change_sets_the_next_follow_up(login, clinician, plan, peers):
    referral = make_referral(plan, clinician, peers, sent_on=date(2026, 9, 20))
    client = login(clinician)
    form = client.get(_edit_url(referral)).context["form"]
    assert {value for value, _label in form.fields["status"].choices} == {
        "sent",
        "accepted",
        "declined",
        "no_response",
    }
    refused = client.post(_edit_url(referral), _posted(referral, status="attended"))
    assert "Select a valid choice" in refused.context["form"].errors["status"][0]
    with pytest.raises(ValidationError) as direct:
        part_update(instance=referral, data={"status": "attended"}, expected_version=1, user=clinician)
    assert direct.value.message_dict["status"] == ["A referral is attended only after it was accepted."]
    # Accepted, the follow-up left as it was (already past): the next one is four weeks from today.
    client.post(_edit_url(referral), _posted(referral, status="accepted"))
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.follow_up_due == TODAY + timedelta(days=28)
    # Attended: it has ended, so it has no follow-up.
    client.post(_edit_url(referral), _posted(referral, status="attended", outcome_note="Goes every month."))
    referral.refresh_from_db()
    assert (referral.status, referral.follow_up_due) == ("attended", None)
    ended = client.get(_edit_url(referral)).context["form"]
    assert [value for value, _label in ended.fields["status"].choices] == ["attended"]


def test_a_chosen_next_follow_up_must_be_after_today(clinician, plan, peers):
    referral = make_referral(plan, clinician, peers, sent_on=date(2026, 9, 20))
    with pytest.raises(ValidationError) as refused:
        part_update(
            instance=referral,
            data={"status": "accepted", "follow_up_due": TODAY},
            expected_version=1,
            user=clinician,
        )
    assert refused.value.message_dict["follow_up_due"] == ["Set the next follow-up after today."]


def test_no_response_only_once_the_follow_up_date_has_passed(clinician, plan, peers):
    waiting = make_referral(plan, clinician, peers, sent_on=date(2026, 10, 1))  # follow up 15 October
    with pytest.raises(ValidationError) as early:
        part_update(
            instance=waiting,
            data={"status": "no_response", "follow_up_due": None},
            expected_version=1,
            user=clinician,
        )
    assert "once the follow-up date has passed" in early.value.message_dict["status"][0]
    with _at(date(2026, 10, 16)):
        closed = part_update(
            instance=waiting,
            data={"status": "no_response", "follow_up_due": None},
            expected_version=1,
            user=clinician,
        )
    assert closed.status == "no_response" and not closed.is_open


def test_workplace_referrals_record_the_accommodations_agreed_and_their_review(login, clinician, lead, plan):
    work = make_resource(lead, "Back to Work Leeds", category=ResourceCategory.WORKPLACE)
    peers = make_resource(lead, "Pain Peers")
    with pytest.raises(ValidationError) as not_workplace:
        make_referral(plan, clinician, peers, accommodations=["reduced_hours"])
    assert "workplace" in not_workplace.value.message_dict["accommodations"][0]
    referral = make_referral(plan, clinician, work, sent_on=date(2026, 9, 20))
    client = login(clinician)
    missing = client.post(
        _edit_url(referral), _posted(referral, accommodations=["reduced_hours", "ergonomic"])
    )
    assert missing.context["form"].errors["accommodation_review_on"] == [
        "Enter when to review the accommodations agreed."
    ]
    client.post(
        _edit_url(referral),
        _posted(
            referral,
            accommodations=["reduced_hours", "ergonomic"],
            accommodations_other="A sit-stand desk",
            accommodation_review_on="2026-11-04",
        ),
    )
    referral.refresh_from_db()
    assert referral.accommodation_labels == ["Reduced hours", "Ergonomic changes"]
    assert referral.accommodation_review_on == date(2026, 11, 4)
    page = client.get(plan.get_absolute_url()).text
    assert "Reduced hours, Ergonomic changes; A sit-stand desk" in page


def test_the_plan_history_records_each_change_who_when_before_and_after(
    login, clinician, colleague, plan, peers
):
    referral = make_referral(plan, clinician, peers, sent_on=date(2026, 9, 30))
    with _at(date(2026, 10, 8)):
        login(colleague).post(_edit_url(referral), _posted(referral, status="accepted"))
    entries = [entry for entry in plan_timeline(plan=plan) if entry.part == "Referral"]
    changed, added = entries
    assert added.what == "added referral: Pain Peers" and added.who == clinician
    assert changed.who == colleague and changed.what == "changed referral: Pain Peers"
    assert changed.at == datetime(2026, 10, 8, 12, tzinfo=LONDON)
    shown = {(change.label, change.before, change.after) for change in changed.changes}
    assert ("status", "Sent", "Accepted") in shown
    assert ("follow up by", "2026-10-14", "2026-11-05") in shown
    page = login(clinician).get(plan.get_absolute_url()).text
    assert "Status: Sent → Accepted" in page


def test_concurrent_edits_are_merged_and_a_clash_is_shown_not_undone(
    login, clinician, colleague, plan, peers
):
    referral = make_referral(plan, clinician, peers, sent_on=date(2026, 9, 30))
    loaded = _posted(referral)
    login(colleague).post(_edit_url(referral), loaded | {"outcome_note": "Group meets Thursdays."})
    # The clinician, from the version they loaded, records the acceptance: both changes kept.
    login(clinician).post(_edit_url(referral), loaded | {"status": "accepted"})
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.outcome_note == "Group meets Thursdays."
    assert referral.version == 3
    # Both change the outcome, differently: the second is asked which to keep.
    stale = _posted(referral)
    login(colleague).post(_edit_url(referral), stale | {"outcome_note": "Starts 12 November."})
    response = login(clinician).post(_edit_url(referral), stale | {"outcome_note": "Starts in December."})
    assert response.context["conflict"] is not None
    referral.refresh_from_db()
    assert referral.outcome_note == "Starts 12 November."
    with pytest.raises(EditConflict):
        part_update(instance=referral, data={"outcome_note": "Mine"}, expected_version=3, user=clinician)


def test_an_overdue_follow_up_is_a_reason_on_the_conference_agenda(clinician, lead, north, plan, peers):
    work = make_resource(lead, "Back to Work Leeds", category=ResourceCategory.WORKPLACE)
    make_referral(plan, clinician, peers, sent_on=date(2026, 10, 1))  # follow up by 15 October
    make_referral(
        plan,
        clinician,
        work,
        sent_on=date(2026, 10, 1),
        follow_up_due=date(2026, 11, 30),
        accommodations=["modified_duties"],
        accommodation_review_on=date(2026, 10, 20),
    )
    patients = Patient.objects.filter(pk=plan.patient_id)
    assert careplans_agenda.referral_follow_ups_overdue(patients, day=date(2026, 10, 15)) == []
    assert careplans_agenda.referral_follow_ups_overdue(patients, day=date(2026, 10, 16)) == [
        (plan.patient_id, "Referral follow-up overdue: Pain Peers, due 15 Oct")
    ]
    assert careplans_agenda.referral_follow_ups_overdue(patients, day=date(2026, 10, 20)) == [
        (plan.patient_id, "Referral follow-up overdue: Pain Peers, due 15 Oct"),
        (plan.patient_id, "Accommodation review due: Back to Work Leeds, 20 Oct"),
    ]
    assert "referral_follow_up" in REASON_CODES
    # On a conference planned for 16 October, the patient is listed for it.
    conference = conference_plan(
        team=north,
        starts_at=datetime(2026, 10, 16, 13, tzinfo=LONDON),
        chair=lead,
        attendees=[lead],
        user=lead,
    )
    with _at(date(2026, 10, 16), hour=9):
        entries = agenda_entries(conference)
    reasons = [reason for entry in entries if entry.patient.pk == plan.patient_id for reason in entry.reasons]
    assert {"code": "referral_follow_up", "label": "Referral follow-up overdue"}.items() <= next(
        r for r in reasons if r["code"] == "referral_follow_up"
    ).items()


def test_an_ended_referral_is_not_on_the_agenda(clinician, plan, peers):
    referral = make_referral(plan, clinician, peers, sent_on=date(2026, 9, 20))  # follow up by 4 October
    part_update(
        instance=referral,
        data={"status": "declined", "follow_up_due": None},
        expected_version=1,
        user=clinician,
    )
    patients = Patient.objects.filter(pk=plan.patient_id)
    assert careplans_agenda.referral_follow_ups_overdue(patients, day=TODAY) == []


def test_my_tasks_lists_the_referrals_i_follow_up_that_are_due(
    login, clinician, colleague, north, plan, peers, django_assert_max_num_queries
):
    due = make_referral(plan, clinician, peers, sent_on=date(2026, 9, 20))  # follow up by 4 October
    make_referral(plan, clinician, peers, sent_on=date(2026, 10, 6))  # not due yet
    make_referral(plan, colleague, peers, sent_on=date(2026, 9, 20))  # someone else's
    client = login(clinician)
    with CaptureQueriesContext(connection) as one:
        response = client.get(reverse("my_tasks"))
    assert response.context["referrals"] == [due]
    assert "Referrals to follow up" in response.text and "overdue" in response.text
    assert AuditEvent.objects.filter(actor=clinician, object_type="my tasks", patient=plan.patient).exists()
    for _n in range(8):
        other = make_plan(PatientFactory(team=north, primary_clinician=clinician), clinician)
        make_referral(other, clinician, peers, sent_on=date(2026, 9, 20))
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("my_tasks"))
    assert len(response.context["referrals"]) == 9


def test_the_referral_letter_is_a_pdf_with_the_service_and_reason(login, clinician, plan, peers):
    referral = make_referral(plan, clinician, peers)
    response = login(clinician).get(_url(plan, "careplan_referral_letter", referral_id=referral.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    words = " ".join(text.split())
    assert "Referral to Pain Peers" in words
    assert "wants to meet others managing pain" in words
    assert plan.patient.mrn in words and "Back to my allotment" in words
    assert "The patient consented to this referral" in words
    assert AuditEvent.objects.filter(
        actor=clinician, action="export", patient=plan.patient, object_type="referral letter"
    ).exists()


def test_an_outsider_gets_404_for_the_letter_and_the_referral(login, clinician, outsider, plan, peers):
    referral = make_referral(plan, clinician, peers)
    client = login(outsider)
    assert client.get(_url(plan, "careplan_referral_letter", referral_id=referral.pk)).status_code == 404
    assert client.get(_edit_url(referral)).status_code == 404
    assert client.post(_edit_url(referral), _posted(referral, status="accepted")).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_a_referral_of_another_plan_is_not_found_through_this_one(login, clinician, plan, peers, patient):
    other = make_plan(patient, clinician, start_date=date(2026, 6, 1), review_date=date(2026, 8, 1))
    referral = make_referral(other, clinician, peers)
    response = login(clinician).get(_url(plan, "careplan_referral_letter", referral_id=referral.pk))
    assert response.status_code == 404


def test_the_plan_page_is_audited_and_its_queries_do_not_grow_with_referrals(
    login, clinician, plan, peers, django_assert_max_num_queries
):
    make_referral(plan, clinician, peers)
    client = login(clinician)
    with CaptureQueriesContext(connection) as one:
        client.get(plan.get_absolute_url())
    for _n in range(6):
        make_referral(plan, clinician, peers)
    with django_assert_max_num_queries(len(one)):
        response = client.get(plan.get_absolute_url())
    assert len(response.context["referrals"]) == 7
    assert AuditEvent.objects.filter(actor=clinician, action="view", patient=plan.patient).exists()


def test_the_demo_seeds_the_directory_and_three_referrals_on_north_plans(
    north, south, lead, clinician, outsider
):
    from careplans.demo import demo_directory_seed
    from careplans.directory import resources_to_verify
    from careplans.models import CarePlan, CommunityResource
    from teams.demo import DemoCalendar

    patients = [PatientFactory(team=north, primary_clinician=clinician) for _ in range(4)]
    elsewhere = PatientFactory(team=south, primary_clinician=outsider)
    for patient in [*patients, elsewhere]:
        plan = make_plan(patient, patient.primary_clinician)
        CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.ACTIVE)
    calendar = DemoCalendar.at(datetime(2026, 10, 7, 12, tzinfo=LONDON))

    assert demo_directory_seed(calendar) == 3
    assert CommunityResource.objects.count() == 6
    assert [r.name for r in resources_to_verify(today=TODAY)] == ["Chapel Allerton Befriending Scheme"]
    referrals = {r.resource.category: r for r in Referral.objects.select_related("resource", "plan__patient")}
    assert {r.plan.patient.team_id for r in referrals.values()} == {north.pk}
    assert referrals["peer_support"].status == "accepted"
    work = referrals["workplace"]
    assert (
        work.accommodation_labels == ["Reduced hours", "Ergonomic changes"] and work.accommodation_review_on
    )
    overdue = referrals["mental_health"]
    north_patients = Patient.objects.filter(team=north)
    found = careplans_agenda.referral_follow_ups_overdue(north_patients, day=calendar.next_day)
    assert [patient_id for patient_id, _detail in found] == [overdue.plan.patient_id]
    # Each is in its plan's history, written by the patient's clinician.
    assert referrals["peer_support"].history.count() == 2
    assert demo_directory_seed(calendar) == 0 and Referral.objects.count() == 3


def test_the_api_reads_a_referral_and_records_its_acceptance(api_as, clinician, outsider, plan, peers):
    referral = make_referral(plan, clinician, peers, sent_on=date(2026, 9, 20))
    url = _api_url(referral)
    shown = api_as(clinician).get(url).json()
    assert (shown["status"], shown["resource"], shown["version"]) == ("sent", peers.pk, 1)
    attended = api_as(clinician).patch(url, {"version": 1, "status": "attended"}, format="json")
    assert attended.status_code == 400 and "status" in attended.json()["errors"]
    # The API changes only the fields sent: a follow-up already past is asked for, not guessed.
    asked = api_as(clinician).patch(url, {"version": 1, "status": "accepted"}, format="json")
    assert asked.json()["errors"] == {"follow_up_due": ["Set the next follow-up after today."]}
    accepted = api_as(clinician).patch(
        url, {"version": 1, "status": "accepted", "follow_up_due": "2026-11-04"}, format="json"
    )
    assert accepted.json()["status"] == "accepted" and accepted.json()["follow_up_due"] == "2026-11-04"
    assert api_as(outsider).get(url).status_code == 404


def test_the_api_shows_the_accommodations_agreed(api_as, clinician, lead, plan):
    work = make_resource(lead, "Back to Work Leeds", category=ResourceCategory.WORKPLACE)
    referral = make_referral(
        plan, clinician, work, accommodations=["reduced_hours"], accommodation_review_on=date(2026, 11, 4)
    )
    url = _api_url(referral)
    shown = api_as(clinician).get(url).json()
    assert shown["accommodations"] == ["reduced_hours"] and shown["accommodation_review_on"] == "2026-11-04"
