"""Real providers behind the delivery contract (``core/messaging.py``): GOV.UK Notify and Twilio for SMS,
Django's email backends (SMTP or any django-anymail ESP) for email, each through its official client.

``delivery_backend(channel)`` is the one place that picks a channel's backend from settings: SMS by
``SMS_BACKEND``, email by ``EMAIL_DELIVERY_BACKEND``. An SMS class with only the older
``send_messages`` (``core/sms.py``) is wrapped so it can still carry reminders, without a lookup.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from core.messaging import DeliveryBackend, Outgoing, Receipt
from core.sms import SMSMessage


class LegacySMSBackend:
    """A ``send_messages`` SMS class behind the contract: it has no provider id and cannot be searched,
    so after an unknown outcome the reminder goes again (at least once)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def send(self, message: Outgoing) -> str:
        self.inner.send_messages([SMSMessage(to=message.to, body=message.body)])
        return ""

    def lookup(self, *, reference: str, to: str, body_sha256: str, since: datetime) -> str | None:
        return None

    def status(self, provider_id: str) -> Receipt | None:
        return None


def delivery_backend(channel: str, path: str = "") -> DeliveryBackend:
    """The channel's backend as settings name it now, or the one named by ``path`` (a delivery's own
    ``backend``: an earlier attempt is looked up where it went, even if settings changed since)."""
    path = path or (settings.SMS_BACKEND if channel == "sms" else settings.EMAIL_DELIVERY_BACKEND)
    backend = import_string(path)()
    return backend if hasattr(backend, "send") else LegacySMSBackend(backend)


class ContractSMSMessages:
    """``send_messages`` for a contract SMS backend, so escalations and caregiver texts (``core/sms.py``)
    go through the same provider. Each is sent once; an error propagates (their own tasks retry)."""

    def send_messages(self, messages: Sequence[SMSMessage]) -> int:
        for message in messages:
            self.send(  # type: ignore[attr-defined]
                Outgoing(channel="sms", to=message.to, body=message.body, reference=str(uuid.uuid4()))
            )
        return len(messages)
