"""Input cleaning for patient pages, the patient list's filters and emergency access."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Membership, Patient, Team, User


def _limit_choices(field: forms.Field, queryset: QuerySet) -> None:
    cast(forms.ModelChoiceField, field).queryset = queryset


# One answer whoever's patient holds the MRN, so the form tells nothing more about other teams' patients.
MRN_TAKEN = _("This MRN is already registered. If you cannot find the patient, ask a clinic admin.")


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
            "reminder_consent_given_on",
            "reminder_consent_note",
            "status",
            "team",
            "primary_clinician",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reminder_consent_given_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"consent_to_reminders": _("Agrees to reminders")}
        help_texts = {"mobile": _("International format, e.g. +44 7400 123456, or a national number.")}

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
                Row(
                    Column("reminder_consent_given_on", css_class="col-md-4"),
                    Column("reminder_consent_note", css_class="col-md-8"),
                ),
            ),
            Fieldset("Care", Row(Column("team"), Column("primary_clinician"), Column("status"))),
            Submit("save", _("Save patient")),
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
            raise forms.ValidationError(_("Date of birth cannot be in the future."))
        if born.year < 1900:
            raise forms.ValidationError(_("Enter a date of birth after 1900."))
        return born

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        team, clinician = cleaned.get("team"), cleaned.get("primary_clinician")
        if team and clinician and not Membership.objects.filter(team=team, user=clinician).exists():
            self.add_error(
                "primary_clinician",
                _("%(clinician)s is not a member of %(team)s.") % {"clinician": clinician, "team": team},
            )
        if not cleaned.get("consent_to_reminders"):
            # Not given, or withdrawn: the record keeps no day or note of a consent that is not there.
            cleaned["reminder_consent_given_on"], cleaned["reminder_consent_note"] = None, ""
        channel = cleaned.get("reminder_channel")
        if (
            channel == Patient.Channel.EMAIL
            and cleaned.get("consent_to_reminders")
            and not cleaned.get("email")
        ):
            self.add_error("email", _("Email reminders need a contact email."))
        if (
            channel == Patient.Channel.SMS
            and cleaned.get("consent_to_reminders")
            and not cleaned.get("mobile")
        ):
            self.add_error("mobile", _("SMS reminders need a mobile number."))
        return cleaned


class PatientFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("All teams"),
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
        empty_label=_("Any clinician"),
        label=_("Primary clinician"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.available_to(user)
        _limit_choices(self.fields["team"], teams)
        _limit_choices(self.fields["clinician"], User.objects.filter(memberships__team__in=teams).distinct())


class EmergencyAccessForm(forms.Form):
    mrn = forms.CharField(
        label=_("MRN"), max_length=32, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    reason = forms.CharField(
        label=_("Why you need this record now"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text=_("Recorded with your name; the patient's team lead and the clinic admins are told."),
    )


class EmergencyNoteForm(forms.Form):
    text = forms.CharField(
        label=_("What you did or found"),
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
        help_text=_("Kept as written, with your name and the time, for the patient's team."),
    )


# --- interface language ---


class InterfaceLanguageForm(forms.Form):
    """The language a staff member reads the interface in; none follows the clinic's."""

    language = forms.ChoiceField(
        label=_("Interface language"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Patients' pages, messages and reports stay in each patient's own language."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clinic = dict(settings.LANGUAGES).get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)
        choices = [("", _("The clinic's (%(language)s)") % {"language": clinic}), *settings.LANGUAGES]
        cast(forms.ChoiceField, self.fields["language"]).choices = choices
