"""Email behind the delivery contract: Django's ``EMAIL_BACKEND`` (SMTP, or any django-anymail ESP chosen
by settings), with our reference in an ``X-RehabCare-Reference`` header and in anymail's ``metadata``.

What each can promise after an answer that never came: Postmark (anymail's Postmark backend) is searched
by the reference in its metadata, so nothing goes twice; a backend with a ``lookup(reference)`` of its own
(the development outbox) is asked; SMTP and other ESPs cannot be searched, so the reminder goes again
(at least once, never lost).
"""

from __future__ import annotations

import smtplib
from datetime import datetime
from email.utils import make_msgid
from typing import Any

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.utils import DNS_NAME

from core.messaging import Outgoing, PermanentFailure, Receipt, TemporaryFailure

REFERENCE_HEADER = "X-RehabCare-Reference"
POSTMARK_BACKEND = "anymail.backends.postmark.EmailBackend"


def _postmark() -> bool:
    return settings.EMAIL_BACKEND == POSTMARK_BACKEND


def _postmark_get(path: str, params: dict[str, Any] | None = None) -> Any:
    anymail = getattr(settings, "ANYMAIL", {})
    response = requests.get(
        anymail.get("POSTMARK_API_URL", "https://api.postmarkapp.com/").rstrip("/") + path,
        params=params,
        headers={"Accept": "application/json", "X-Postmark-Server-Token": anymail["POSTMARK_SERVER_TOKEN"]},
        timeout=settings.PROVIDER_TIMEOUT_SECONDS,
    )
    if response.status_code == 422:
        return None  # "this message was not found"
    response.raise_for_status()
    return response.json()


class EmailDeliveryBackend:
    def send(self, message: Outgoing) -> str:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[message.to],
            headers={REFERENCE_HEADER: message.reference, "Message-ID": make_msgid(domain=DNS_NAME)},
            connection=get_connection(),
        )
        email.metadata = {"reference": message.reference}  # type: ignore[attr-defined]  # anymail's
        try:
            email.send()
        except Exception as error:
            _raise_mapped(error)
            raise
        status = getattr(email, "anymail_status", None)
        if status is not None and status.message_id:
            return str(status.message_id)
        return str(email.extra_headers["Message-ID"])

    def lookup(self, *, reference: str, to: str, body_sha256: str, since: datetime) -> str | None:
        if _postmark():
            found = _postmark_get(
                "/messages/outbound",
                {"count": 50, "offset": 0, "recipient": to, "metadata_reference": reference},
            )
            for message in (found or {}).get("Messages", []):
                if (message.get("Metadata") or {}).get("reference") == reference:
                    return str(message["MessageID"])
            return None
        connection = get_connection()
        if hasattr(connection, "lookup"):
            result = connection.lookup(reference=reference)
            return None if result is None else str(result)
        return None  # SMTP and ESPs we cannot search: sent again (at least once)

    def status(self, provider_id: str) -> Receipt | None:
        if not _postmark():
            return None
        details = _postmark_get(f"/messages/outbound/{provider_id}/details")
        if details is None:
            return None
        events = [event.get("Type") for event in details.get("MessageEvents", [])]
        if "Bounced" in events:
            return Receipt(provider_id=provider_id, status="failed_permanent", error="Postmark: bounced")
        if "Delivered" in events:
            return Receipt(provider_id=provider_id, status="delivered")
        return Receipt(provider_id=provider_id, status="sent")


def _raise_mapped(error: Exception) -> None:
    """Raise the contract's failure for what can be told apart; return for an unknown outcome."""
    from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

    text = f"{type(error).__name__}: {error}"[:300]
    if isinstance(error, AnymailRecipientsRefused):
        raise PermanentFailure(text) from error
    if isinstance(error, AnymailAPIError):
        code = error.status_code
        if code == 429:
            raise TemporaryFailure(text) from error
        if code == 422:  # the ESP refused the request itself (Postmark's invalid request)
            raise PermanentFailure(text) from error
        return  # 5xx, timeouts (no status): unknown
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentFailure(text) from error
        raise TemporaryFailure(text) from error
    if isinstance(error, smtplib.SMTPResponseException) and 400 <= error.smtp_code < 500:
        raise TemporaryFailure(text) from error
