"""Input cleaning for sessions, clinicians' exercise logs and functional measures."""

from datetime import timedelta
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from careplans.selectors import active_exercises
from teams.models import Patient

from .models import ExerciseWeekLog, FunctionalMeasure, Session


def _helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.attrs = {"novalidate": ""}
    helper.add_input(Submit("save", label))
    return helper


class ExerciseWeekLogForm(forms.ModelForm):
    class Meta:
        model = ExerciseWeekLog
        fields = ["exercise", "week_starting", "sessions_done"]
        widgets = {"week_starting": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"sessions_done": "Sessions done that week"}

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        cast(forms.ModelChoiceField, self.fields["exercise"]).queryset = active_exercises(patient=patient)
        self.helper = _helper("Save exercise log")


class MeasureForm(forms.ModelForm):
    class Meta:
        model = FunctionalMeasure
        fields = ["kind", "label", "value", "unit", "measured_on", "session"]
        widgets = {"measured_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        recent = timezone.now() - timedelta(days=90)
        cast(forms.ModelChoiceField, self.fields["session"]).queryset = Session.objects.filter(
            patient=patient, starts_at__gte=recent
        ).order_by("-starts_at")
        self.helper = _helper("Save measure")
