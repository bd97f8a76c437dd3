"""What a provider reports of a reminder's message, applied to the delivery, its reminder and the patient.

One entry point, ``delivery_update``, for every report: the answer of the send itself (a permanent
refusal), a provider's callback (Notify, Twilio, anymail's tracking webhooks: ``checkins.hooks``) and
polling (``deliveries_poll``). Receipts arrive in any order and more than once, so a delivery's status
only moves forward: ``sending`` → ``sent`` → one of ``delivered``, ``failed_temporary``,
``failed_permanent`` (each of them final for that message); anything else changes nothing.

- A message the provider had taken that later fails for now (a phone off for days, a full mailbox) is
  sent again, as a new delivery, at the next moment the patient may be contacted (their contact days
  and times, the schedule's quiet hours and pause, in the schedule's time zone), at most
  ``REMINDER_DELIVERY_RETRIES`` times and never later than the link's lifetime allows.
- A message that can never arrive flags that number (or address) on the patient, until it is changed;
  the reminder then goes by the schedule's fallback channel if the patient agreed to it and has that
  contact unflagged, or else it fails with the reason.

A reminder the patient already completed (they used the link) stays completed whatever arrives later.
"""

import logging
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from core.providers import delivery_backend
from core.queue import enqueue_on_commit
from teams.models import Patient
from teams.services import audited_save

from .models import Channel, Delivery, DeliveryStatus, Reminder, Schedule
from .slots import ContactTimes, out_of_quiet_hours, within_contact_times

logger = logging.getLogger(__name__)

# How far each status is along; a report moves a delivery only further.
RANK = {
    DeliveryStatus.SENDING: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.FAILED_TEMPORARY: 2,
    DeliveryStatus.FAILED_PERMANENT: 2,
}
# Who wrote a change the receipts made, in the audit trail.
RECEIPT_USERNAME = "delivery receipt"
# A send further ahead than this is not published with an ETA (Redis would hand it out again after its
# visibility timeout): the reconciler hands it out once its moment has passed.
ETA_AT_MOST = timedelta(minutes=50)


def contact_field(channel: str) -> str:
    return "mobile" if channel == Channel.SMS else "email"


def contact_of(patient: Patient, channel: str) -> str:
    """The patient's number or address for a channel, as a delivery records it ("" when they have none)."""
    value = patient.mobile if channel == Channel.SMS else patient.email
    return str(value) if value else ""


def contact_flagged(patient: Patient, channel: str) -> bool:
    return getattr(patient, f"{contact_field(channel)}_failed_at") is not None


def _contact_times(patient: Patient) -> ContactTimes | None:
    from .services import contact_times_of  # services' send flow imports this module

    return contact_times_of(patient)


def next_contact_moment(*, schedule: Schedule, contact: ContactTimes | None, now: datetime) -> datetime:
    """The first moment from ``now`` (UTC) at which the patient may be messaged: outside the schedule's
    quiet hours and pause, within their contact days and times, on the schedule's local clock."""
    tz = schedule.tz
    local = now.astimezone(tz).replace(tzinfo=None, microsecond=0)
    # Each rule may push the moment into another's limits (a window's start inside the quiet hours):
    # apply them all until none moves it.
    for _ in range(10):
        moved = local
        if schedule.paused_until is not None and moved.date() <= schedule.paused_until:
            moved = datetime.combine(schedule.paused_until + timedelta(days=1), schedule.local_time)
        moved = out_of_quiet_hours(schedule, moved)
        if contact is not None and contact.limits:
            moved = within_contact_times(contact, moved, schedule.local_time)
        if moved == local:
            break
        local = moved
    # A local time in the spring gap resolves as the slots do (zoneinfo, fold=0).
    moment = local.replace(tzinfo=tz).astimezone(UTC)
    return max(moment, now)


def send_deadline(reminder: Reminder) -> datetime:
    """After this a reminder is not sent at all (``reminders_expire`` expires an unsent one), and a link
    already sent has run out; a message going again must go before it."""
    ttl = timedelta(hours=settings.CHECKIN_LINK_HOURS)
    deadline = reminder.due_at + ttl
    if reminder.expires_at is not None:
        deadline = min(deadline, reminder.expires_at)
    return deadline


def _publish_at(reminder_id: int, at: datetime) -> None:
    task = import_module("checkins.tasks").reminder_send
    try:
        task.apply_async((reminder_id,), eta=at)
    except BrokerUnreachable as error:
        # The row says when it is due (claimed_at); the reconciler hands it out then.
        logger.warning("Broker unreachable (%s): reminder %s waits for the reconciler", error, reminder_id)


def _queue_send(reminder: Reminder, at: datetime, now: datetime) -> None:
    """Hand the (pending) reminder to a worker at ``at``: now, with an ETA, or, further ahead, by the
    reconciler once ``claimed_at`` is older than REMINDER_RECLAIM_SECONDS. ``claimed_at`` keeps the
    dispatcher from handing it out before then."""
    reminder.claimed_at = at
    if at <= now:
        enqueue_on_commit("checkins.tasks.reminder_send", reminder.pk)
    elif at - now <= ETA_AT_MOST:
        transaction.on_commit(lambda: _publish_at(reminder.pk, at))


def _flag_contact(patient: Patient, delivery: Delivery, error: str, now: datetime) -> bool:
    """Flag the number or address that failed for good, if it is still the patient's (one changed since
    is not). True if flagged now."""
    field = contact_field(delivery.channel)
    if contact_of(patient, delivery.channel) != delivery.to or contact_flagged(patient, delivery.channel):
        return False
    setattr(patient, f"{field}_failed_at", now)
    setattr(patient, f"{field}_failed_reason", (error or "The provider could not deliver it.")[:300])
    audited_save(
        patient,
        actor=None,
        patient=patient,
        fields=[f"{field}_failed_at", f"{field}_failed_reason"],
        clean=False,
        username=RECEIPT_USERNAME,
    )
    return True


def fallback_channel_for(reminder: Reminder, failed_channel: str) -> str:
    """The channel the reminder may go by instead of the one that failed for good, or "": the schedule's
    fallback, with the patient's consent to it, a contact for it that is not flagged, and not already
    tried for this reminder."""
    schedule, patient = reminder.schedule, reminder.patient
    channel = schedule.fallback_channel
    if not channel or channel == failed_channel or schedule.fallback_consent_given_on is None:
        return ""
    if not contact_of(patient, channel) or contact_flagged(patient, channel):
        return ""
    return channel


def _fail(reminder: Reminder, reason: str) -> None:
    reminder.status = Reminder.Status.FAILED
    reminder.last_error = reason[:300]


def _still_wanted(reminder: Reminder) -> bool:
    patient = reminder.patient
    return (
        reminder.schedule.opted_out_at is None
        and patient.consent_to_reminders
        and patient.status == Patient.Status.ACTIVE
    )


def _send_again(reminder: Reminder, *, channel: str, why: str, now: datetime) -> bool:
    """Put the reminder back to pending to go by ``channel`` at the next moment the patient may be
    contacted; fail it instead when that is too late or reminders are no longer wanted."""
    if not _still_wanted(reminder):
        _fail(reminder, f"{why}; not sent again: the patient no longer takes reminders.")
        return False
    at = next_contact_moment(schedule=reminder.schedule, contact=_contact_times(reminder.patient), now=now)
    if at >= send_deadline(reminder):
        _fail(reminder, f"{why}; no time left to send it again before the link would expire.")
        return False
    reminder.status = Reminder.Status.PENDING
    reminder.channel = channel
    reminder.last_error = why[:300]
    _queue_send(reminder, at, now)
    return True


def _after_temporary(reminder: Reminder, delivery: Delivery, error: str, now: datetime) -> None:
    # Messages the provider took and then could not deliver; a send it did not take at all is the send
    # task's own retry.
    retried = (
        reminder.deliveries.filter(status=DeliveryStatus.FAILED_TEMPORARY).exclude(provider_id="").count()
    )
    why = f"Not delivered for now: {error or 'the provider will not say why'}"
    if retried > settings.REMINDER_DELIVERY_RETRIES:
        _fail(reminder, f"{why}; not sent again after {settings.REMINDER_DELIVERY_RETRIES} retries.")
        return
    _send_again(reminder, channel=delivery.channel, why=why, now=now)


def _after_permanent(reminder: Reminder, delivery: Delivery, error: str, now: datetime) -> None:
    what = "number" if delivery.channel == Channel.SMS else "address"
    why = f"The {what} {delivery.to} cannot be reached: {error or 'the provider refused it for good'}"
    fallback = fallback_channel_for(reminder, delivery.channel)
    if not fallback:
        _fail(reminder, why)
        return
    _send_again(reminder, channel=fallback, why=f"{why}; going by {Channel(fallback).label} instead", now=now)


def delivery_update(*, delivery_id: int, status: str, error: str = "", now: datetime | None = None) -> bool:
    """Apply one report of a delivery's state; True if it changed anything. Idempotent and tolerant of
    order: the same report twice, or one behind what is known (a late "sent" after "delivered"), changes
    nothing."""
    now = now or timezone.now()
    status = DeliveryStatus(status)
    with transaction.atomic():
        # The reminder first, as the send flow locks it, then its delivery: never the other way round.
        reminder_id = Delivery.objects.filter(pk=delivery_id).values_list("reminder_id", flat=True).first()
        if reminder_id is None:
            return False
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("patient", "schedule")
            .get(pk=reminder_id)
        )
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if RANK[status] <= RANK[DeliveryStatus(delivery.status)]:
            return False
        was = delivery.status
        delivery.status, delivery.status_at = status, now
        fields = ["status", "status_at"]
        if error and status in (DeliveryStatus.FAILED_TEMPORARY, DeliveryStatus.FAILED_PERMANENT):
            delivery.error = error[:300]
            fields.append("error")
        delivery.save(update_fields=fields)

        if status == DeliveryStatus.FAILED_PERMANENT:
            reminder.patient = Patient.objects.select_for_update().get(pk=reminder.patient_id)
            _flag_contact(reminder.patient, delivery, error, now)
        latest = reminder.deliveries.order_by("-created_at", "-id").values_list("pk", flat=True).first()
        if latest != delivery.pk:
            return True  # an older message's late report: the reminder has moved on to a newer one
        reminder_fields = {"delivery_status"}
        reminder.delivery_status = status
        # Only a reminder still on its way is sent again or failed: one completed (the link was used),
        # expired or already failed stays as it is.
        taken = was == DeliveryStatus.SENT
        on_its_way = reminder.status == Reminder.Status.SENT or (
            reminder.status == Reminder.Status.PENDING and status == DeliveryStatus.FAILED_PERMANENT
        )
        if on_its_way and status == DeliveryStatus.FAILED_PERMANENT:
            _after_permanent(reminder, delivery, error, now)
            reminder_fields |= {"status", "channel", "last_error", "claimed_at"}
        elif on_its_way and status == DeliveryStatus.FAILED_TEMPORARY and taken:
            _after_temporary(reminder, delivery, error, now)
            reminder_fields |= {"status", "channel", "last_error", "claimed_at"}
        reminder.save(update_fields=sorted(reminder_fields))
    logger.info("Delivery %s of reminder %s: %s", delivery_id, reminder_id, status)
    return True


def deliveries_to_poll(*, now: datetime) -> list[Delivery]:
    """Messages a provider took that have said nothing more for DELIVERY_POLL_AFTER_MINUTES, while their
    link still works: one query, oldest first, at most DELIVERY_POLL_BATCH."""
    quiet_since = now - timedelta(minutes=settings.DELIVERY_POLL_AFTER_MINUTES)
    return list(
        Delivery.objects.filter(
            status=DeliveryStatus.SENT,
            status_at__lte=quiet_since,
            reminder__expires_at__gt=now,
        )
        .exclude(provider_id="")
        .only("id", "channel", "backend", "provider_id", "status")
        .order_by("status_at", "id")[: settings.DELIVERY_POLL_BATCH]
    )


def deliveries_poll(*, now: datetime | None = None) -> int:
    """Ask the providers how far the messages of ``deliveries_to_poll`` got (for providers whose callbacks
    cannot reach the clinic) and apply what changed; how many changed. A provider that does not answer is
    asked again next time."""
    now = now or timezone.now()
    backends: dict[tuple[str, str], Any] = {}
    changed = 0
    for delivery in deliveries_to_poll(now=now):
        # Asked where it went (the backend the delivery records), even if settings changed since.
        key = (delivery.channel, delivery.backend)
        try:
            if key not in backends:
                backends[key] = delivery_backend(delivery.channel, delivery.backend)
            receipt = backends[key].status(delivery.provider_id)
        except Exception as error:  # noqa: BLE001 - an outage, a timeout, a backend gone: next time
            logger.warning("Polling delivery %s: %s", delivery.pk, error)
            continue
        if receipt is None or receipt.status == delivery.status:
            continue
        if delivery_update(delivery_id=delivery.pk, status=receipt.status, error=receipt.error, now=now):
            changed += 1
    return changed
