"""Messages to a patient's caregivers, each checked against the patient's consent at the moment it is sent.

``caregiver_message_queue`` records a queued ``CaregiverMessage`` and hands it to the worker once the
transaction commits; ``caregiver_message_send_now`` (the task's service) locks the caregiver, then the
message (the order the withdrawal locks them in), and sends it only if the consent still covers its scope
that day: a scope not given, a consent ended or withdrawn, or no email address or mobile number refuses it
with the reason, and nothing is sent. Both outcomes are audited; a redelivered task changes nothing.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone

from careplans.consent import contact_kind, mobile_number, refusal
from careplans.models import Caregiver, CaregiverScope, CarePlan, EducationItem
from core.queue import enqueue_on_commit
from teams.models import Patient, User
from teams.services import audited_save

from .backends import sms_send
from .models import CaregiverMessage

logger = logging.getLogger(__name__)

# The starter item for caregivers on distress signals (careplans/education_seed.py).
DISTRESS_SIGNALS_SLUG = "distress-signals-how-to-help"
UPCOMING_SESSIONS = 5
# Who the audit names for the consent check at sending (a worker, on behalf of whoever queued it).
SENDING = "caregiver message sending"


@transaction.atomic
def caregiver_message_queue(
    *, caregiver: Caregiver, scope: str, subject: str, body: str, user: User
) -> CaregiverMessage:
    """Queue a message to the caregiver; the worker sends it, or refuses it, after the commit."""
    if scope not in CaregiverScope.values:
        raise ValidationError({"scope": ["Choose what to send."]})
    message = CaregiverMessage(
        caregiver=caregiver,
        patient=caregiver.plan.patient,
        scope=scope,
        subject=subject[:200],
        body=body,
        queued_by=user,
    )
    audited_save(message, actor=user, patient=message.patient)
    enqueue_on_commit("checkins.tasks.caregiver_message_send", message.pk)
    return message


def _closed(message: CaregiverMessage, status: str, reason: str) -> None:
    """A message that will not be sent (refused, or failed after its retries), with why, audited."""
    message.status = status
    message.refused_reason = reason[:300]
    audited_save(
        message,
        actor=None,
        patient=message.patient,
        fields=["status", "refused_reason"],
        clean=False,
        username=SENDING,
    )


def _refused(message: CaregiverMessage, reason: str) -> None:
    _closed(message, CaregiverMessage.Status.REFUSED, reason)
    logger.info("Caregiver message %s refused: %s", message.pk, reason)


def caregiver_message_mark_failed(*, message_id: int, error: str) -> None:
    """The sending task ran out of retries: a message still queued is marked failed, with the error, so
    the plan page says so instead of showing it queued for ever."""
    with transaction.atomic():
        message = (
            CaregiverMessage.objects.select_for_update(of=("self",))
            .select_related("patient")
            .get(pk=message_id)
        )
        if message.status != CaregiverMessage.Status.QUEUED:
            return
        _closed(message, CaregiverMessage.Status.FAILED, error)
    logger.error("Caregiver message %s failed after retries: %s", message_id, error)


def caregiver_message_send_now(*, message_id: int, now: datetime | None = None) -> bool:
    """Send one queued message if the patient's consent covers it today. True if it was sent now."""
    now = now or timezone.now()
    caregiver_id = CaregiverMessage.objects.values_list("caregiver_id", flat=True).get(pk=message_id)
    with transaction.atomic():
        caregiver = Caregiver.objects.select_for_update().get(pk=caregiver_id)
        messages = CaregiverMessage.objects.select_for_update(of=("self",)).select_related("patient")
        message = messages.get(pk=message_id)
        if message.status != CaregiverMessage.Status.QUEUED:
            return False
        reason = refusal(caregiver, message.scope, timezone.localdate(now))
        kind = contact_kind(caregiver.contact)
        if not reason and not kind:
            reason = "no email address or mobile number to send to"
        if reason:
            _refused(message, reason)
            return False
        if kind == "sms":
            sms_send(to=mobile_number(caregiver.contact), body=f"{message.subject}\n\n{message.body}")
        else:
            send_mail(
                subject=message.subject,
                message=message.body,
                from_email=None,
                recipient_list=[caregiver.contact.strip()],
            )
        message.status = CaregiverMessage.Status.SENT
        message.sent_at = now
        audited_save(
            message,
            actor=None,
            patient=message.patient,
            fields=["status", "sent_at"],
            clean=False,
            username=SENDING,
        )
    logger.info("Caregiver message %s sent by %s", message.pk, kind)
    return True


# --- what a message says ---


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str


def _greeting(caregiver: Caregiver, patient: Patient) -> str:
    return (
        f"Hello {caregiver.name},\n\n{patient.given_name} asked {settings.CLINIC_NAME} to keep you informed."
    )


def _signature() -> str:
    return f"\n\nWith best wishes,\n{settings.CLINIC_NAME}"


def reminders_compose(*, caregiver: Caregiver, now: datetime | None = None) -> Composed:
    """The patient's next appointments (through ``patient.sessions``: adherence is above checkins)."""
    now = now or timezone.now()
    patient = caregiver.plan.patient
    sessions = patient.sessions.filter(status="scheduled", starts_at__gte=now).order_by("starts_at")
    upcoming = list(sessions[:UPCOMING_SESSIONS])
    if upcoming:
        lines = "\n".join(
            f"- {formats.date_format(timezone.localtime(s.starts_at), 'DATETIME_FORMAT')}: "
            f"{s.get_discipline_display().lower()}, {s.get_modality_display().lower()}"
            for s in upcoming
        )
        news = f"Their next appointments:\n\n{lines}"
    else:
        news = "They have no appointments booked at the moment."
    return Composed(
        subject=f"{settings.CLINIC_NAME}: {patient.given_name}'s appointments",
        body=f"{_greeting(caregiver, patient)}\n\n{news}{_signature()}",
    )


def education_compose(*, caregiver: Caregiver, item: EducationItem) -> Composed:
    """An education item written for caregivers: the body is the item's text."""
    return Composed(subject=f"{settings.CLINIC_NAME}: {item.title}", body=item.body)


def caregiver_items() -> QuerySet[EducationItem]:
    """The library's active items written for caregivers."""
    return EducationItem.objects.filter(active=True, audience=EducationItem.Audience.CAREGIVER).order_by(
        "title"
    )


def distress_item() -> EducationItem | None:
    """The guidance on distress signals: the starter item, or else the first caregiver item there is."""
    items = EducationItem.objects.filter(active=True, audience=EducationItem.Audience.CAREGIVER)
    return items.filter(slug=DISTRESS_SIGNALS_SLUG).first() or items.order_by("title").first()


def messages_of_plan(*, plan: CarePlan, limit: int = 5) -> list[CaregiverMessage]:
    """The latest messages to the plan's caregivers, sent, refused or queued."""
    return list(CaregiverMessage.objects.filter(caregiver__plan=plan).select_related("caregiver")[:limit])
