"""How reminders leave the building.

Email goes through Django's email backend (``EMAIL_BACKEND``). SMS goes through the
class named by ``SMS_BACKEND`` (``core/sms.py`` says how to write one for a provider:
any class with ``send_messages(messages) -> int`` taking ``core.sms.SMSMessage`` objects).

For development, ``OutboxEmailBackend`` and ``OutboxSMSBackend`` keep every message
in the ``OutboxMessage`` table (the outbox page) and log it instead of sending.
"""

import logging
from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from core.sms import SMSMessage, sms_send

from .models import Channel, OutboxMessage

# ``sms_send`` and ``SMSMessage`` live in core (screening sends SMS too); still importable from here.
__all__ = ["OutboxEmailBackend", "OutboxSMSBackend", "SMSMessage", "sms_send"]

logger = logging.getLogger(__name__)


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            for recipient in message.recipients():
                OutboxMessage.objects.create(
                    channel=Channel.EMAIL, to=recipient, subject=str(message.subject), body=str(message.body)
                )
                logger.info("Email to %s: %s", recipient, message.subject)
        return len(email_messages)


class OutboxSMSBackend:
    """Development SMS: logged and kept in the outbox, never sent."""

    def send_messages(self, messages: Sequence[SMSMessage]) -> int:
        for message in messages:
            OutboxMessage.objects.create(channel=Channel.SMS, to=message.to, body=message.body)
            logger.info("SMS to %s: %s", message.to, message.body)
        return len(messages)
