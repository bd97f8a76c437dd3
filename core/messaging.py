"""The contract between what sends a patient's message and the provider that carries it.

A delivery backend takes one ``Outgoing`` message and answers in one of three ways:

- it returns the provider's id of the message: the provider took it;
- it raises ``PermanentFailure``: the provider refused it for good (a number that can never receive, an
  address that bounces); sending it again the same way is pointless;
- it raises ``TemporaryFailure``: the provider did not take it now (a rate limit, an outage it reported),
  so nothing was sent and it may be tried again later;
- any other exception (a timeout, a connection dropped, a 5xx) means nobody knows whether the provider
  took it: before sending again, the sender asks ``lookup`` whether a message with the same reference
  (or, for a provider that keeps no reference, to the same recipient with the same body) exists, so a
  message is never sent twice. A backend whose provider cannot be searched (SMTP) answers None: the
  sender then sends again, and that channel promises at least once, not exactly once.

``status`` reads a message's delivery state from the provider (polling, for providers whose callbacks
cannot reach the clinic). Every backend is named by a setting (``SMS_BACKEND``, ``EMAIL_BACKEND``), so
nothing here imports one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class PermanentFailure(Exception):
    """The provider refused the message for good; not retried by the same channel."""


class TemporaryFailure(Exception):
    """The provider did not take the message now; nothing was sent, so it may be sent again later."""


@dataclass(frozen=True)
class Outgoing:
    channel: str  # "sms" or "email"
    to: str
    body: str
    reference: str  # ours (``Delivery.reference``), given to the provider with the message
    subject: str = ""


def body_sha256(body: str) -> str:
    """What a lookup matches a body by, for providers that keep no reference of ours."""
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class Receipt:
    """What a provider reports of a message: one of ``checkins.models.DeliveryStatus``'s values other than
    sending, and the provider's reason for a failure."""

    provider_id: str
    status: str
    error: str = ""


class DeliveryBackend(Protocol):
    def send(self, message: Outgoing) -> str:
        """Hand the message to the provider; its id of the message."""

    def lookup(self, *, reference: str, to: str, body_sha256: str, since: datetime) -> str | None:
        """The provider's id of a message sent with this reference (or to ``to`` with a body of this hash)
        since then, or None if it has none. It is given no body: the body's single-use link is not kept."""

    def status(self, provider_id: str) -> Receipt | None:
        """The message's delivery state as the provider has it now (None if it does not know it)."""
