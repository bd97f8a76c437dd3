"""How reminders leave the building.

Email goes through Django's email backend (``EMAIL_BACKEND``). SMS goes through the
class named by ``SMS_BACKEND``: any class with ``send_messages(messages) -> int``
taking ``SMSMessage`` objects, like Django's email backends. To plug in a provider,
write such a class around its API (its credentials from the environment, through
``rehabcare.settings.env``), and set ``SMS_BACKEND`` to its dotted path.

For development, ``OutboxEmailBackend`` and ``OutboxSMSBackend`` keep every message
in the ``OutboxMessage`` table (the outbox page) and log it instead of sending.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.utils.module_loading import import_string

from .models import Channel, OutboxMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SMSMessage:
    to: str
    body: str


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


def sms_send(*, to: str, body: str) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    backend.send_messages([SMSMessage(to=to, body=body)])
