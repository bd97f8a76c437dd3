"""Input cleaning for schedules (staff). The patient's check-in form is checkins/patient_forms.py."""

from typing import Any

from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy

from careplans.preferences import contact_words
from careplans.selectors import preferences_of

from .models import (
    SCHEDULE_FIELDS,
    WEEKDAYS,
    Cadence,
    Channel,
    Schedule,
    cadence_fields_unused,
)

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ScheduleForm(forms.ModelForm):
    """The schedule, and the consent it rests on: the patient's own record, shown and written here too
    (``services.schedule_save``). The fields of a cadence not chosen are ignored, whatever was posted."""

    cadence = forms.ChoiceField(choices=Cadence.choices, widget=forms.RadioSelect, label="How often")
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="On",
        help_text="For “On chosen weekdays” only.",
    )
    # --- delivery receipts: the fallback channel ---
    fallback_channel = forms.ChoiceField(
        choices=[("", gettext_lazy("No fallback")), *Channel.choices],
        required=False,
        label=gettext_lazy("If it fails for good, by"),
        help_text=gettext_lazy(
            "Used only when a message can never arrive (a dead number, a bounced address), and only with "
            "the patient's agreement."
        ),
    )
    reminder_consent_given_on = forms.DateField(
        label="Agreed to reminders on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Reminders need the patient's consent: enter the day they agreed."},
    )
    reminder_consent_note = forms.CharField(
        label="How they agreed", max_length=200, required=False, help_text="E.g. verbally, at intake."
    )

    class Meta:
        model = Schedule
        fields = SCHEDULE_FIELDS
        widgets = {
            "anchor_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "paused_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "fallback_consent_given_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "local_time": TIME,
            "quiet_start": TIME,
            "quiet_end": TIME,
        }
        labels = {"local_time": "At", "quiet_start": "Quiet from", "quiet_end": "Quiet until"}
        help_texts = {
            "every_n_days": "From 2 to 28, for “Every few days” only.",
            "anchor_date": "The first day of the count, for “Every few days” only.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        patient = self.instance.patient
        # --- preferences ---
        # Read-only on the page: the patient's best contact times, which reminders wait for.
        self.contact_times = contact_words(preferences_of(patient=patient))
        if patient.consent_to_reminders:
            self.initial.setdefault("reminder_consent_given_on", patient.reminder_consent_given_on)
            self.initial.setdefault("reminder_consent_note", patient.reminder_consent_note)
        # Ready for a switch of cadence; kept only if that cadence is chosen.
        if self.initial.get("every_n_days") is None:
            self.initial["every_n_days"] = 2
        if self.initial.get("anchor_date") is None:
            self.initial["anchor_date"] = timezone.localdate()
        if self.is_bound:
            # Another cadence's fields are left out before anything reads them: none of them is checked
            # or kept (with scripts off, the page shows them all).
            data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
            for name in cadence_fields_unused(str(data.get("cadence", ""))):
                data.pop(name, None)
            self.data = data
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.form_class = "cadence-form"
        self.helper.layout = Layout(
            Fieldset(
                "When",
                InlineRadios("cadence"),
                Div(InlineCheckboxes("weekdays"), css_class="cadence-fields", data_cadence=Cadence.WEEKDAYS),
                Div(
                    Row(
                        Column("every_n_days", css_class="col-sm-4"),
                        Column("anchor_date", css_class="col-sm-4"),
                    ),
                    css_class="cadence-fields",
                    data_cadence=Cadence.EVERY_N_DAYS,
                ),
                Row(Column("local_time", css_class="col-sm-4"), Column("time_zone", css_class="col-sm-8")),
                Row(Column("quiet_start", css_class="col-sm-4"), Column("quiet_end", css_class="col-sm-4")),
                Row(Column("paused_until", css_class="col-sm-4")),
            ),
            Fieldset(
                "How",
                Row(
                    Column("channel", css_class="col-sm-4"),
                    # --- delivery receipts: the fallback channel ---
                    Column("fallback_channel", css_class="col-sm-4"),
                    Column("fallback_consent_given_on", css_class="col-sm-4"),
                ),
            ),
            Fieldset(
                "Consent",
                HTML(CONSENT_NOTE),
                Row(
                    Column("reminder_consent_given_on", css_class="col-sm-4"),
                    Column("reminder_consent_note", css_class="col-sm-8"),
                ),
            ),
            Submit("save", "Save schedule"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        patient = self.instance.patient
        channel = cleaned.get("channel")
        if channel == "email" and not patient.email:
            self.add_error("channel", "The patient has no contact email: add one, or choose SMS.")
        if channel == "sms" and not patient.mobile:
            self.add_error("channel", "The patient has no mobile number: add one, or choose email.")
        return cleaned

    def consent(self) -> dict[str, Any]:
        """The consent as given, for ``services.schedule_save``."""
        return {
            "consent_given_on": self.cleaned_data["reminder_consent_given_on"],
            "consent_note": self.cleaned_data["reminder_consent_note"],
        }


# Said where consent is entered: one record, the patient's, whichever page shows it.
CONSENT_NOTE = (
    '<p class="form-text mt-0">Consent is kept with the patient\'s details: what you enter here is what '
    "<a href=\"{% url 'patient_edit' patient_id=form.instance.patient_id %}\">their details</a> show. "
    "To withdraw it, untick consent there.</p>"
)
