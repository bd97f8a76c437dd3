"""Settings: the environment reader, production's deploy checks, and the security headers."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from rehabcare.settings import base as base_settings
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


def test_a_choice_is_one_of_its_values(monkeypatch):
    from rehabcare.settings.env import env_choice

    monkeypatch.delenv("REHABCARE_GATE", raising=False)
    assert env_choice("REHABCARE_GATE", "warn", ("warn", "strict")) == "warn"
    monkeypatch.setenv("REHABCARE_GATE", "Strict")
    assert env_choice("REHABCARE_GATE", "warn", ("warn", "strict")) == "strict"
    monkeypatch.setenv("REHABCARE_GATE", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="one of warn, strict"):
        env_choice("REHABCARE_GATE", "warn", ("warn", "strict"))


def test_secrets_can_be_read_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("REHABCARE_SECRET_FILE", str(secret))
    assert env_str("REHABCARE_SECRET") == "from-a-file"


# What a production deployment sets; a test blanks one ("" reads as unset) or changes it.
PRODUCTION_ENV = {
    "SECRET_KEY": "x7Lq9vR2mK4pT8wZ1cN6bY3hJ5dF0gS2aE9uI4oP7lV1kM8n-Qw3Rt6Yu",
    "ALLOWED_HOSTS": "rehabcare.clinic.example",
    "SITE_URL": "https://rehabcare.clinic.example",
    "CLINIC_NAME": "Riverside Rehabilitation",
    "CLINIC_PHONE": "020 7946 0123",
    "SMS_BACKEND": "clinic_sms.ProviderSMSBackend",
    "TRUSTED_PROXY_COUNT": "1",
    "EMAIL_BACKEND": "",
    "EMAIL_USE_TLS": "",
    "TRUSTED_PROXY_NETWORKS": "",
    "FHIR_MRN_SYSTEM": "",
    "PORT": "",
}


def _production(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rehabcare.settings.production",
        **PRODUCTION_ENV,
        **env_overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )


def _settings_of(module: str, env_overrides: dict[str, str], *names: str) -> subprocess.CompletedProcess:
    """Load a settings module in a fresh interpreter, as a server starting would, and print some values."""
    env = {**os.environ, **PRODUCTION_ENV, **env_overrides}
    show = "; ".join(f"print(repr(settings.{name}))" for name in names)
    return subprocess.run(
        [sys.executable, "-c", f"import rehabcare.settings.{module} as settings; {show}"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


@pytest.mark.process  # runs the settings in a python subprocess
def test_production_settings_pass_the_deploy_check():
    result = _production({}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.process  # runs the settings in a python subprocess
def test_production_refuses_to_start_without_a_secret_key():
    result = _production({"SECRET_KEY": ""}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


@pytest.mark.process  # runs the settings in a python subprocess
@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        (
            {"SMS_BACKEND": "checkins.backends.OutboxSMSBackend"},
            "SMS_BACKEND=checkins.backends.OutboxSMSBackend",
        ),
        ({"SMS_BACKEND": ""}, "SMS_BACKEND is required"),
        ({"EMAIL_BACKEND": "checkins.backends.OutboxEmailBackend"}, "EMAIL_BACKEND=checkins.backends.Outbox"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "EMAIL_BACKEND=django.core"),
        ({"EMAIL_BACKEND": "reliability.backends.SlowOutboxEmailBackend"}, "sends nothing"),
        ({"SITE_URL": ""}, "SITE_URL is required"),
        ({"CLINIC_PHONE": ""}, "CLINIC_PHONE is required"),
        ({"CLINIC_NAME": ""}, "CLINIC_NAME is required"),
        ({"SITE_URL": "http://rehabcare.clinic.example"}, "SITE_URL must start with https://"),
        ({"SECRET_KEY": base_settings.DEVELOPMENT_SECRET_KEY}, "SECRET_KEY is the published development key"),
        ({"TRUSTED_PROXY_COUNT": ""}, "TRUSTED_PROXY_COUNT (or TRUSTED_PROXY_NETWORKS) is required"),
        ({"TRUSTED_PROXY_NETWORKS": "10.0.0.0/8"}, "TRUSTED_PROXY_COUNT or TRUSTED_PROXY_NETWORKS, not both"),
        (
            {"TRUSTED_PROXY_COUNT": "", "TRUSTED_PROXY_NETWORKS": "10.0.0/8"},
            "TRUSTED_PROXY_NETWORKS must list",
        ),
    ],
)
def test_production_settings_refuse_to_load_with_outbox_backends_or_development_defaults(env, refusal):
    result = _settings_of("production", env, "DEBUG")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and refusal in result.stderr


@pytest.mark.process  # runs the settings in a python subprocess
def test_production_sends_email_over_tls_and_links_under_its_own_site_by_default():
    result = _settings_of("production", {}, "EMAIL_USE_TLS", "EMAIL_BACKEND", "SITE_URL", "FHIR_MRN_SYSTEM")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "'django.core.mail.backends.smtp.EmailBackend'",
        "'https://rehabcare.clinic.example'",
        "'https://rehabcare.clinic.example/fhir/sid/mrn'",
    ]
    with_networks = _settings_of(
        "production", {"TRUSTED_PROXY_COUNT": "", "TRUSTED_PROXY_NETWORKS": "10.1.0.0/16"}
    )
    assert with_networks.returncode == 0, with_networks.stderr


@pytest.mark.process  # runs the settings in a python subprocess
def test_development_links_follow_the_port_make_run_serves_on():
    result = _settings_of("dev", {"PORT": "8080", "SITE_URL": ""}, "SITE_URL", "FHIR_MRN_SYSTEM")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["'http://127.0.0.1:8080'", "'http://127.0.0.1:8080/fhir/sid/mrn'"]


@pytest.mark.process  # runs the settings in a python subprocess
def test_benchmark_settings_keep_starting_without_production_requirements():
    # DEBUG off like production, but on the development outbox and key: the benchmark sends nothing.
    bare = {name: "" for name in PRODUCTION_ENV}
    result = _settings_of("bench", bare, "DEBUG", "SMS_BACKEND")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "'checkins.backends.OutboxSMSBackend'"]


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
