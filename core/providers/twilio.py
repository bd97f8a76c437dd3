"""Twilio, through its official client (``twilio``).

Twilio keeps no reference of ours, so a message whose answer never came is found by listing the messages
to the number sent since the attempt began and matching the body's hash (the body carries a single-use
link, so two reminders never share one). Delivery receipts come to the status callback
(``SITE_URL`` + the ``delivery_receipt_twilio`` URL), or by ``status`` polling.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from core.messaging import Outgoing, PermanentFailure, Receipt, TemporaryFailure, body_sha256

from . import ContractSMSMessages

# Twilio's error codes that mean this number can never receive our messages: not a valid number, not a
# mobile, unsubscribed (STOP), blocked, unknown or a landline.
PERMANENT_CODES = {21211, 21408, 21610, 21612, 21614, 30004, 30005, 30006, 30007}
STATUSES = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
}


def _client() -> Client:
    client = Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=TwilioHttpClient(timeout=settings.PROVIDER_TIMEOUT_SECONDS),
    )
    # The API's domain: api.twilio.com, or a local fake in tests.
    client.api.base_url = settings.TWILIO_BASE_URL
    return client


def _messages(client: Client):
    return client.api.v2010.accounts(settings.TWILIO_ACCOUNT_SID).messages


class TwilioSMSBackend(ContractSMSMessages):
    def send(self, message: Outgoing) -> str:
        sender: dict[str, str] = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        try:
            sent = _messages(_client()).create(
                to=message.to,
                body=message.body,
                status_callback=settings.SITE_URL + reverse("delivery_receipt_twilio"),
                **sender,
            )
        except TwilioRestException as error:
            text = f"Twilio {error.status} ({error.code}): {error.msg}"[:300]
            if error.status == 429 or error.code == 20429:
                raise TemporaryFailure(text) from error
            if error.code in PERMANENT_CODES:
                raise PermanentFailure(text) from error
            raise  # 401 (credentials), 5xx: retried, looked up first
        return str(sent.sid)

    def lookup(self, *, reference: str, to: str, body_sha256: str, since: datetime) -> str | None:
        # Twilio filters by the day sent (UTC); a message still queued has no day yet, so the day before
        # is asked too and the creation time checked here.
        listed = _messages(_client()).list(to=to, date_sent_after=since - timedelta(days=1), limit=200)
        for found in listed:
            created = found.date_created
            if created is not None and created < since - timedelta(minutes=5):
                continue
            if body_sha256_of(found.body) == body_sha256:
                return str(found.sid)
        return None

    def status(self, provider_id: str) -> Receipt | None:
        try:
            found = _messages(_client())(provider_id).fetch()
        except TwilioRestException as error:
            if error.status == 404:
                return None
            raise
        return receipt(provider_id, str(found.status), found.error_code, found.error_message)


def body_sha256_of(body: str | None) -> str:
    return body_sha256(body or "")


def receipt(
    provider_id: str, status: str, error_code: int | str | None, error_message: str | None
) -> Receipt:
    """A Twilio message status (a fetch or a status callback's ``MessageStatus``/``ErrorCode``) as ours."""
    if status in STATUSES:
        return Receipt(provider_id=provider_id, status=STATUSES[status])
    code = int(str(error_code)) if error_code not in (None, "") else None
    text = f"Twilio {status}" + (f" ({code}): {error_message or ''}" if code else "")
    permanent = code in PERMANENT_CODES if code is not None else status == "failed"
    return Receipt(
        provider_id=provider_id,
        status="failed_permanent" if permanent else "failed_temporary",
        error=text[:300],
    )
