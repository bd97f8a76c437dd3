"""Settings: the environment reader, production's deploy checks, and the security headers."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from rehabcare.settings.env import env_bool, env_int, env_str

from .factories import PASSWORD


def test_env_reader_fails_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("REHABCARE_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="true or false"):
        env_bool("REHABCARE_FLAG", False)
    monkeypatch.setenv("REHABCARE_NUMBER", "fifteen")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("REHABCARE_NUMBER", 15)
    monkeypatch.delenv("REHABCARE_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="required"):
        env_str("REHABCARE_REQUIRED")


def test_secrets_can_be_read_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("REHABCARE_SECRET_FILE", str(secret))
    assert env_str("REHABCARE_SECRET") == "from-a-file"


def _production(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rehabcare.settings.production",
        "SECRET_KEY": "x7Lq9vR2mK4pT8wZ1cN6bY3hJ5dF0gS2aE9uI4oP7lV1kM8n-Qw3Rt6Yu",
        "ALLOWED_HOSTS": "rehabcare.clinic.example",
        **env_overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )


def test_production_settings_pass_the_deploy_check():
    result = _production({}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _production({"SECRET_KEY": ""}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_pages_carry_a_csp_without_inline_script(client, db):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.text
    assert "style=" not in response.text


def test_static_assets_are_served_locally(client, db):
    page = client.get(reverse("login")).text
    assert "/static/vendor/bootstrap-5.3.9.min.css" in page
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page


def test_pages_for_a_signed_in_user_are_never_stored(login, clinician, patient):
    client = login(clinician)
    for url in (patient.get_absolute_url(), reverse("patient_list")):
        cache = client.get(url).headers["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url
    assert client.get(reverse("api_patient_list")).headers["Cache-Control"].count("no-store") == 1


def test_a_bad_host_is_answered_400_and_next_never_leaves_the_site(client, clinician, db):
    assert client.get(reverse("login"), HTTP_HOST="evil.example").status_code == 400
    signed_in = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": clinician.username, "password": PASSWORD},
    )
    assert signed_in.status_code == 302
    assert not signed_in.url.startswith("https://evil.example")


def test_a_page_not_for_the_users_role_says_so_on_the_sites_own_page(login, clinician):
    response = login(clinician).get(reverse("clinic_dashboard"))
    assert response.status_code == 403
    assert "This page is not for your role" in response.text
    assert "The dashboard is for clinic admins and team leads." in response.text
