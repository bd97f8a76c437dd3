"""Links in reminders and who sees them: opt-out links expire and belong to one schedule, the patient-link
rate limit counts each patient behind the clinic's proxy on their own, and the development outbox (whose
messages hold working links) is for clinic admins only."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from checkins import services
from checkins.models import OutboxMessage, Schedule

from .factories import make_schedule

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _body(response) -> str:
    return re.sub(r'value="[^"]+"|"X-CSRFToken": "[^"]+"', "", response.text)


def _path(link: str) -> str:
    return re.search(r"/stop/[^/\s]+/", link).group(0)


@pytest.fixture
def visitor():
    """A patient's phone, at an address of its own (the link rate limit counts per address)."""
    return Client(REMOTE_ADDR=f"192.0.2.{uuid.uuid4().int % 250 + 1}")


def test_an_opt_out_link_works_for_opt_out_link_days_and_not_after(patient, settings, visitor):
    settings.OPT_OUT_LINK_DAYS = 90
    with time_machine.travel(T0, tick=False) as traveller:
        stop = _path(services.opt_out_link(make_schedule(patient)))
        bad = visitor.get("/stop/forged-value/")
        traveller.shift(timedelta(days=90) - timedelta(minutes=1))
        assert "Stop check-in reminders?" in visitor.get(stop).text
        traveller.shift(timedelta(minutes=2))
        expired = visitor.get(stop)
        assert expired.status_code == 404
        assert _body(expired) == _body(bad)
        assert visitor.post(stop).status_code == 404
    patient.refresh_from_db()
    assert patient.consent_to_reminders is True


def test_an_opt_out_link_belongs_to_its_schedule_not_to_an_id(patient, visitor):
    schedule = make_schedule(patient)
    stop = _path(services.opt_out_link(schedule))
    old_id = schedule.pk
    schedule.delete()
    # The same id again (as after a restore into a fresh database), for a schedule made later.
    again = make_schedule(patient, id=old_id)
    assert again.created_at != schedule.created_at
    assert visitor.get(stop).status_code == 404
    assert "Stop check-in reminders?" in visitor.get(_path(services.opt_out_link(again))).text


def test_a_signed_value_naming_another_schedule_is_refused(patient, south_patient, visitor):
    mine, other = make_schedule(patient), make_schedule(south_patient)
    created = (mine.created_at - services.EPOCH) // timedelta(microseconds=1)
    crossed = signing.dumps([other.pk, created], salt=services.OPT_OUT_SALT)
    assert services.schedule_from_signed(crossed) is None
    assert visitor.post(reverse("checkin_opt_out", args=[crossed])).status_code == 404
    assert not Schedule.objects.filter(opted_out_at__isnull=False).exists()


def test_links_of_the_earlier_format_get_the_bad_link_page(patient, visitor):
    schedule = make_schedule(patient)
    earlier = signing.dumps(schedule.pk, salt="checkins.opt-out")
    bare_id_under_the_new_salt = signing.dumps(schedule.pk, salt=services.OPT_OUT_SALT)
    bad = visitor.get("/stop/forged-value/")
    for value in (earlier, bare_id_under_the_new_salt):
        response = visitor.post(reverse("checkin_opt_out", args=[value]))
        assert response.status_code == 404
        assert _body(response) == _body(bad)
    schedule.refresh_from_db()
    assert schedule.opted_out_at is None


def test_behind_the_proxy_each_patient_has_their_own_link_rate_limit(settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PATIENT_LINK_RATE = 3
    first, second = "198.51.100.31", "198.51.100.32"
    cache.delete_many([f"patient-link-rate:{address}" for address in (first, second, "10.0.0.2")])

    def guess(address: str) -> int:
        url = reverse("checkin_form", args=[f"guess-{uuid.uuid4().hex}"])
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=address).get(url).status_code

    assert [guess(first) for _ in range(4)] == [404, 404, 404, 429]
    assert guess(second) == 404


@pytest.mark.parametrize("role", ["clinician", "lead", "outsider"])
def test_the_outbox_is_for_clinic_admins_only_even_in_development(request, login, settings, db, role):
    settings.DEBUG = True
    OutboxMessage.objects.create(
        channel="sms", to="+447700900123", body="Check in: https://x.example/r/secret/"
    )
    response = login(request.getfixturevalue(role)).get(reverse("outbox"))
    assert response.status_code == 404
    assert "/r/secret/" not in response.text


def test_a_clinic_admin_sees_the_outbox_in_development_and_nobody_without_debug(
    login, clinic_admin, settings
):
    OutboxMessage.objects.create(
        channel="sms", to="+447700900123", body="Check in: https://x.example/r/secret/"
    )
    settings.DEBUG = True
    assert "/r/secret/" in login(clinic_admin).get(reverse("outbox")).text
    settings.DEBUG = False
    assert login(clinic_admin).get(reverse("outbox")).status_code == 404
