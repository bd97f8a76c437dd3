"""How reminders leave the building.

Email goes through Django's email backend (``EMAIL_BACKEND``). SMS goes through the
class named by ``SMS_BACKEND`` (``core/sms.py`` says how to write one for a provider:
any class with ``send_messages(messages) -> int`` taking ``core.sms.SMSMessage`` objects).

For development, ``OutboxEmailBackend`` and ``OutboxSMSBackend`` keep every message
in the ``OutboxMessage`` table (the outbox page) and log it instead of sending. Both keep the
sender's reference too, so a reminder's delivery is looked up in the outbox as with a real provider
(the delivery contract, ``core/messaging.py``).
"""

import logging
from collections.abc import Sequence
from datetime import datetime

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from core.messaging import Outgoing, Receipt
from core.providers.email import REFERENCE_HEADER
from core.sms import SMSMessage, sms_send

from .models import Channel, OutboxMessage

# ``sms_send`` and ``SMSMessage`` live in core (screening sends SMS too); still importable from here.
__all__ = ["OutboxEmailBackend", "OutboxSMSBackend", "SMSMessage", "sms_send"]

logger = logging.getLogger(__name__)


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            reference = str(message.extra_headers.get(REFERENCE_HEADER, ""))
            for recipient in message.recipients():
                OutboxMessage.objects.create(
                    channel=Channel.EMAIL,
                    to=recipient,
                    subject=str(message.subject),
                    body=str(message.body),
                    reference=reference,
                )
                logger.info("Email to %s: %s", recipient, message.subject)
        return len(email_messages)

    def lookup(self, *, reference: str) -> int | None:
        return _outbox_lookup(Channel.EMAIL, reference)


def _outbox_lookup(channel: str, reference: str) -> int | None:
    return (
        OutboxMessage.objects.filter(channel=channel, reference=reference)
        .values_list("pk", flat=True)
        .first()
    )


class OutboxSMSBackend:
    """Development SMS: logged and kept in the outbox, never sent."""

    def send(self, message: Outgoing) -> str:
        kept = OutboxMessage.objects.create(
            channel=Channel.SMS, to=message.to, body=message.body, reference=message.reference
        )
        logger.info("SMS to %s: %s", message.to, message.body)
        return str(kept.pk)

    def lookup(self, *, reference: str, to: str, body_sha256: str, since: datetime) -> str | None:
        found = _outbox_lookup(Channel.SMS, reference)
        return None if found is None else str(found)

    def status(self, provider_id: str) -> Receipt | None:
        return None  # kept, never delivered: no receipt comes

    def send_messages(self, messages: Sequence[SMSMessage]) -> int:
        for message in messages:
            OutboxMessage.objects.create(channel=Channel.SMS, to=message.to, body=message.body)
            logger.info("SMS to %s: %s", message.to, message.body)
        return len(messages)
