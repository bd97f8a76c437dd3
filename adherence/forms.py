"""Input cleaning for sessions, clinicians' exercise logs and functional measures."""

from datetime import timedelta
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from careplans.selectors import active_exercises
from teams.models import Patient

from .models import ExerciseWeekLog, FunctionalMeasure, Session, SessionModality


def _helper(label: "str | Promise") -> FormHelper:
    helper = FormHelper()
    helper.attrs = {"novalidate": ""}
    helper.add_input(Submit("save", label))
    return helper


class ExerciseWeekLogForm(forms.ModelForm):
    class Meta:
        model = ExerciseWeekLog
        fields = ["exercise", "week_starting", "sessions_done"]
        widgets = {"week_starting": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"sessions_done": _("Sessions done that week")}

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        cast(forms.ModelChoiceField, self.fields["exercise"]).queryset = active_exercises(patient=patient)
        self.helper = _helper(_("Save exercise log"))


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
        self.helper = _helper(_("Save measure"))


# --- sessions (issue 20) ---------------------------------------------------------------------------


class ClinicianChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.get_discipline_display()})"


class SessionBookForm(forms.Form):
    """Booking from the plan: one session or a series, how it is held, and who holds it (the checks on
    the clinicians and the link are the service's, ``services.session_book``)."""

    starts_at = forms.DateTimeField(
        label=_("First session: date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    modality = forms.ChoiceField(
        label=_("How it is held"), choices=SessionModality.choices, widget=forms.RadioSelect
    )
    video_link = forms.CharField(
        label=_("Video link"),
        required=False,
        max_length=200,
        help_text=_("For a video session: the https:// link the patient joins by."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    clinicians = ClinicianChoiceField(
        queryset=Patient.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Two or more, of different disciplines, make a joint session; you lead it when one of them."
        ),
    )
    every_weeks = forms.IntegerField(
        label=_("Repeat every … weeks"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("2 for fortnightly."),
    )
    count = forms.IntegerField(
        label=_("How many sessions"),
        min_value=1,
        max_value=26,
        initial=1,
        help_text=_("1 for a single session."),
    )

    def __init__(self, *args: Any, patient: Patient, clinicians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["clinicians"]).queryset = clinicians
        self.helper = _helper(_("Book"))
