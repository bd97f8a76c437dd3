"""Input cleaning for schedules (staff) and check-ins (patients)."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from careplans.models import Exercise

from .models import SCHEDULE_FIELDS, WEEKDAYS, ExerciseLog, Schedule

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ScheduleForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Schedule
        fields = SCHEDULE_FIELDS
        widgets = {
            "anchor_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "paused_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consent_given_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "local_time": TIME,
            "quiet_start": TIME,
            "quiet_end": TIME,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("save", "Save schedule"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        patient = self.instance.patient
        channel = cleaned.get("channel")
        if channel == "email" and not patient.email:
            self.add_error("channel", "The patient has no contact email: add one, or choose SMS.")
        if channel == "sms" and not patient.mobile:
            self.add_error("channel", "The patient has no mobile number: add one, or choose email.")
        if not patient.consent_to_reminders:
            self.add_error(
                None, "The patient has not consented to reminders: record their consent on their details."
            )
        return cleaned


SCALE = forms.NumberInput(attrs={"type": "range", "min": 0, "max": 10, "step": 1, "class": "form-range"})


class CheckInForm(forms.Form):
    mood = forms.IntegerField(min_value=0, max_value=10, label="How is your mood today?", widget=SCALE)
    pain = forms.IntegerField(min_value=0, max_value=10, label="How bad is your pain today?", widget=SCALE)
    sleep_quality = forms.IntegerField(
        min_value=0, max_value=10, label="How well did you sleep?", widget=SCALE
    )
    sleep_hours = forms.DecimalField(
        min_value=0,
        max_value=24,
        decimal_places=1,
        label="Hours slept last night",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5", "class": "form-control"}),
    )
    stressors = forms.CharField(
        required=False,
        max_length=1000,
        label="Anything weighing on you? (optional)",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args: Any, exercises: list[Exercise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exercises = exercises
        for exercise in exercises:
            self.fields[f"exercise_{exercise.pk}"] = forms.ChoiceField(
                label=exercise.name,
                choices=ExerciseLog.Done.choices,
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

    def exercise_fields(self) -> list[tuple[Exercise, forms.BoundField]]:
        return [(exercise, self[f"exercise_{exercise.pk}"]) for exercise in self.exercises]
