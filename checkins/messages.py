"""What a reminder says, by its channel, in the patient's language."""

from dataclasses import dataclass

from django.conf import settings

from teams.models import Patient

from .models import Channel


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def minutes_text(minutes: int) -> str:
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def reminder_message(
    *, patient: Patient, channel: str, link: str, stop: str, minutes: int, has_questionnaire: bool
) -> Message:
    """The reminder's subject (email only) and body, with its single-use link and its "stop" link."""
    extra = " and some questions about how you are" if has_questionnaire else ""
    pause = ", and you can pause and carry on later" if has_questionnaire else ""
    if channel == Channel.SMS:
        return Message(
            subject="",
            body=(
                f"{settings.CLINIC_NAME}: time for your check-in{extra} (about {minutes_text(minutes)}): "
                f"{link} Stop reminders: {stop}"
            ),
        )
    return Message(
        subject=f"{settings.CLINIC_NAME}: your check-in",
        body=(
            f"Hello {patient.given_name},\n\nIt is time for your check-in{extra} with "
            f"{settings.CLINIC_NAME}. It takes about {minutes_text(minutes)}"
            f"{pause}:\n\n{link}\n\n"
            f"The link works once and for {settings.CHECKIN_LINK_HOURS} hours.\n\n"
            f"To stop these reminders: {stop}\n"
        ),
    )
