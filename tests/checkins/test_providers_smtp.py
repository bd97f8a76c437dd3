"""Email by SMTP behind the delivery contract: our reference in a header, a refused recipient mapped to
for good (5xx) or for now (4xx), and no lookup (SMTP cannot be searched: at least once)."""

from datetime import UTC, datetime

import pytest

from core.messaging import Outgoing, PermanentFailure, TemporaryFailure
from core.providers.email import REFERENCE_HEADER, EmailDeliveryBackend
from tests.fakes.smtp import SMTPFake

MESSAGE = Outgoing(
    channel="email", to="amelia@example.org", body="Hello", subject="Check-in", reference="r-1"
)


@pytest.fixture
def smtp(settings):
    with SMTPFake() as fake:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", fake.port, False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield fake


def test_smtp_sends_with_our_reference_and_cannot_look_it_up(smtp):
    backend = EmailDeliveryBackend()
    provider_id = backend.send(MESSAGE)
    [sent] = smtp.messages
    assert sent[REFERENCE_HEADER] == "r-1" and sent["Message-ID"] == provider_id
    since = datetime(2026, 3, 2, tzinfo=UTC)
    assert backend.lookup(reference="r-1", to=MESSAGE.to, body_sha256="", since=since) is None
    assert backend.status(provider_id) is None


@pytest.mark.parametrize(
    ("reply", "failure"),
    [("550 5.1.1 No such user", PermanentFailure), ("450 4.2.0 Mailbox busy", TemporaryFailure)],
)
def test_a_refused_recipient_is_refused_for_good_or_for_now_by_its_code(smtp, reply, failure):
    smtp.rcpt_reply = reply
    with pytest.raises(failure):
        EmailDeliveryBackend().send(MESSAGE)
    assert smtp.messages == []
