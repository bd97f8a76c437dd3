"""GOV.UK Notify, through its official client (``notifications-python-client``).

Notify sends only by template: ``NOTIFY_SMS_TEMPLATE_ID`` names an SMS template whose one placeholder is
``((body))`` (``NOTIFY_EMAIL_TEMPLATE_ID`` an email template of ``((subject))`` and ``((body))``). Our
reference goes with each message, so a message whose answer never came is found by
``get_all_notifications(reference=...)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from core.messaging import Outgoing, PermanentFailure, Receipt, TemporaryFailure

from . import ContractSMSMessages

# Notify's notification statuses, as our delivery states.
STATUSES = {
    "created": "sent",
    "sending": "sent",
    "pending": "sent",
    "sent": "sent",  # sent internationally: no further receipt comes
    "delivered": "delivered",
    "permanent-failure": "failed_permanent",
    "temporary-failure": "failed_temporary",
    "technical-failure": "failed_temporary",
}


def _client() -> NotificationsAPIClient:
    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.PROVIDER_TIMEOUT_SECONDS
    )


def _error_text(error: APIError) -> str:
    message = error.message
    if isinstance(message, list):
        message = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in message)
    return f"Notify {error.status_code}: {message}"[:300]


def _send(call: Any, **kwargs: Any) -> str:
    try:
        answer = call(**kwargs)
    except APIError as error:
        if error.response is None:
            raise  # no answer (a timeout, a dropped connection): unknown, looked up before resending
        if error.status_code == 429:
            raise TemporaryFailure(_error_text(error)) from error
        if error.status_code == 400:
            # A recipient Notify will never send to (not a mobile, not an address, not on a trial key's
            # list): the same message can never succeed.
            raise PermanentFailure(_error_text(error)) from error
        raise  # 403 (a key refused) and 5xx: retried, looked up first
    return str(answer["id"])


class _Notify:
    kind = "sms"

    def lookup(self, *, reference: str, to: str, body_sha256: str, since: datetime) -> str | None:
        found = _client().get_all_notifications(reference=reference, template_type=self.kind)
        for notification in found.get("notifications", []):
            if notification.get("reference") == reference:
                return str(notification["id"])
        return None

    def status(self, provider_id: str) -> Receipt | None:
        try:
            notification = _client().get_notification_by_id(provider_id)
        except APIError as error:
            if error.status_code == 404:
                return None
            raise
        status = STATUSES.get(notification.get("status", ""))
        if status is None:
            return None
        reason = "" if status in ("sent", "delivered") else f"Notify: {notification['status']}"
        return Receipt(provider_id=provider_id, status=status, error=reason)


class NotifySMSBackend(_Notify, ContractSMSMessages):
    kind = "sms"

    def send(self, message: Outgoing) -> str:
        return _send(
            _client().send_sms_notification,
            phone_number=message.to,
            template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
            personalisation={"body": message.body},
            reference=message.reference,
        )


class NotifyEmailBackend(_Notify):
    """Email through Notify (``EMAIL_DELIVERY_BACKEND=core.providers.notify.NotifyEmailBackend``)."""

    kind = "email"

    def send(self, message: Outgoing) -> str:
        return _send(
            _client().send_email_notification,
            email_address=message.to,
            template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
            personalisation={"subject": message.subject, "body": message.body},
            reference=message.reference,
        )
