"""A caregiver's consent scope on the plan: recorded through the caregiver form (who, when, how, until),
withdrawn on its own page (stopping everything at once), given again as a new consent, and shown on the
plan page with the latest messages."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from careplans.models import Caregiver, CaregiverScope
from careplans.services import caregiver_consent_withdraw, part_create
from checkins.models import CaregiverMessage
from teams.models import AuditEvent

from .factories import make_plan

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def on_the_day():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def plan(patient, clinician):
    return make_plan(patient, clinician)


def _new_url(plan):
    return reverse(
        "careplan_part_new", kwargs={"patient_id": plan.patient_id, "plan_id": plan.pk, "part": "caregiver"}
    )


def _edit_url(caregiver):
    return reverse(
        "careplan_part_edit",
        kwargs={
            "patient_id": caregiver.plan.patient_id,
            "plan_id": caregiver.plan_id,
            "part": "caregiver",
            "part_id": caregiver.pk,
        },
    )


def _withdraw_url(caregiver):
    return reverse(
        "careplan_caregiver_withdraw",
        kwargs={
            "patient_id": caregiver.plan.patient_id,
            "plan_id": caregiver.plan_id,
            "caregiver_id": caregiver.pk,
        },
    )


FORM = {
    "name": "Maria",
    "relationship": "daughter",
    "contact": "maria@example.org",
    "role_in_plan": "walks with her twice a week",
    "consent_scopes": ["progress_reports", "education"],
    "consent_given_by": "the patient",
    "consent_given_on": "2026-11-02",
    "consent_recorded_how": "written",
    "consent_until": "",
}


def _caregiver(plan, user, **kwargs) -> Caregiver:
    fields = {
        "name": "Maria",
        "relationship": "daughter",
        "contact": "maria@example.org",
        "consent_scopes": [CaregiverScope.PROGRESS_REPORTS],
        "consent_given_by": "the patient",
        "consent_given_on": date(2026, 11, 2),
        "consent_recorded_how": "verbal",
    }
    return part_create(instance=Caregiver(plan=plan, **(fields | kwargs)), user=user)


def test_a_consent_recorded_on_the_form_names_who_recorded_it(login, plan, clinician):
    response = login(clinician).post(_new_url(plan), FORM)
    assert response.status_code == 302
    caregiver = Caregiver.objects.get()
    assert caregiver.consent_scopes == ["progress_reports", "education"]
    assert (caregiver.consent_given_by, caregiver.consent_given_on) == ("the patient", date(2026, 11, 2))
    assert caregiver.consent_recorded_how == "written" and caregiver.consent_until is None
    assert caregiver.consent_recorded_by == clinician
    assert caregiver.consents_to("education", date(2026, 11, 30))
    assert not caregiver.consents_to("distress_signals", date(2026, 11, 30))


def test_a_scope_ticked_needs_who_when_and_how(login, plan, clinician):
    data = FORM | {"consent_given_by": "", "consent_given_on": "", "consent_recorded_how": ""}
    page = login(clinician).post(_new_url(plan), data)
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert errors["consent_given_by"] == ["Say who gave the consent (e.g. the patient)."]
    assert errors["consent_given_on"] == ["Enter the day the consent was given."]
    assert errors["consent_recorded_how"] == ["Say how the consent was given: verbally or in writing."]
    assert not Caregiver.objects.exists()


def test_no_scope_needs_no_consent_details(login, plan, clinician):
    data = FORM | {"consent_scopes": [], "consent_given_by": "", "consent_given_on": ""}
    data["consent_recorded_how"] = ""
    assert login(clinician).post(_new_url(plan), data).status_code == 302
    caregiver = Caregiver.objects.get()
    assert caregiver.consent_scopes == [] and caregiver.consent_recorded_by is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consent_given_on": "2026-12-01"}, "consent_given_on", "cannot be in the future"),
        ({"consent_until": "2026-11-01"}, "consent_until", "Consent cannot end before the day it was given."),
        ({"contact": "via the patient"}, "contact", "Enter an email address or a mobile number"),
        ({"contact": "0161 496 0000"}, "contact", "Enter an email address or a mobile number"),
        ({"consent_scopes": ["gossip"]}, "consent_scopes", "Select a valid choice"),
    ],
)
def test_each_field_says_what_is_wrong(login, plan, clinician, changes, field, message):
    page = login(clinician).post(_new_url(plan), FORM | changes)
    assert page.status_code == 200
    assert message in " ".join(page.context["form"].errors[field])
    assert not Caregiver.objects.exists()


def test_a_mobile_number_is_a_contact(login, plan, clinician):
    assert login(clinician).post(_new_url(plan), FORM | {"contact": "07911 123456"}).status_code == 302


def test_scopes_changed_later_are_kept_in_history_and_recorded_by_the_editor(
    login, plan, clinician, colleague
):
    caregiver = _caregiver(plan, clinician)
    data = FORM | {"consent_scopes": ["appointment_reminders"], "version": caregiver.version}
    assert login(colleague).post(_edit_url(caregiver), data).status_code == 302
    caregiver.refresh_from_db()
    assert caregiver.consent_scopes == ["appointment_reminders"]
    assert caregiver.consent_recorded_by == colleague
    versions = list(caregiver.history.order_by("history_date").values_list("consent_scopes", flat=True))
    assert versions == [["progress_reports"], ["appointment_reminders"]]
    timeline = login(colleague).get(plan.get_absolute_url()).text
    assert "May receive: Progress reports → Appointment reminders" in timeline


def test_an_edit_of_other_fields_keeps_who_recorded_the_consent(login, plan, clinician, colleague):
    caregiver = _caregiver(plan, clinician)
    data = FORM | {
        "consent_scopes": ["progress_reports"],
        "consent_recorded_how": "verbal",
        "contact": "maria.k@example.org",
        "version": caregiver.version,
    }
    assert login(colleague).post(_edit_url(caregiver), data).status_code == 302
    caregiver.refresh_from_db()
    assert caregiver.contact == "maria.k@example.org" and caregiver.consent_recorded_by == clinician


def test_withdrawal_is_confirmed_then_stops_everything_at_once(login, plan, patient, clinician, colleague):
    caregiver = _caregiver(plan, clinician)
    queued = CaregiverMessage.objects.create(
        caregiver=caregiver,
        patient=patient,
        scope="progress_reports",
        subject="s",
        body="b",
        queued_by=clinician,
    )
    sent = CaregiverMessage.objects.create(
        caregiver=caregiver,
        patient=patient,
        scope="progress_reports",
        subject="s",
        body="b",
        queued_by=clinician,
        status="sent",
        sent_at=NOW,
    )
    client = login(colleague)
    confirm = client.get(_withdraw_url(caregiver))
    assert confirm.status_code == 200
    assert (
        "Withdraw consent for Maria" in confirm.text
        and "messages still waiting to go are refused" in confirm.text
    )
    assert Caregiver.objects.get(pk=caregiver.pk).consent_withdrawn_at is None

    response = client.post(_withdraw_url(caregiver), {"note": "told us at today's session"}, follow=True)
    assert "Consent withdrawn: nothing more is sent to Maria. 1 queued message refused." in response.text
    caregiver.refresh_from_db()
    assert caregiver.consent_withdrawn_at == NOW and caregiver.consent_withdrawn_by == colleague
    assert caregiver.consent_withdrawal_note == "told us at today's session"
    # Nothing else cleared: what was consented stays for the history.
    assert caregiver.consent_scopes == ["progress_reports"] and caregiver.consent_given_on == date(
        2026, 11, 2
    )
    assert not caregiver.consents_to("progress_reports", date(2026, 11, 30))
    queued.refresh_from_db()
    sent.refresh_from_db()
    assert (queued.status, queued.refused_reason) == ("refused", "consent withdrawn on 30 Nov 2026")
    assert sent.status == "sent"
    assert AuditEvent.objects.filter(
        actor=colleague,
        object_type="caregiver",
        object_id=str(caregiver.pk),
        changed_fields=["consent_withdrawal_note", "consent_withdrawn_at", "consent_withdrawn_by"],
    ).exists()
    assert AuditEvent.objects.filter(
        actor=colleague, object_type="caregivermessage", object_id=str(queued.pk)
    ).exists()
    assert caregiver.history.count() == 2
    assert "Consent withdrawn on 30 Nov 2026" in response.text
    assert "told us at today" in response.text
    assert "Consent withdrawn at: — → 30 Nov 2026, 10:00" in response.text  # the plan's history


def test_withdrawing_twice_is_refused_and_keeps_the_first(login, plan, clinician, colleague):
    caregiver = _caregiver(plan, clinician)
    caregiver_consent_withdraw(caregiver=caregiver, user=clinician)
    response = login(colleague).post(_withdraw_url(caregiver), {"note": ""}, follow=True)
    assert "Consent was already withdrawn on 30 Nov 2026." in response.text
    caregiver.refresh_from_db()
    assert caregiver.consent_withdrawn_by == clinician


def test_an_edit_begun_before_a_withdrawal_keeps_the_withdrawal(login, plan, clinician, colleague):
    caregiver = _caregiver(plan, clinician)
    loaded = caregiver.version
    caregiver_consent_withdraw(caregiver=caregiver, user=colleague)
    data = FORM | {
        "consent_scopes": ["progress_reports"],
        "consent_recorded_how": "verbal",
        "contact": "maria.k@example.org",
        "version": loaded,
    }
    assert login(clinician).post(_edit_url(caregiver), data).status_code == 302
    caregiver.refresh_from_db()
    assert caregiver.contact == "maria.k@example.org"
    assert caregiver.consent_withdrawn_at == NOW


def test_consent_given_again_after_withdrawal_is_a_new_consent(login, plan, clinician, colleague):
    caregiver = _caregiver(plan, clinician)
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False):
        caregiver_consent_withdraw(caregiver=caregiver, user=clinician, note="upset about the last report")
    caregiver.refresh_from_db()
    client = login(colleague)
    form = client.get(_edit_url(caregiver))
    assert "Consent was withdrawn on 20 Nov 2026" in form.text
    too_early = FORM | {"consent_given_on": "2026-11-19", "version": caregiver.version}
    page = client.post(_edit_url(caregiver), too_early)
    assert page.context["form"].errors["consent_given_on"] == [
        "A new consent is given on or after its withdrawal on 20 Nov 2026."
    ]
    again = FORM | {"consent_scopes": ["appointment_reminders"], "consent_given_on": "2026-11-28"}
    assert client.post(_edit_url(caregiver), again | {"version": caregiver.version}).status_code == 302
    caregiver.refresh_from_db()
    assert caregiver.consent_withdrawn_at is None and caregiver.consent_withdrawal_note == ""
    assert caregiver.consent_recorded_by == colleague
    assert caregiver.consents_to("appointment_reminders", date(2026, 11, 30))
    assert AuditEvent.objects.filter(
        actor=colleague, object_type="caregiver", changed_fields__contains=["consent_withdrawn_at"]
    ).exists()
    # The withdrawal stays in the history.
    assert caregiver.history.filter(consent_withdrawal_note="upset about the last report").exists()


def test_the_plan_page_shows_each_caregivers_consent_and_the_latest_messages(login, plan, patient, clinician):
    written = _caregiver(
        plan,
        clinician,
        name="Aisha",
        consent_scopes=["education", "distress_signals"],
        consent_recorded_how="written",
        consent_until=date(2027, 5, 31),
    )
    _caregiver(plan, clinician, name="Ben", consent_until=date(2026, 11, 29))
    gone = _caregiver(plan, clinician, name="Cara")
    caregiver_consent_withdraw(caregiver=gone, user=clinician)
    _caregiver(plan, clinician, name="Dev", consent_scopes=[], consent_given_on=None, consent_given_by="")
    CaregiverMessage.objects.create(
        caregiver=written,
        patient=patient,
        scope="education",
        subject="How to help",
        body="b",
        queued_by=clinician,
        status="refused",
        refused_reason="no consent to education",
    )
    text = login(clinician).get(plan.get_absolute_url()).text
    assert "May receive: <strong>education, distress-signal guidance</strong>" in text
    assert "Consent given by the patient on 2 Nov 2026, in writing" in text
    assert "until 31 May 2027" in text
    assert "ended on 29 Nov 2026" in text
    assert "Consent withdrawn on 30 Nov 2026" in text
    assert "No consent recorded: nothing is sent." in text
    assert "“How to help”" in text and "no consent to education" in text
    # Send and withdraw only where there is a consent to act on.
    assert text.count("Send to caregiver<") == 2 and text.count("Withdraw consent<") == 2
    # The report for a caregiver only where progress reports are consented to (ended or not: it says why).
    assert text.count("Progress report<") == 1 and f"?caregiver={written.pk}" not in text


def test_the_plan_page_runs_the_same_queries_for_1_or_8_caregivers_with_messages(
    login, plan, patient, clinician, colleague
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(clinician)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(plan.get_absolute_url()).status_code == 200
        return len(queries)

    first = _caregiver(plan, clinician, name="Aisha")
    few = count()
    for number in range(7):
        caregiver = _caregiver(plan, colleague, name=f"Carer {number}")
        caregiver_consent_withdraw(caregiver=caregiver, user=colleague)
        for _ in range(3):
            CaregiverMessage.objects.create(
                caregiver=first,
                patient=patient,
                scope="education",
                subject="s",
                body="b",
                queued_by=clinician,
            )
    assert count() == few


def test_an_outsider_cannot_withdraw(login, plan, clinician, outsider):
    caregiver = _caregiver(plan, clinician)
    client = login(outsider)
    assert client.get(_withdraw_url(caregiver)).status_code == 404
    assert client.post(_withdraw_url(caregiver), {"note": ""}).status_code == 404
    caregiver.refresh_from_db()
    assert caregiver.consent_withdrawn_at is None


def test_a_caregiver_of_another_plan_is_not_found_here(login, plan, patient, clinician):
    other = make_plan(patient, clinician)
    caregiver = _caregiver(other, clinician)
    url = reverse(
        "careplan_caregiver_withdraw",
        kwargs={"patient_id": patient.pk, "plan_id": plan.pk, "caregiver_id": caregiver.pk},
    )
    assert login(clinician).post(url, {"note": ""}).status_code == 404
