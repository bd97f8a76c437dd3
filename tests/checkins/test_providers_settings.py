"""Production refuses to start with a real provider chosen but not configured (its credentials, template
or sender missing), and reads each secret from a ``_FILE`` as well."""

import pytest

from ..test_settings import _settings_of

NOTIFY = {
    "SMS_BACKEND": "core.providers.notify.NotifySMSBackend",
    "NOTIFY_API_KEY": "live-2c8f1e5a-6b7d-4e3f-9a1b-0c2d3e4f5a6b-9f8e7d6c-5b4a-4321-8fed-cba987654321",
    "NOTIFY_SMS_TEMPLATE_ID": "0d1e2f3a-4b5c-4d6e-8f9a-b0c1d2e3f4a5",
}
TWILIO = {
    "SMS_BACKEND": "core.providers.twilio.TwilioSMSBackend",
    "TWILIO_ACCOUNT_SID": "AC0123",
    "TWILIO_AUTH_TOKEN": "token",
    "TWILIO_FROM_NUMBER": "+447700900123",
    "TWILIO_MESSAGING_SERVICE_SID": "",
}
POSTMARK = {
    "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
    "POSTMARK_SERVER_TOKEN": "server-token",
}


@pytest.mark.process  # runs the settings in a python subprocess
@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({**NOTIFY, "NOTIFY_API_KEY": ""}, "NOTIFY_API_KEY is required"),
        ({**NOTIFY, "NOTIFY_SMS_TEMPLATE_ID": ""}, "NOTIFY_SMS_TEMPLATE_ID is required"),
        ({**TWILIO, "TWILIO_AUTH_TOKEN": ""}, "TWILIO_AUTH_TOKEN is required"),
        (
            {**TWILIO, "TWILIO_FROM_NUMBER": ""},
            "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID is required",
        ),
        ({**POSTMARK, "POSTMARK_SERVER_TOKEN": ""}, "POSTMARK_SERVER_TOKEN is required"),
        (
            {**NOTIFY, "EMAIL_DELIVERY_BACKEND": "core.providers.notify.NotifyEmailBackend"},
            "NOTIFY_EMAIL_TEMPLATE_ID is required",
        ),
    ],
)
def test_production_refuses_a_provider_without_its_credentials_template_or_sender(env, refusal):
    result = _settings_of("production", env, "DEBUG")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and refusal in result.stderr


@pytest.mark.process  # runs the settings in a python subprocess
@pytest.mark.parametrize(
    "env",
    [NOTIFY, TWILIO, POSTMARK, {**TWILIO, "TWILIO_FROM_NUMBER": "", "TWILIO_MESSAGING_SERVICE_SID": "MG1"}],
)
def test_production_starts_with_a_configured_provider(env):
    result = _settings_of("production", env, "SMS_BACKEND")
    assert result.returncode == 0, result.stderr


@pytest.mark.process  # runs the settings in a python subprocess
def test_provider_secrets_are_read_from_files(tmp_path):
    key, token = tmp_path / "notify-key", tmp_path / "postmark-token"
    key.write_text(NOTIFY["NOTIFY_API_KEY"] + "\n")
    token.write_text("from-a-file\n")
    env = {**NOTIFY, **POSTMARK, "NOTIFY_API_KEY": "", "NOTIFY_API_KEY_FILE": str(key)}
    env |= {"POSTMARK_SERVER_TOKEN": "", "POSTMARK_SERVER_TOKEN_FILE": str(token)}
    result = _settings_of("production", env, "NOTIFY_API_KEY", "ANYMAIL['POSTMARK_SERVER_TOKEN']")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [repr(NOTIFY["NOTIFY_API_KEY"]), "'from-a-file'"]
