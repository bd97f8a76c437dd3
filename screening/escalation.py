"""Escalation of urgent alerts nobody acknowledges: to the patient's team lead, then to the clinic admins.

An urgent alert still open ``minutes`` of opening time after it was raised (the team's
``alert_ack_minutes``, else ``ALERT_ACK_MINUTES``; opening hours ``CLINIC_OPENING_HOURS`` in the clinic's
``TIME_ZONE``) escalates to the team's lead(s) (step LEAD); still open as many minutes of opening time
after that step was due, to every active clinic admin (step ADMINS). Each by email, and by SMS to those
with a mobile. Acknowledging the alert stops any step not yet sent. A step that finds nobody to reach is
recorded so (``AlertEscalation.reached_nobody``) and, for the lead, the next step falls due at once; an
alert whose first notice had nobody to go to escalates at once (``escalation_start_now``).

Each step is sent exactly once, by the reminders' machinery (ARCHITECTURE.md, "Reminders: never twice,
never lost"): the dispatcher inserts each due step once (the unique key on alert and step, ON CONFLICT DO
NOTHING), claims unsent rows with SELECT ... FOR UPDATE SKIP LOCKED and queues one send per row after
commit; the send locks the row and sends only while it is unsent and the alert still open; the
reconciler hands out again rows claimed long ago and still unsent (their worker was lost).
"""

import logging
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.calendar import OpeningHours, opening_hours_parse, opening_minutes_after
from core.dates import moment
from core.queue import enqueue_on_commit
from core.sms import SMSMessage, sms_send_many
from teams.models import Membership, Team, User
from teams.services import audited_save

from .models import Alert, AlertEscalation

logger = logging.getLogger(__name__)

Step = AlertEscalation.Step
# Who the audit trail names for a step: no person acted, the clinic's rule did.
AUDIT_USERNAME = "urgent-alert escalation"


@lru_cache(maxsize=4)
def _opening_hours(text: str) -> OpeningHours:
    return opening_hours_parse(text)


def ack_minutes(team: Team) -> int:
    """Minutes of opening time a team has to acknowledge an urgent alert before each step."""
    return team.alert_ack_minutes or settings.ALERT_ACK_MINUTES


def deadline_after(start: datetime, *, minutes: int) -> datetime:
    """``minutes`` of the clinic's opening time after ``start``."""
    return opening_minutes_after(
        start,
        minutes,
        hours=_opening_hours(settings.CLINIC_OPENING_HOURS),
        tz=timezone.get_default_timezone(),
    )


def _step_insert(*, alert_id: int, step: int, due_at: datetime) -> None:
    """Make a step due; a step made already stays as it is (the unique key on alert and step decides)."""
    AlertEscalation.objects.bulk_create(
        [AlertEscalation(alert_id=alert_id, step=step, due_at=due_at)], ignore_conflicts=True
    )


def escalation_start_now(*, alert: Alert, now: datetime | None = None) -> None:
    """The alert's first notice found nobody to tell: its escalation to the team lead is due now, and
    handed out as soon as the caller's transaction commits."""
    _step_insert(alert_id=alert.pk, step=Step.LEAD, due_at=now or timezone.now())
    enqueue_on_commit("screening.tasks.escalations_dispatch")


def _next_due(alert: Alert) -> tuple[int, datetime] | None:
    """The step an open urgent alert escalates to next and when, or None once both are made."""
    steps = {escalation.step: escalation for escalation in alert.escalations.all()}
    minutes = ack_minutes(alert.patient.team)
    lead = steps.get(Step.LEAD)
    if lead is None:
        return Step.LEAD, deadline_after(alert.opened_at, minutes=minutes)
    if Step.ADMINS in steps:
        return None
    if lead.reached_nobody and lead.sent_at is not None:
        return Step.ADMINS, lead.sent_at  # nobody to tell at the first step: the next is due at once
    return Step.ADMINS, deadline_after(lead.due_at, minutes=minutes)


def escalations_create_due(*, now: datetime) -> int:
    """Insert every step that fell due by ``now`` of the urgent alerts still open; how many were due
    (rows another dispatcher made first are left alone)."""
    alerts = (
        Alert.objects.filter(kind=Alert.Kind.URGENT, status=Alert.Status.OPEN)
        .exclude(escalations__step=Step.ADMINS)
        .select_related("patient__team")
        .prefetch_related("escalations")
    )
    rows = []
    for alert in alerts:
        due = _next_due(alert)
        if due is not None and due[1] <= now:
            rows.append(AlertEscalation(alert=alert, step=due[0], due_at=due[1]))
    AlertEscalation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def escalations_claim(*, now: datetime, stale_before: datetime | None = None, limit: int = 1000) -> list[int]:
    """Hand due steps of open alerts to workers, each exactly once: rows another dispatcher holds are
    skipped. With ``stale_before``, steps claimed before then and still unsent are handed out again."""
    with transaction.atomic():
        due = AlertEscalation.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            sent_at__isnull=True, due_at__lte=now, alert__status=Alert.Status.OPEN
        )
        if stale_before is None:
            due = due.filter(claimed_at__isnull=True)
        else:
            due = due.filter(claimed_at__lt=stale_before)
        ids = list(due.order_by("due_at", "id").values_list("id", flat=True)[:limit])
        AlertEscalation.objects.filter(id__in=ids).update(claimed_at=now)
        for escalation_id in ids:
            enqueue_on_commit("screening.tasks.escalation_send", escalation_id)
    return ids


def escalations_dispatch(*, now: datetime | None = None, batch: int = 1000) -> list[int]:
    """Make what fell due and hand all of it out, a batch (one short transaction) at a time."""
    now = now or timezone.now()
    escalations_create_due(now=now)
    claimed: list[int] = []
    while True:
        ids = escalations_claim(now=now, limit=batch)
        claimed += ids
        if len(ids) < batch:
            return claimed


def escalations_reconcile(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.ESCALATION_RECLAIM_SECONDS)
    return escalations_claim(now=now, stale_before=stale_before)


def escalation_recipients(*, step: int, team: Team) -> list[User]:
    """Who a step goes to: the team's active leads, or every active clinic admin; those with neither an
    email nor a mobile cannot be reached and are left out."""
    if step == Step.LEAD:
        people = User.objects.filter(
            memberships__team=team, memberships__role=Membership.Role.LEAD, is_active=True
        )
    else:
        people = User.objects.filter(is_clinic_admin=True, is_active=True)
    return [
        person
        for person in people.distinct().order_by("last_name", "first_name", "username")
        if person.email or person.mobile
    ]


def _messages(escalation: AlertEscalation, people: list[User]) -> tuple[str, str, list[SMSMessage]]:
    alert = escalation.alert
    team = alert.patient.team
    link = settings.SITE_URL + reverse("patient_overview", kwargs={"patient_id": alert.patient_id})
    role = "the team's lead" if escalation.step == Step.LEAD else "a clinic admin"
    # No patient details: the link leads to the record behind login and the access check.
    subject = f"RehabCare: urgent safety alert in {team.name} not acknowledged"
    body = (
        f"An urgent safety alert raised for a patient of {team.name} on {moment(alert.opened_at)} "
        f"is still not acknowledged. You are told as {role}.\n\n"
        f"Open it in RehabCare and acknowledge it: {link}\n"
    )
    text = f"{settings.CLINIC_NAME}: urgent safety alert in {team.name} not acknowledged. Open: {link}"
    sms = [SMSMessage(to=str(person.mobile), body=text) for person in people if person.mobile]
    return subject, body, sms


def escalation_send_now(*, escalation_id: int, now: datetime | None = None) -> bool:
    """Send one step, if it is still unsent and its alert still unacknowledged. True if sent now.

    The step and its alert stay locked while the messages go out, so a second worker handed the same
    step waits, then finds it sent and does nothing, and an acknowledgement at that moment waits for
    the step to be recorded (the story then shows both, in order).
    """
    now = now or timezone.now()
    with transaction.atomic():
        escalation = (
            AlertEscalation.objects.select_for_update(of=("self", "alert"))
            .select_related("alert__patient__team")
            .get(pk=escalation_id)
        )
        alert = escalation.alert
        if escalation.sent_at is not None or alert.status != Alert.Status.OPEN:
            return False
        people = escalation_recipients(step=escalation.step, team=alert.patient.team)
        if people:
            subject, body, sms = _messages(escalation, people)
            emails = [person.email for person in people if person.email]
            if emails:
                send_mail(subject=subject, message=body, from_email=None, recipient_list=emails)
            sms_send_many(sms)
        escalation.attempts += 1
        escalation.sent_at = now
        escalation.recipients = [(person.get_full_name() or person.username)[:150] for person in people]
        escalation.last_error = ""
        audited_save(
            escalation,
            actor=None,
            username=AUDIT_USERNAME,
            patient=alert.patient,
            fields=["sent_at", "recipients", "attempts", "last_error"],
            clean=False,
        )
        if not people and escalation.step == Step.LEAD:
            # Nobody to tell at this step: the next one is due now, not a period later.
            _step_insert(alert_id=alert.pk, step=Step.ADMINS, due_at=now)
            enqueue_on_commit("screening.tasks.escalations_dispatch")
    if people:
        logger.info("Escalation %s of alert %s sent to %d recipient(s)", escalation.pk, alert.pk, len(people))
    else:
        logger.warning("Escalation %s of alert %s: nobody to reach", escalation.pk, alert.pk)
    return True


def escalation_note_error(*, escalation_id: int, error: str) -> None:
    """A send that keeps failing says why on its row; the reconciler hands it out again later."""
    with transaction.atomic():
        escalation = AlertEscalation.objects.select_for_update().get(pk=escalation_id)
        if escalation.sent_at is None:
            escalation.attempts += 1
            escalation.last_error = error[:300]
            escalation.save(update_fields=["attempts", "last_error"])
