"""Point the backends at a fake: in this process (pytest-django's ``settings``) or a worker's environment."""

from __future__ import annotations

from typing import Any

from .base import FakeProvider
from .notify import NotifyFake
from .postmark import PostmarkFake
from .twilio import TwilioFake

SMS_BACKENDS = {
    NotifyFake: "core.providers.notify.NotifySMSBackend",
    TwilioFake: "core.providers.twilio.TwilioSMSBackend",
}


def provider_env(fake: FakeProvider, *, timeout: int = 1) -> dict[str, str]:
    """Environment variables (as rehabcare/settings/base.py reads them) that send through the fake."""
    env = {**fake.settings(), "PROVIDER_TIMEOUT_SECONDS": str(timeout)}
    if type(fake) in SMS_BACKENDS:
        env["SMS_BACKEND"] = SMS_BACKENDS[type(fake)]
    return env


def provider_settings(settings: Any, fake: FakeProvider, *, timeout: int = 1) -> None:
    """The same on pytest-django's ``settings`` fixture."""
    settings.PROVIDER_TIMEOUT_SECONDS = timeout
    values = provider_env(fake, timeout=timeout)
    if isinstance(fake, PostmarkFake):
        settings.EMAIL_BACKEND = values["EMAIL_BACKEND"]
        settings.DEFAULT_FROM_EMAIL = values["DEFAULT_FROM_EMAIL"]
        settings.ANYMAIL = {
            "POSTMARK_SERVER_TOKEN": values["POSTMARK_SERVER_TOKEN"],
            "POSTMARK_API_URL": values["POSTMARK_API_URL"],
            "REQUESTS_TIMEOUT": timeout,
        }
        return
    for name, value in values.items():
        if name != "PROVIDER_TIMEOUT_SECONDS":
            setattr(settings, name, value)
