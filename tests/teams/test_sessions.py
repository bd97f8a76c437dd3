"""Sessions end when they should: after 12 hours whatever, everywhere at the user's word, when the account
is deactivated or its rights change; the key changes at sign-in."""

from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from teams.models import AuditEvent, Membership, UserSession

from ..factories import PASSWORD

PATIENTS = reverse("patient_list")
PATIENTS_API = reverse("api_patient_list")


def _signed_in(user) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _signed_out(client: Client) -> bool:
    response = client.get(PATIENTS)
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_session_key_changes_at_sign_in(client, clinician):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": clinician.username, "password": PASSWORD})
    assert client.session.session_key != before
    assert UserSession.objects.filter(user=clinician, session_key=client.session.session_key).exists()


def test_a_session_ends_12_hours_after_sign_in_however_active(clinician):
    with time_machine.travel("2026-03-02 08:00 +00:00", tick=False) as traveller:
        client = _signed_in(clinician)
        for _ in range(12 * 6 - 1):  # busy all day: a page every ten minutes, to 11 h 50 min
            traveller.shift(timedelta(minutes=10))
            assert client.get(PATIENTS).status_code == 200
        traveller.shift(timedelta(minutes=9))
        assert client.get(PATIENTS).status_code == 200  # 11 h 59 min
        traveller.shift(timedelta(minutes=2))
        assert _signed_out(client)


def test_sign_out_everywhere_ends_every_session_and_token(clinician, api_as):
    laptop, ward_pc = _signed_in(clinician), _signed_in(clinician)
    AuthToken.objects.create(clinician)
    response = laptop.post(reverse("logout_everywhere"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert _signed_out(laptop) and _signed_out(ward_pc)
    assert not AuthToken.objects.filter(user=clinician).exists()
    assert not UserSession.objects.filter(user=clinician).exists()
    assert AuditEvent.objects.filter(actor=clinician, object_type="every session", object_id="2").exists()


def test_deactivating_an_account_ends_its_sessions_and_tokens(clinician, django_capture_on_commit_callbacks):
    client = _signed_in(clinician)
    AuthToken.objects.create(clinician)
    key = client.session.session_key
    with django_capture_on_commit_callbacks(execute=True):
        clinician.is_active = False
        clinician.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert not AuthToken.objects.filter(user=clinician).exists()
    assert _signed_out(client)


def test_a_change_of_rights_signs_the_user_in_again(clinician, north, django_capture_on_commit_callbacks):
    client = _signed_in(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.filter(user=clinician, team=north).update(role=Membership.Role.LEAD)
        Membership.objects.get(user=clinician, team=north).save()
    assert _signed_out(client)
    again = _signed_in(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        clinician.is_clinic_admin = True
        clinician.save()
    assert _signed_out(again)


def test_an_ordinary_save_or_sign_in_does_not_end_other_sessions(
    clinician, django_capture_on_commit_callbacks
):
    first = _signed_in(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        clinician.first_name = "Priyanka"
        clinician.save()
        _signed_in(clinician)
    assert first.get(PATIENTS).status_code == 200


def test_stay_signed_in_renews_and_pages_carry_the_idle_deadline(clinician):
    client = _signed_in(clinician)
    page = client.get(PATIENTS).text
    assert 'data-idle-seconds="840"' in page and 'data-warn-seconds="120"' in page
    assert 'id="session-warning"' in page and "js/session-timeout.js" in page
    assert client.post(reverse("session_keepalive")).status_code == 204
    assert Client().post(reverse("session_keepalive")).status_code == 302


def test_a_change_of_rights_revokes_the_users_api_tokens(
    clinician, north, api_as, django_capture_on_commit_callbacks
):
    api = api_as(clinician)
    assert api.get(PATIENTS_API).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.filter(user=clinician, team=north).delete()
    assert api.get(PATIENTS_API).status_code == 401
    api = api_as(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        clinician.is_clinic_admin = True
        clinician.save()
    assert api.get(PATIENTS_API).status_code == 401


def test_a_new_password_revokes_api_tokens_and_keeps_the_session_that_changed_it(
    clinician, api_as, django_capture_on_commit_callbacks
):
    api = api_as(clinician)
    client = _signed_in(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "a-brand-new-long-passphrase",
                "new_password2": "a-brand-new-long-passphrase",
            },
        )
    assert changed.status_code == 302
    assert api.get(PATIENTS_API).status_code == 401
    assert not AuthToken.objects.filter(user=clinician).exists()
    assert client.get(PATIENTS).status_code == 200
