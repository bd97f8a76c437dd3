"""What a reminder says, by its channel, in the patient's language (core.i18n.patient_language)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from core.i18n import patient_language
from teams.models import Patient

from .models import Channel


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def minutes_text(minutes: int) -> str:
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def reminder_message(
    *, patient: Patient, channel: str, link: str, stop: str, minutes: int, has_questionnaire: bool
) -> Message:
    """The reminder's subject (email only) and body, with its single-use link and its "stop" link, in
    the patient's language."""
    with translation.override(patient_language(patient)):
        return _message(
            patient=patient,
            channel=channel,
            link=link,
            stop=stop,
            minutes=minutes,
            has_questionnaire=has_questionnaire,
        )


def _message(
    *, patient: Patient, channel: str, link: str, stop: str, minutes: int, has_questionnaire: bool
) -> Message:
    words = {
        "clinic": settings.CLINIC_NAME,
        "name": patient.given_name,
        "duration": minutes_text(minutes),
        "link": link,
        "stop": stop,
        "hours": settings.CHECKIN_LINK_HOURS,
    }
    if channel == Channel.SMS:
        if has_questionnaire:
            body = gettext(
                "%(clinic)s: time for your check-in and some questions about how you are "
                "(about %(duration)s): %(link)s Stop reminders: %(stop)s"
            )
        else:
            body = gettext(
                "%(clinic)s: time for your check-in (about %(duration)s): %(link)s Stop reminders: %(stop)s"
            )
        return Message(subject="", body=body % words)
    if has_questionnaire:
        opening = gettext(
            "It is time for your check-in and some questions about how you are with %(clinic)s. "
            "It takes about %(duration)s, and you can pause and carry on later:"
        )
    else:
        opening = gettext("It is time for your check-in with %(clinic)s. It takes about %(duration)s:")
    hours = ngettext(
        "The link works once and for %(hours)d hour.",
        "The link works once and for %(hours)d hours.",
        settings.CHECKIN_LINK_HOURS,
    )
    body = (
        gettext("Hello %(name)s,") % words
        + "\n\n"
        + opening % words
        + "\n\n"
        + link
        + "\n\n"
        + hours % words
        + "\n\n"
        + gettext("To stop these reminders: %(stop)s") % words
        + "\n"
    )
    return Message(subject=gettext("%(clinic)s: your check-in") % words, body=body)
