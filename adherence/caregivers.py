"""Sending to a caregiver from the patient's pages: what may be offered, and the message each choice makes.

The page offers only what the patient's consent covers today; the consent is checked again when the
message is sent (``checkins.caregivers``), and that check decides.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from careplans.models import Caregiver, CaregiverScope, EducationItem
from checkins import caregivers as sending
from checkins.models import CaregiverMessage
from teams.models import Patient, User

from . import report

OFFERS = {
    CaregiverScope.PROGRESS_REPORTS: "The progress report",
    CaregiverScope.APPOINTMENT_REMINDERS: "A reminder of the next appointments",
    CaregiverScope.EDUCATION: "An education item for caregivers",
    CaregiverScope.DISTRESS_SIGNALS: "Guidance on distress signals and how to help",
}


class ItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class CaregiverSendForm(forms.Form):
    """What to send: one of the scopes consented to today (and, for education, which item)."""

    scope = forms.ChoiceField(
        label=_("What to send"),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what to send.",
            "invalid_choice": "The patient's consent no longer covers that: choose another.",
        },
    )
    item = ItemChoice(
        queryset=EducationItem.objects.none(),
        label=_("Education item"),
        required=False,
        empty_label=_("Choose an item…"),
        error_messages={"invalid_choice": "Choose one of the items listed."},
    )

    def __init__(self, *args: Any, scopes: list[str], items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(scope, OFFERS[CaregiverScope(scope)]) for scope in scopes]
        distress = sending.distress_item()
        choices = [
            (
                value,
                f"{label}: “{distress.title}”"
                if value == CaregiverScope.DISTRESS_SIGNALS and distress
                else label,
            )
            for value, label in choices
        ]
        self.fields["scope"].choices = choices  # type: ignore[attr-defined]
        self.fields["item"].queryset = items  # type: ignore[attr-defined]
        if CaregiverScope.EDUCATION not in scopes:
            del self.fields["item"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("scope") == CaregiverScope.EDUCATION and not cleaned.get("item"):
            self.add_error("item", _("Choose the education item to send."))
        if cleaned.get("scope") == CaregiverScope.DISTRESS_SIGNALS and sending.distress_item() is None:
            self.add_error("scope", _("The library has no guidance for caregivers yet: ask a clinic admin."))
        return cleaned


def caregiver_send(
    *, caregiver: Caregiver, patient: Patient, scope: str, item: EducationItem | None, user: User
) -> CaregiverMessage:
    """Compose the message for ``scope`` and queue it; ``ValidationError`` if the report cannot be
    prepared for this caregiver (no consent now)."""
    if scope == CaregiverScope.PROGRESS_REPORTS:
        try:
            subject, body = report.progress_report_text(patient=patient, caregiver=caregiver)
        except report.NoConsent as refused:
            raise ValidationError(
                {"scope": [_("The report cannot be sent: %(reason)s.") % {"reason": refused.reason}]}
            ) from None
        composed = sending.Composed(subject=subject, body=body)
    elif scope == CaregiverScope.APPOINTMENT_REMINDERS:
        composed = sending.reminders_compose(caregiver=caregiver)
    else:
        chosen = item if scope == CaregiverScope.EDUCATION else sending.distress_item()
        if chosen is None:
            raise ValidationError({"scope": [_("There is no item to send.")]})
        composed = sending.education_compose(caregiver=caregiver, item=chosen)
    return sending.caregiver_message_queue(
        caregiver=caregiver, scope=scope, subject=composed.subject, body=composed.body, user=user
    )
