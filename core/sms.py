"""Text messages, for every app that sends one: a check-in reminder to a patient, an urgent alert's
escalation to a team lead or clinic admin.

SMS goes through the class named by ``SMS_BACKEND``: any class with ``send_messages(messages) -> int``
taking ``SMSMessage`` objects, like Django's email backends. The real providers
(``core.providers.notify.NotifySMSBackend``, ``core.providers.twilio.TwilioSMSBackend``) have it too,
beside the delivery contract (``core/messaging.py``) that reminders go through exactly once. To plug in
another provider, write a class with both around its API (its credentials from the environment, through
``rehabcare.settings.env``), and set ``SMS_BACKEND`` to its dotted path. Development keeps messages in
the outbox (``checkins.backends.OutboxSMSBackend``); the backend is named by setting, so nothing here
imports it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SMSMessage:
    to: str
    body: str


def sms_send_many(messages: Sequence[SMSMessage]) -> int:
    """Hand the messages to the configured backend in one call; how many it took."""
    if not messages:
        return 0
    backend = import_string(settings.SMS_BACKEND)()
    return backend.send_messages(list(messages))


def sms_send(*, to: str, body: str) -> None:
    sms_send_many([SMSMessage(to=to, body=body)])
