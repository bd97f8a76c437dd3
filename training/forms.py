"""Input cleaning for the training pages: a clinician's own training record, and a supervision session."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from teams import policy
from teams.models import User

from .models import Competency, SupervisionSession, TrainingRecord, validate_patient_references
from .services import RECORD_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper(submit: "str | Promise") -> FormHelper:
    helper = FormHelper()
    helper.attrs = {"novalidate": ""}
    helper.add_input(Submit("save", submit))
    return helper


class TrainingRecordForm(forms.ModelForm):
    """A clinician's own record. The competencies offered are the clinic's active ones (and, when editing,
    the one the record names, even if retired since)."""

    class Meta:
        model = TrainingRecord
        fields = list(RECORD_FIELDS)
        widgets = {
            "completed_on": DATE,
            "renews_on": DATE,
            "course_or_evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.competency_id if self.instance.pk else None
        field = cast(forms.ModelChoiceField, self.fields["competency"])
        field.queryset = Competency.objects.filter(Q(active=True) | Q(pk=current))
        self.helper = _helper(_("Save record") if self.instance.pk else _("Add record"))

    def clean_completed_on(self):
        completed_on = self.cleaned_data["completed_on"]
        if completed_on > timezone.localdate():
            raise forms.ValidationError(_("The date completed cannot be in the future."))
        return completed_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        completed_on, renews_on = cleaned.get("completed_on"), cleaned.get("renews_on")
        if completed_on and renews_on and renews_on <= completed_on:
            self.add_error("renews_on", _("The renewal date comes after the date completed."))
        return cleaned

    def _post_clean(self) -> None:
        # The model's clean and its check constraint say the same of the renewal date: one message is enough.
        if "renews_on" not in self.errors:
            super()._post_clean()  # type: ignore[misc]  # ModelForm's, missing from the stubs


class SupervisionForm(forms.Form):
    """A supervision session: the supervisor (by default whoever logs it) and the supervisees are people of
    the logger's teams; cases by patient reference only."""

    supervisor = forms.ModelChoiceField(label=_("Supervisor"), queryset=User.objects.none())
    supervisees = forms.ModelMultipleChoiceField(
        label=_("Supervisees"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    held_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes = forms.IntegerField(label=_("Length in minutes"), min_value=1, max_value=600)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=SupervisionSession.Format.choices,
        initial=SupervisionSession.Format.INDIVIDUAL,
    )
    competencies = forms.ModelMultipleChoiceField(
        label=_("Competencies covered"),
        queryset=Competency.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    cases_discussed = forms.CharField(
        label=_("Cases discussed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_patient_references],
        help_text=_("Patient references (MRNs) only, apart by commas; never names or clinical details."),
    )
    learning_points = forms.CharField(
        label=_("Agreed learning points"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, user: User, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ModelChoiceField, self.fields["supervisor"]).queryset = people
        cast(forms.ModelMultipleChoiceField, self.fields["supervisees"]).queryset = people
        self.fields["supervisor"].label_from_instance = _person  # type: ignore[attr-defined]
        self.fields["supervisees"].label_from_instance = _person  # type: ignore[attr-defined]
        self.initial.setdefault("supervisor", user.pk)
        self.helper = _helper(_("Log session"))

    def clean_held_at(self):
        held_at = self.cleaned_data["held_at"]
        if held_at > timezone.now():
            raise forms.ValidationError(
                _("Log a session once it has taken place: this time is in the future.")
            )
        return held_at

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        supervisor, supervisees = cleaned.get("supervisor"), list(cleaned.get("supervisees") or [])
        if supervisor is None or not supervisees:
            return cleaned
        if supervisor in supervisees:
            self.add_error("supervisees", _("A supervisor does not supervise themselves."))
        elif not policy.may_log_supervision(self.user, supervisor, supervisees):
            self.add_error(
                "supervisor", _("Log supervision you gave or received: be its supervisor or a supervisee.")
            )
        return cleaned


def _person(user: User) -> str:
    discipline = user.get_discipline_display()
    return f"{user} ({discipline})" if discipline else str(user)
