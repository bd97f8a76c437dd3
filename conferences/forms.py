"""Input cleaning for case-conference pages and a team's conference settings."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Patient, Team, User

from .models import ConferenceSeries


def _limit_choices(field: forms.Field, queryset: QuerySet) -> None:
    cast(forms.ModelChoiceField, field).queryset = queryset


def _helper(submit: "str | Promise", *, form_tag: bool = True) -> FormHelper:
    helper = FormHelper()
    helper.attrs = {"novalidate": ""}
    helper.form_tag = form_tag
    if submit:
        helper.add_input(Submit("save", submit))
    return helper


class ConferenceForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    chair = forms.ModelChoiceField(queryset=User.objects.none())
    attendees = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(memberships__team=team, is_active=True).order_by("last_name")
        leads = members.filter(memberships__role=Membership.Role.LEAD)
        _limit_choices(self.fields["chair"], leads)
        _limit_choices(self.fields["attendees"], members)
        self.initial.setdefault("attendees", list(members.values_list("pk", flat=True)))
        self.initial.setdefault("chair", leads.first())
        self.helper = _helper(_("Plan conference"))

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at < timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return starts_at


class AgendaAddForm(forms.Form):
    mrn = forms.CharField(label=_("Add a patient by MRN"), max_length=32)

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_mrn(self) -> Patient:
        mrn = self.cleaned_data["mrn"].strip()
        patient = Patient.objects.filter(mrn__iexact=mrn, team=self.team).first()
        if patient is None:
            raise forms.ValidationError(
                _("No patient of %(team)s has MRN %(mrn)s.") % {"team": self.team, "mrn": mrn}
            )
        return patient


class CloseForm(forms.Form):
    """The confirmation's answer: how many patients the lead agreed to leave undiscussed (none when
    the plain "Close conference" button is pressed)."""

    leave_undiscussed = forms.IntegerField(min_value=0, required=False)


class NoteForm(forms.Form):
    physical = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    psychological = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    social = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    patient_perspective = forms.CharField(
        label=_("Patient's perspective"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save note"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(value.strip() for value in cleaned.values() if isinstance(value, str)):
            raise forms.ValidationError(_("Write at least one part of the note."))
        return cleaned


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ModelChoiceField(queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    # --- competence gate ---
    competence_override_reason = forms.CharField(
        label=_("Reason to give it to someone without the competence"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when asked: the owner lacks a competency the intervention of the responsibility this "
            "action adds or changes needs. Recorded on the action."
        ),
    )

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self.fields["owner"], User.objects.filter(memberships__team=team, is_active=True))
        self.helper = _helper("", form_tag=False)

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due_on


class AmendmentForm(forms.Form):
    text = forms.CharField(label=_("Amendment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Add amendment"))


class ConferenceSeriesForm(forms.ModelForm):
    class Meta:
        model = ConferenceSeries
        fields = [
            "weekday",
            "local_time",
            "every_weeks",
            "chair",
            "active",
            "exercise_below",
            "attendance_below",
            "adherence_days",
            "checkin_silence_days",
        ]
        widgets = {"local_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.team = team
        _limit_choices(
            self.fields["chair"],
            User.objects.filter(
                memberships__team=team, memberships__role=Membership.Role.LEAD, is_active=True
            ),
        )
        self.helper = _helper("")
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(
                "When the team meets",
                Row(Column("weekday"), Column("local_time"), Column("every_weeks")),
                Row(Column("chair"), Column("active")),
            ),
            Fieldset(
                _("What puts a patient on the agenda"),
                Row(Column("exercise_below"), Column("attendance_below")),
                Row(Column("adherence_days"), Column("checkin_silence_days")),
            ),
            Submit("save", _("Save")),
        )
