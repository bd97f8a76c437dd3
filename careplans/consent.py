"""A caregiver's consent in words, and where their messages go: read by the plan page, the progress report
and the sending of each message, so that all of them refuse for the same reasons.

A caregiver's contact is an email address or a mobile number (in the clinic's region or international
form); anything else ("via the patient") cannot be sent to and is refused at sending.
"""

from datetime import date

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Caregiver, CaregiverScope

CONTACT_HELP = gettext_lazy(
    "An email address or a mobile number: messages the patient consented to go there."
)
CONTACT_INVALID = gettext_lazy(
    "Enter an email address or a mobile number (e.g. 07911 123456 or +44 7911 123456)."
)


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def refusal(caregiver: Caregiver, scope: str, on: date) -> str:
    """Why the patient's consent does not cover sending ``scope`` to this caregiver on ``on``; "" if it
    does. The same rule as ``Caregiver.consents_to``, said the way the plan page and a refused message
    say it."""
    if caregiver.consent_withdrawn_at is not None:
        return _("consent withdrawn on %(day)s") % {
            "day": _day(timezone.localdate(caregiver.consent_withdrawn_at))
        }
    if scope not in caregiver.consent_scopes or caregiver.consent_given_on is None:
        return _("no consent to %(scope)s") % {"scope": CaregiverScope(scope).label.lower()}
    if on < caregiver.consent_given_on:
        return _("consent starts on %(day)s") % {"day": _day(caregiver.consent_given_on)}
    if caregiver.consent_until is not None and on > caregiver.consent_until:
        return _("consent ended on %(day)s") % {"day": _day(caregiver.consent_until)}
    return ""


def scopes_open(caregiver: Caregiver, on: date) -> list[str]:
    """The scopes this caregiver may be sent on ``on``, in the order of ``CaregiverScope``."""
    return [scope for scope in CaregiverScope.values if caregiver.consents_to(scope, on)]


def contact_kind(contact: str) -> str:
    """ "email" or "sms" for a contact messages can go to, "" for anything else."""
    contact = contact.strip()
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            return ""
        return "email"
    return "sms" if mobile_number(contact) else ""


def mobile_number(contact: str) -> str:
    """The contact as an E.164 mobile number, or "" if it is not one."""
    try:
        number = phonenumbers.parse(contact, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
