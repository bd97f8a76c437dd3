from datetime import timedelta

import time_machine
from django.conf import settings
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


def test_lockout_covers_the_address_too(client, clinician, colleague):
    for _ in range(5):
        _attempt(client, "psych", "guessing")
    assert _attempt(client, "physio", PASSWORD).status_code == 429


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
