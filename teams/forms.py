"""Input cleaning for patient, team and case-conference pages."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from .models import ConferenceSeries, Membership, Patient, Team, User


def _limit_choices(field: forms.Field, queryset: QuerySet) -> None:
    cast(forms.ModelChoiceField, field).queryset = queryset


# One answer whoever's patient holds the MRN, so the form tells nothing more about other teams' patients.
MRN_TAKEN = "This MRN is already registered. If you cannot find the patient, ask a clinic admin."


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "mrn",
            "given_name",
            "family_name",
            "date_of_birth",
            "email",
            "mobile",
            "reminder_channel",
            "language",
            "consent_to_reminders",
            "status",
            "team",
            "primary_clinician",
        ]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"mobile": "International format, e.g. +44 7400 123456, or a national number."}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        teams = Team.objects.available_to(user)
        _limit_choices(self.fields["team"], teams)
        _limit_choices(
            self.fields["primary_clinician"],
            User.objects.filter(is_active=True, memberships__team__in=teams).distinct(),
        )
        if not self.instance.pk:
            # A clinician in one team registers into it, and usually as the primary clinician.
            own_teams = list(teams[:2])
            if len(own_teams) == 1:
                self.initial.setdefault("team", own_teams[0].pk)
            if not user.is_clinic_admin:
                self.initial.setdefault("primary_clinician", user.pk)
        self.helper = FormHelper()
        # Our messages, next to each field, rather than the browser's own pop-ups.
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(
                "Identity",
                Row(Column("mrn", css_class="col-md-4"), Column("date_of_birth", css_class="col-md-4")),
                Row(Column("given_name"), Column("family_name")),
            ),
            Fieldset(
                "Contact and reminders",
                Row(Column("email"), Column("mobile")),
                Row(Column("reminder_channel"), Column("language")),
                "consent_to_reminders",
            ),
            Fieldset("Care", Row(Column("team"), Column("primary_clinician"), Column("status"))),
            Submit("save", "Save patient"),
        )

    def clean_mrn(self) -> str:
        from .services import patient_mrn_taken

        mrn = self.cleaned_data["mrn"].strip()
        if patient_mrn_taken(user=self.user, mrn=mrn, exclude_id=self.instance.pk):
            raise forms.ValidationError(MRN_TAKEN)
        return mrn

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("Date of birth cannot be in the future.")
        if born.year < 1900:
            raise forms.ValidationError("Enter a date of birth after 1900.")
        return born

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        team, clinician = cleaned.get("team"), cleaned.get("primary_clinician")
        if team and clinician and not Membership.objects.filter(team=team, user=clinician).exists():
            self.add_error("primary_clinician", f"{clinician} is not a member of {team}.")
        channel = cleaned.get("reminder_channel")
        if (
            channel == Patient.Channel.EMAIL
            and cleaned.get("consent_to_reminders")
            and not cleaned.get("email")
        ):
            self.add_error("email", "Email reminders need a contact email.")
        if (
            channel == Patient.Channel.SMS
            and cleaned.get("consent_to_reminders")
            and not cleaned.get("mobile")
        ):
            self.add_error("mobile", "SMS reminders need a mobile number.")
        return cleaned


class PatientFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="All teams",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Patient.Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    clinician = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Any clinician",
        label="Primary clinician",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.available_to(user)
        _limit_choices(self.fields["team"], teams)
        _limit_choices(self.fields["clinician"], User.objects.filter(memberships__team__in=teams).distinct())


# Case conferences ----------------------------------------------------------------------------------


def _helper(submit: str, *, form_tag: bool = True) -> FormHelper:
    helper = FormHelper()
    helper.attrs = {"novalidate": ""}
    helper.form_tag = form_tag
    if submit:
        helper.add_input(Submit("save", submit))
    return helper


class ConferenceForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="Date and time",
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
        self.helper = _helper("Plan conference")

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at < timezone.now():
            raise forms.ValidationError("Choose a time in the future.")
        return starts_at


class AgendaAddForm(forms.Form):
    mrn = forms.CharField(label="Add a patient by MRN", max_length=32)

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_mrn(self) -> Patient:
        mrn = self.cleaned_data["mrn"].strip()
        patient = Patient.objects.filter(mrn__iexact=mrn, team=self.team).first()
        if patient is None:
            raise forms.ValidationError(f"No patient of {self.team} has MRN {mrn}.")
        return patient


class NoteForm(forms.Form):
    physical = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    psychological = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    social = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    patient_perspective = forms.CharField(
        label="Patient's perspective", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save note")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(value.strip() for value in cleaned.values() if isinstance(value, str)):
            raise forms.ValidationError("Write at least one part of the note.")
        return cleaned


class ActionForm(forms.Form):
    description = forms.CharField(label="Action", max_length=300)
    owner = forms.ModelChoiceField(queryset=User.objects.none())
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self.fields["owner"], User.objects.filter(memberships__team=team, is_active=True))
        self.helper = _helper("", form_tag=False)

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError("The due date cannot be in the past.")
        return due_on


class AmendmentForm(forms.Form):
    text = forms.CharField(label="Amendment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Add amendment")


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
                "What puts a patient on the agenda",
                Row(Column("exercise_below"), Column("attendance_below")),
                Row(Column("adherence_days"), Column("checkin_silence_days")),
            ),
            Submit("save", "Save"),
        )


class EmergencyAccessForm(forms.Form):
    mrn = forms.CharField(label="MRN", max_length=32, widget=forms.TextInput(attrs={"class": "form-control"}))
    reason = forms.CharField(
        label="Why you need this record now",
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text="Recorded with your name; the patient's team lead and the clinic admins are told.",
    )


class EmergencyNoteForm(forms.Form):
    text = forms.CharField(
        label="What you did or found",
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
        help_text="Kept as written, with your name and the time, for the patient's team.",
    )
