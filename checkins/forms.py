"""Input cleaning for schedules (staff) and check-ins (patients)."""

from typing import TYPE_CHECKING, Any

from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from careplans.models import Activity, Exercise
from careplans.preferences import contact_words
from careplans.selectors import preferences_of

from .models import (
    SCHEDULE_FIELDS,
    WEEKDAYS,
    Cadence,
    ExerciseLog,
    Schedule,
    cadence_fields_unused,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise  # words translated when shown

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
            Fieldset("How", Row(Column("channel", css_class="col-sm-4"))),
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


def _scale(label: "str | StrPromise") -> forms.IntegerField:
    """A 0–10 slider. It starts unset (checkin.js names it only once the patient moves or taps it), so an
    untouched slider sends nothing and is asked again, never stored as the middle of the scale."""
    return forms.IntegerField(
        min_value=0,
        max_value=10,
        label=label,
        error_messages={"required": gettext_lazy("Move the slider to your answer: it has not been set yet.")},
    )


# How far an exercise or activity was done, in the patient's words (the models' labels are the staff's).
DONE_CHOICES = [
    (ExerciseLog.Done.DONE, pgettext_lazy("exercise or activity", "Done")),
    (ExerciseLog.Done.PARTLY, pgettext_lazy("exercise or activity", "Partly")),
    (ExerciseLog.Done.NOT_DONE, pgettext_lazy("exercise or activity", "Not done")),
]


class CheckInForm(forms.Form):
    """The patient's check-in: every word of it is the patient's language (gettext_lazy)."""

    mood = _scale(gettext_lazy("How is your mood today?"))
    pain = _scale(gettext_lazy("How bad is your pain today?"))
    sleep_quality = _scale(gettext_lazy("How well did you sleep?"))
    sleep_hours = forms.DecimalField(
        min_value=0,
        max_value=24,
        decimal_places=1,
        label=gettext_lazy("Hours slept last night"),
        error_messages={"required": gettext_lazy("Write how many hours you slept, for example 7 or 6.5.")},
        widget=forms.NumberInput(
            attrs={"inputmode": "decimal", "step": "0.5", "class": "form-control form-control-lg"}
        ),
    )
    # What each end of a slider means, shown under it.
    SCALE_ENDS = {
        "mood": (gettext_lazy("Very low"), gettext_lazy("Very good")),
        "pain": (gettext_lazy("No pain"), gettext_lazy("Worst pain imaginable")),
        "sleep_quality": (gettext_lazy("Very badly"), gettext_lazy("Very well")),
    }

    stressors = forms.CharField(
        required=False,
        max_length=1000,
        label=gettext_lazy("Anything weighing on you?"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(
        self, *args: Any, exercises: list[Exercise], activities: list[Activity] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.exercises = exercises
        # Behavioural activation: the activities planned for the day, ticked like the exercises.
        self.activities = activities or []
        for activity in self.activities:
            self.fields[f"activity_{activity.pk}"] = forms.ChoiceField(
                label=activity.name,
                choices=DONE_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
            )
        for exercise in exercises:
            self.fields[f"exercise_{exercise.pk}"] = forms.ChoiceField(
                label=exercise.name,
                choices=DONE_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
                help_text=exercise.lighter_alternative,
            )

    def answers(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("mood", "pain", "sleep_quality", "sleep_hours", "stressors")
        }

    def exercise_answers(self) -> dict[int, str]:
        return {
            exercise.pk: self.cleaned_data[f"exercise_{exercise.pk}"]
            for exercise in self.exercises
            if self.cleaned_data.get(f"exercise_{exercise.pk}")
        }

    def scales(self) -> list[tuple[forms.BoundField, "str | StrPromise", "str | StrPromise"]]:
        """Each slider with the words for its two ends."""
        return [(self[name], low, high) for name, (low, high) in self.SCALE_ENDS.items()]

    def exercise_fields(self) -> list[tuple[Exercise, forms.BoundField]]:
        return [(exercise, self[f"exercise_{exercise.pk}"]) for exercise in self.exercises]

    # --- activation ---

    def activity_answers(self) -> dict[int, str]:
        return {
            activity.pk: self.cleaned_data[f"activity_{activity.pk}"]
            for activity in self.activities
            if self.cleaned_data.get(f"activity_{activity.pk}")
        }

    def activity_fields(self) -> list[tuple[Activity, forms.BoundField]]:
        return [(activity, self[f"activity_{activity.pk}"]) for activity in self.activities]
