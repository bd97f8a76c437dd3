"""Referrals tracked to the end: the status flow, what each status asks for, and sensible follow-ups.

A referral starts as *sent*; the service (or the patient) then accepts or declines it, an accepted one is
attended, and one nobody answered by its follow-up date may be closed as *no response* (and sent again).
While open (sent, accepted) a referral has a follow-up date; a closed one has none. The model's ``clean``
asks ``referral_problems``, so the plan page, the API and the demo all refuse for the same reasons, each
with a message on its field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import Referral

SENT, ACCEPTED, DECLINED, ATTENDED, NO_RESPONSE = "sent", "accepted", "declined", "attended", "no_response"
OPEN = frozenset({SENT, ACCEPTED})
# Where a referral may go from each status; declined and attended are where it ends.
TRANSITIONS: dict[str, frozenset[str]] = {
    SENT: frozenset({ACCEPTED, DECLINED, NO_RESPONSE}),
    ACCEPTED: frozenset({ATTENDED, DECLINED, NO_RESPONSE}),
    NO_RESPONSE: frozenset({SENT}),
    DECLINED: frozenset(),
    ATTENDED: frozenset(),
}
# When to check again: a fortnight after sending (did they answer?), four weeks after acceptance (did
# the patient go?).
FOLLOW_UP_DAYS = {SENT: 14, ACCEPTED: 28}


def next_follow_up(status: str, today: date) -> date | None:
    """The follow-up date a referral moving to ``status`` on ``today`` gets unless one is chosen."""
    days = FOLLOW_UP_DAYS.get(status)
    return today + timedelta(days=days) if days is not None else None


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _stored(referral: Referral) -> tuple[str, date | None] | None:
    if referral.pk is None:
        return None
    return (
        type(referral)._default_manager.filter(pk=referral.pk).values_list("status", "follow_up_due").first()
    )


def referral_problems(referral: Referral, today: date | None = None) -> dict[str, str]:
    """What is wrong with the referral as it would be saved, a message per field (empty: nothing)."""
    today = today or timezone.localdate()
    problems: dict[str, str] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, message)

    if referral.resource_id is None and not referral.service_name.strip():
        add("resource", _("Choose a resource from the directory, or name another service."))
    if referral.resource_id is not None and referral.service_name.strip():
        add("service_name", _("Choose a directory resource or name another service, not both."))
    if (
        referral.resource_id is None
        and referral.service_name.strip()
        and not referral.service_contact.strip()
    ):
        add("service_contact", _("Give the service's contact: a phone number, an email or an address."))
    # Consent: the patient (or a caregiver for them) agreed to the referral before it was sent.
    if referral.consent_given_on is None:
        add("consent_given_on", _("Enter the day the patient consented to the referral."))
    if not referral.consent_recorded_how:
        add("consent_recorded_how", _("Say how consent was given: verbally or in writing."))
    if not referral.consent_given_by:
        add("consent_given_by", _("Say who consented: the patient, or a caregiver on their behalf."))
    if referral.consent_given_on and referral.consent_given_on > today:
        add("consent_given_on", _("The day consent was given cannot be in the future."))
    if referral.sent_on and referral.sent_on > today:
        add("sent_on", _("A referral is recorded once it is sent: the day cannot be in the future."))
    if referral.consent_given_on and referral.sent_on and referral.consent_given_on > referral.sent_on:
        add(
            "consent_given_on",
            _("Consent comes before the referral is sent, on %(day)s or earlier.")
            % {"day": _day(referral.sent_on)},
        )
    _status_problems(referral, today, add)
    _workplace_problems(referral, add)
    if referral.owner_id and referral.plan_id:
        team = referral.plan.patient.team
        if not team.memberships.filter(user_id=referral.owner_id).exists():
            add(
                "owner",
                _("%(user)s is not a member of %(team)s, the patient's team.")
                % {"user": referral.owner, "team": team},
            )
    return problems


def _status_problems(referral: Referral, today: date, add: Callable[[str, str], None]) -> None:
    stored = _stored(referral)
    status, due = referral.status, referral.follow_up_due
    labels = dict(type(referral).Status.choices)
    if stored is None:
        if status != SENT:
            add("status", _("A new referral starts as sent; record what happened next when it happens."))
    elif stored[0] != status:
        before = stored[0]
        if status not in TRANSITIONS.get(before, frozenset()):
            if status == ATTENDED:
                message = _("A referral is attended only after it was accepted.")
            elif not TRANSITIONS.get(before):
                message = _("This referral ended as %(status)s: refer again with a new referral.") % {
                    "status": str(labels[before]).lower()
                }
            else:
                message = _("A referral that is %(before)s cannot become %(after)s.") % {
                    "before": str(labels[before]).lower(),
                    "after": str(labels[status]).lower(),
                }
            add("status", message)
        elif status == NO_RESPONSE and (stored[1] is None or stored[1] >= today):
            add(
                "status",
                _("No response is recorded once the follow-up date has passed (%(day)s).")
                % {"day": _day(stored[1]) if stored[1] else "—"},
            )
        elif status in OPEN and due is not None and due <= today:
            add("follow_up_due", _("Set the next follow-up after today."))
    if status in OPEN:
        if due is None:
            add("follow_up_due", _("Enter when to follow this referral up."))
        elif referral.sent_on and due < referral.sent_on:
            add("follow_up_due", _("The follow-up cannot come before the referral was sent."))
    elif due is not None:
        add("follow_up_due", _("A referral that has ended has no follow-up: leave it empty."))


def _workplace_problems(referral: Referral, add: Callable[[str, str], None]) -> None:
    agreed = bool(referral.accommodations) or bool(referral.accommodations_other.strip())
    if not referral.is_workplace:
        if agreed or referral.accommodation_review_on:
            add("accommodations", _("Accommodations are recorded on workplace and return-to-work referrals."))
        return
    if agreed and referral.accommodation_review_on is None:
        add("accommodation_review_on", _("Enter when to review the accommodations agreed."))
    if referral.accommodation_review_on and not agreed:
        add("accommodations", _("Tick the accommodations agreed, or describe others."))
    if (
        referral.accommodation_review_on
        and referral.sent_on
        and referral.accommodation_review_on < referral.sent_on
    ):
        add("accommodation_review_on", _("The review cannot come before the referral was sent."))
