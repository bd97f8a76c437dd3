"""The fallback channel on the schedule editor: saved with the day the patient agreed to it, refused with a
message by its field when it is the reminders' own channel, has no contact to reach, or lacks a day (or
has one in the future)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from checkins.models import Schedule
from teams.models import AuditEvent

from .factories import make_schedule
from .test_receipts import MOBILE

TODAY = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def editor(login, clinician, patient):
    client = login(clinician)
    url = reverse("checkin_schedule", kwargs={"patient_id": patient.pk})
    form = client.get(url).context["form"]
    posted = {name: value for name, value in form.initial.items() if value is not None}
    posted["local_time"] = "18:00"
    posted.pop("weekdays", None)

    def post(**changes):
        return client.post(url, posted | changes)

    return post


@pytest.fixture
def with_mobile(patient):
    patient.mobile = MOBILE
    patient.save(update_fields=["mobile"])
    make_schedule(patient, channel="email")
    return patient


def test_the_editor_offers_a_fallback_and_its_day(login, clinician, with_mobile):
    page = login(clinician).get(reverse("checkin_schedule", kwargs={"patient_id": with_mobile.pk})).text
    assert "If it fails for good, by" in page and "Agreed to the fallback on" in page
    assert '<option value="" selected>No fallback</option>' in page


def test_a_fallback_with_the_day_they_agreed_is_saved_and_audited(login, clinician, with_mobile):
    response = editor(login, clinician, with_mobile)(
        fallback_channel="sms", fallback_consent_given_on="2026-03-02"
    )
    assert response.status_code == 302
    schedule = Schedule.objects.get(patient=with_mobile)
    assert (schedule.fallback_channel, schedule.fallback_consent_given_on) == ("sms", date(2026, 3, 2))
    event = AuditEvent.objects.filter(object_type="schedule").latest("id")
    assert {"fallback_channel", "fallback_consent_given_on"} <= set(event.changed_fields)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"fallback_channel": "email", "fallback_consent_given_on": "2026-03-01"}, "fallback_channel",
         "Choose a fallback other than the reminders' own channel, or none."),
        ({"fallback_channel": "sms"}, "fallback_consent_given_on",
         "A fallback needs the patient's agreement: enter the day they agreed to it."),
        ({"fallback_channel": "sms", "fallback_consent_given_on": "2026-03-03"}, "fallback_consent_given_on",
         "The day they agreed cannot be in the future."),
    ],
)  # fmt: skip
def test_a_fallback_is_refused_by_its_field(login, clinician, with_mobile, changes, field, message):
    response = editor(login, clinician, with_mobile)(**changes)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Schedule.objects.get(patient=with_mobile).fallback_channel == ""


def test_no_fallback_to_a_channel_the_patient_has_no_contact_for(login, clinician, patient):
    make_schedule(patient, channel="email")
    post = editor(login, clinician, patient)
    response = post(fallback_channel="sms", fallback_consent_given_on="2026-03-01")
    assert response.context["form"].errors["fallback_channel"] == [
        "The patient has no mobile number: add one, or choose no fallback."
    ]


def test_without_a_fallback_no_day_of_agreement_is_kept(login, clinician, with_mobile):
    post = editor(login, clinician, with_mobile)
    response = post(fallback_channel="", fallback_consent_given_on="2026-03-01")
    assert response.status_code == 302
    assert Schedule.objects.get(patient=with_mobile).fallback_consent_given_on is None
