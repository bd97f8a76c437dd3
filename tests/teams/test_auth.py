from datetime import timedelta

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from teams.models import AuditEvent

from ..factories import PASSWORD

LOGIN = reverse("login")


def _attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_lands_on_the_patient_list_and_is_audited(client, clinician):
    response = _attempt(client, "physio", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("patient_list")
    assert AuditEvent.objects.filter(actor=clinician, action=AuditEvent.Action.LOGIN).count() == 1


def test_wrong_password_is_refused_and_audited(client, clinician):
    response = _attempt(client, "physio", "not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor == clinician
    assert event.username == "physio"


def test_six_failed_logins_lock_the_account(client, clinician):
    for _ in range(5):
        _attempt(client, "physio", "guessing")
    # The sixth try is refused even with the right password.
    response = _attempt(client, "physio", PASSWORD)
    assert response.status_code == 429
    assert "Account locked" in response.text
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() >= 5


PROXY = "10.0.0.2"


def _from(address: str, username: str, password: str, *, via_proxy: bool = True):
    """A sign-in by someone at ``address``: through the clinic's proxy, or straight to the server."""
    if via_proxy:
        client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
    else:
        client = Client(REMOTE_ADDR=address)
    return client.post(LOGIN, {"username": username, "password": password})


def test_behind_the_proxy_wrong_passwords_lock_one_user_from_one_client_not_the_clinic(
    settings, clinician, colleague
):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _from("203.0.113.1", "physio", "guessing")
    locked = _from("203.0.113.1", "physio", PASSWORD)
    assert locked.status_code == 429 and "Account locked" in locked.text
    # Everyone else behind the same proxy still signs in: another user, and the same user elsewhere.
    assert _from("203.0.113.1", "psych", PASSWORD).status_code == 302
    assert _from("203.0.113.2", "psych", PASSWORD).status_code == 302
    assert _from("203.0.113.2", "physio", PASSWORD).status_code == 302


def test_an_x_forwarded_for_without_a_proxy_configured_does_not_dodge_the_lockout(settings, clinician):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        client = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        client.post(LOGIN, {"username": "physio", "password": "guessing"})
    dodging = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert dodging.post(LOGIN, {"username": "physio", "password": PASSWORD}).status_code == 429


def test_an_address_trying_many_usernames_is_locked_for_the_cool_off_from_its_lockout(settings, clinician):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_IP_FAILURE_LIMIT = 12
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        # Fewer tries per username than lock any of them, but many usernames: password spraying.
        for n in range(settings.AXES_IP_FAILURE_LIMIT // 2):
            traveller.shift(timedelta(minutes=2))
            for _ in range(2):
                _from("203.0.113.66", f"user{n}", "guessing")
        # Locked for every username, the right password too; other addresses are not.
        assert _from("203.0.113.66", "physio", PASSWORD).status_code == 429
        assert _from("203.0.113.67", "physio", PASSWORD).status_code == 302
        # The first tries are older than the cool-off by now, but it counts from the lockout.
        traveller.shift(settings.AXES_COOLOFF_TIME - timedelta(seconds=5))
        assert _from("203.0.113.66", "physio", PASSWORD).status_code == 429
        traveller.shift(timedelta(seconds=10))
        assert _from("203.0.113.66", "physio", PASSWORD).status_code == 302


def test_below_the_address_threshold_other_users_at_that_address_sign_in(settings, clinician, colleague):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _from("198.51.100.8", "psych", "guessing", via_proxy=False)
    assert settings.AXES_IP_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    assert _from("198.51.100.8", "physio", PASSWORD, via_proxy=False).status_code == 302


def test_logout_ends_the_session_and_is_audited(login, clinician):
    client = login(clinician)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("patient_list")).status_code == 302
    assert AuditEvent.objects.filter(actor=clinician, action=AuditEvent.Action.LOGOUT).exists()


def test_session_expires_after_15_idle_minutes(client, clinician):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        _attempt(client, "physio", PASSWORD)
        traveller.shift(timedelta(minutes=14))
        assert client.get(reverse("patient_list")).status_code == 200
        # Activity renewed the session: another 14 minutes are fine too.
        traveller.shift(timedelta(minutes=14))
        assert client.get(reverse("patient_list")).status_code == 200
        traveller.shift(timedelta(minutes=16))
        response = client.get(reverse("patient_list"))
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)


def test_pages_within_a_minute_of_the_last_renewal_write_no_session(login, clinician, patient):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        client = login(clinician)
        client.get(reverse("patient_list"))  # renews
        traveller.shift(timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("patient_list")).status_code == 200
        assert not [
            q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]
        ]
        traveller.shift(timedelta(seconds=40))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("patient_list"))
        assert [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_password_change_applies_the_validators(login, clinician):
    client = login(clinician)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    errors = response.context["form"].errors["new_password2"]
    assert any("too short" in error for error in errors)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Kettle-Morning-42x",
            "new_password2": "Kettle-Morning-42x",
        },
    )
    assert response.status_code == 302
    clinician.refresh_from_db()
    assert clinician.check_password("Kettle-Morning-42x")


def test_the_lockout_holds_until_the_cool_off_ends_and_not_after(client, clinician):
    with time_machine.travel("2026-03-02 09:00 +00:00", tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _attempt(client, "physio", "guessing")
        traveller.shift(settings.AXES_COOLOFF_TIME - timedelta(seconds=5))
        assert _attempt(client, "physio", PASSWORD).status_code == 429
        traveller.shift(timedelta(seconds=10))
        response = _attempt(client, "physio", PASSWORD)
        assert response.status_code == 302 and "_auth_user_id" in client.session


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(client, clinician):
    unknown = _attempt(client, "nobody-here", "guessing")
    wrong = _attempt(client, "physio", "guessing")
    assert unknown.status_code == wrong.status_code == 200

    def answer(page, username):
        return page.text.replace(username, "").replace(str(page.context["csrf_token"]), "")

    assert answer(unknown, "nobody-here") == answer(wrong, "physio")
