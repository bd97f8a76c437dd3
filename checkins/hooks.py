"""Delivery receipts from the providers: GOV.UK Notify's and Twilio's status callbacks, and email
providers' tracking webhooks through django-anymail (its ``tracking`` signal).

Each is open to the internet, without sign-in or CSRF token, and proves it comes from the provider: a
bearer token (Notify), a signature of the request (Twilio), basic auth (anymail's ``WEBHOOK_SECRET``). A
request that does not prove it is refused (403; anymail answers 400) and changes nothing. A message we do
not know (another system's, or one long gone) is answered 200 and ignored, since providers send again
whatever is not answered with success. What a receipt says is applied by ``receipts.delivery_update``.
"""

import json
import logging
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from anymail import urls as anymail_urls
from anymail.utils import get_anymail_setting
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.urls import URLPattern, path
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from core.providers import notify, twilio

from .models import Delivery, DeliveryStatus
from .receipts import delivery_update

logger = logging.getLogger(__name__)


def delivery_of(*, reference: str = "", provider_id: str = "") -> Delivery | None:
    """The delivery a receipt is about: by our reference where the provider returns it, else by the
    provider's id of the message. None when neither is ours."""
    if reference:
        try:
            found = Delivery.objects.filter(reference=uuid.UUID(str(reference))).first()
        except ValueError:
            found = None
        if found is not None:
            return found
    if provider_id:
        return Delivery.objects.filter(provider_id=str(provider_id)[:100]).order_by("-id").first()
    return None


def _apply(delivery: Delivery | None, status: str | None, error: str, source: str) -> None:
    if delivery is None:
        logger.info("%s receipt for a message that is not ours: ignored", source)
        return
    if status is None:
        return
    delivery_update(delivery_id=delivery.pk, status=status, error=error)


# --- GOV.UK Notify ---

NOTIFY_REASONS = {
    "permanent-failure": "GOV.UK Notify: the number or address does not exist or cannot receive messages",
    "temporary-failure": "GOV.UK Notify: the phone was off or the inbox full for days",
    "technical-failure": "GOV.UK Notify: a technical failure on Notify's side",
}


def notify_receipt(payload: dict[str, Any]) -> None:
    """Apply one Notify callback's JSON: ``id`` (theirs), ``reference`` (ours), ``status``."""
    status = str(payload.get("status", ""))
    delivery = delivery_of(
        reference=str(payload.get("reference") or ""), provider_id=str(payload.get("id", ""))
    )
    _apply(delivery, notify.STATUSES.get(status), NOTIFY_REASONS.get(status, ""), "Notify")


@csrf_exempt
@require_POST
def notify_status(request: HttpRequest) -> HttpResponse:
    token = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    if not token or not constant_time_compare(given, f"Bearer {token}"):
        return HttpResponseForbidden("Not from GOV.UK Notify.")
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest("Not JSON.")
    if not isinstance(payload, dict):
        return HttpResponseBadRequest("Not a callback.")
    notify_receipt(payload)
    return HttpResponse(status=204)


# --- Twilio ---

# What Twilio's error codes mean, for the clinician reading why texts to a number fail. Which of them are
# permanent is the backend's one rule (``core.providers.twilio.receipt``), for callbacks and polling alike.
TWILIO_REASONS = {
    21211: "not a valid phone number",
    21408: "the number's region is not enabled for sending",
    21610: "the recipient replied STOP to these messages",
    21612: "Twilio cannot route to this number",
    21614: "not a mobile number",
    30001: "Twilio's queue overflowed",
    30003: "the phone was off or out of coverage",
    30004: "the recipient blocked these messages",
    30005: "unknown number: it does not exist or is no longer in service",
    30006: "a landline or a carrier that cannot receive texts",
    30007: "the carrier filtered the message",
    30008: "an error Twilio could not name",
}


def twilio_receipt_status(message_status: str, error_code: str) -> tuple[str | None, str]:
    """A Twilio ``MessageStatus`` and ``ErrorCode`` as one of our statuses and a reason."""
    if message_status not in twilio.STATUSES and message_status not in ("undelivered", "failed"):
        return None, ""  # canceled, receiving, received: not a receipt of a message we sent
    code = int(error_code) if error_code.strip().isdigit() else None
    found = twilio.receipt("", message_status, code, None)
    if found.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED):
        return found.status, ""
    if code is None:
        return found.status, f"Twilio: message {message_status}"
    return found.status, f"Twilio error {code}: {TWILIO_REASONS.get(code, f'message {message_status}')}"


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    token = getattr(settings, "TWILIO_AUTH_TOKEN", "")
    # Twilio signs the URL it was given (SITE_URL's, which a proxy in front may not pass on as such).
    url = settings.SITE_URL + request.get_full_path()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not RequestValidator(token).validate(url, request.POST, signature):
        return HttpResponseForbidden("Not from Twilio.")
    status, error = twilio_receipt_status(
        request.POST.get("MessageStatus", ""), request.POST.get("ErrorCode", "")
    )
    _apply(delivery_of(provider_id=request.POST.get("MessageSid", "")), status, error, "Twilio")
    return HttpResponse(status=204)


# --- email, through django-anymail ---

# Anymail's normalised event types. ``deferred``: the provider is still trying, nothing to do yet;
# ``failed``: the provider could not send it (not the address's fault), so it is tried again.
ANYMAIL_STATUSES = {
    "queued": DeliveryStatus.SENT,
    "sent": DeliveryStatus.SENT,
    "deferred": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "bounced": DeliveryStatus.FAILED_PERMANENT,
    "rejected": DeliveryStatus.FAILED_PERMANENT,
    "failed": DeliveryStatus.FAILED_TEMPORARY,
}
# Bounces a provider reports that are not the address's fault for good (a full mailbox).
SOFT_BOUNCES = {"SoftBounce", "Transient", "DnsError"}


def anymail_tracking_received(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail's ``tracking`` signal: one event of an email sent through it."""
    status = ANYMAIL_STATUSES.get(event.event_type)
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if status == DeliveryStatus.FAILED_PERMANENT and esp_event.get("Type") in SOFT_BOUNCES:
        status = DeliveryStatus.FAILED_TEMPORARY
    reason = event.description or event.mta_response or event.reject_reason or event.event_type
    error = f"{esp_name}: {reason}" if status != DeliveryStatus.DELIVERED else ""
    metadata = event.metadata or {}
    delivery = delivery_of(reference=str(metadata.get("reference", "")), provider_id=event.message_id or "")
    _apply(delivery, status, error, esp_name)


def _with_secret(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """anymail takes any request when no webhook secret is set (it only warns): refuse them instead, so a
    clinic that has not set ANYMAIL_WEBHOOK_SECRET cannot have its patients' addresses flagged by anyone."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not get_anymail_setting("webhook_secret", default=None):
            return HttpResponseForbidden("No webhook secret is configured.")
        return view(request, *args, **kwargs)

    return guarded


# The email providers whose tracking webhooks are served: those django-anymail is installed for
# (pyproject: django-anymail[postmark]). Another: install its extra, set its webhook settings (some need
# a signing key before the view can even start) and add it here and to the access matrix.
ANYMAIL_TRACKED = ("postmark",)


def anymail_tracking_patterns() -> list[URLPattern]:
    """anymail's tracking webhooks of ``ANYMAIL_TRACKED``, at anymail's own paths under /hooks/anymail/
    and by its names (``postmark_tracking_webhook``). Inbound webhooks are left out: the clinic receives
    no email."""
    names = {f"{esp}_tracking_webhook" for esp in ANYMAIL_TRACKED}
    return [
        path(f"hooks/anymail/{pattern.pattern}", _with_secret(pattern.callback), name=pattern.name)
        for pattern in anymail_urls.urlpatterns
        if pattern.name in names
    ]
