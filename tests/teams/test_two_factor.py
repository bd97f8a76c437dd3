"""Two-factor sign-in: who must, enrolment, a code used twice, backup codes once each."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from teams.models import AuditEvent

from ..factories import PASSWORD

PATIENTS = reverse("patient_list")


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True
    settings.REQUIRE_2FA = False


def _password(user) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _code(user) -> str:
    return f"{totp(TOTPDevice.objects.get(user=user).bin_key):06d}"


def _enrol(user, traveller) -> tuple[Client, list[str]]:
    client = _password(user)
    setup = client.get(PATIENTS)
    assert setup.url.startswith(reverse("two_factor_setup"))
    page = client.get(setup.url)
    assert "<svg" in page.text and "Type this key instead" in page.text
    wrong = client.post(setup.url, {"code": "000000" if _code(user) != "000000" else "111111"})
    assert "That code did not match" in wrong.text
    traveller.shift(timedelta(seconds=2))  # a wrong code slows the next try down (django-otp's throttle)
    done = client.post(setup.url, {"code": _code(user), "next": PATIENTS})
    codes = re.findall(r'<li class="col">(\w+)</li>', done.text)
    assert len(codes) == 10
    return client, codes


def test_a_lead_must_enrol_before_any_page_and_then_works(lead):
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        client, _codes = _enrol(lead, traveller)
        assert client.get(PATIENTS).status_code == 200
    assert TOTPDevice.objects.get(user=lead).confirmed
    assert AuditEvent.objects.filter(actor=lead, action="login", object_type="second factor").exists()


def test_the_enrolment_page_gets_its_javascript_catalogue_before_the_second_factor(lead):
    client = _password(lead)
    assert client.get(PATIENTS).url.startswith(reverse("two_factor_setup"))
    catalogue = client.get(reverse("javascript-catalog"))
    assert catalogue.status_code == 200 and "django.gettext" in catalogue.text


def test_a_clinician_needs_it_only_when_the_clinic_requires_it_for_everyone(clinician, settings):
    assert _password(clinician).get(PATIENTS).status_code == 200
    settings.REQUIRE_2FA = True
    assert _password(clinician).get(PATIENTS).url.startswith(reverse("two_factor_setup"))
    settings.TWO_FACTOR_ENFORCED = False  # development: the demo logins work with a password
    assert _password(clinician).get(PATIENTS).status_code == 200


def test_a_code_is_refused_the_second_time_and_the_next_one_works(lead):
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        _client, _codes = _enrol(lead, traveller)
        used = _code(lead)  # the code just used to enrol
        again = _password(lead)
        assert again.get(PATIENTS).url.startswith(reverse("two_factor_verify"))
        refused = again.post(reverse("two_factor_verify"), {"code": used})
        assert "That code did not work" in refused.text
        assert AuditEvent.objects.filter(
            actor=lead, action="login_failed", object_type="second factor"
        ).exists()
        traveller.shift(timedelta(seconds=31))
        fresh = again.post(reverse("two_factor_verify"), {"code": _code(lead), "next": PATIENTS})
        assert fresh.status_code == 302 and fresh.url == PATIENTS
        assert again.get(PATIENTS).status_code == 200


def test_a_backup_code_works_once(lead):
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        _client, codes = _enrol(lead, traveller)
        first = _password(lead)
        assert first.post(reverse("two_factor_verify"), {"code": codes[0]}).status_code == 302
        assert first.get(PATIENTS).status_code == 200
        second = _password(lead)
        assert "That code did not work" in second.post(reverse("two_factor_verify"), {"code": codes[0]}).text
        traveller.shift(timedelta(seconds=2))  # past the throttle a wrong code sets
        assert second.post(reverse("two_factor_verify"), {"code": codes[1]}).status_code == 302


def test_verification_never_sends_off_site_and_changes_the_session_key(lead):
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        _enrol(lead, traveller)
        traveller.shift(timedelta(seconds=30))
        client = _password(lead)
        before = client.session.session_key
        response = client.post(
            reverse("two_factor_verify"), {"code": _code(lead), "next": "https://evil.example/"}
        )
        assert response.url == PATIENTS
        assert client.session.session_key != before


def test_an_api_token_needs_the_second_factor_too(lead):
    def token(code: str | None = None):
        body = {"username": lead.username, "password": PASSWORD} | (
            {"code": code} if code is not None else {}
        )
        return Client().post(reverse("api_token"), body, content_type="application/json")

    not_enrolled = token()
    assert not_enrolled.status_code == 400 and "Set up two-factor" in not_enrolled.json()["errors"]["code"][0]
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        _client, codes = _enrol(lead, traveller)
        used = _code(lead)
        assert token().status_code == 400  # the password alone
        assert token(used).status_code == 400  # the code used to enrol, again
        traveller.shift(timedelta(seconds=31))
        fresh = token(_code(lead))
        assert fresh.status_code == 200 and fresh.json()["token"]
        assert token(codes[0]).status_code == 200
        traveller.shift(timedelta(seconds=2))
        assert token(codes[0]).status_code == 400  # a backup code works once
    assert (
        AuditEvent.objects.filter(actor=lead, action="login_failed", object_type="second factor").count() == 3
    )
