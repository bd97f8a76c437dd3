"""Input cleaning for care plan pages. Each part's form carries the version it was loaded at."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from teams.models import User

from . import literacy, referrals
from .consent import CONTACT_HELP, CONTACT_INVALID, contact_kind
from .education import choice_label
from .models import (
    Accommodation,
    Activity,
    Barrier,
    BehaviouralContract,
    Caregiver,
    CaregiverScope,
    CarePlan,
    CarePreferences,
    CommunityResource,
    ConsentGivenBy,
    ConsentRecorded,
    EducationItem,
    Exercise,
    Goal,
    Milestone,
    Modality,
    PlanTemplate,
    Referral,
    Responsibility,
    SupportModality,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class VersionedForm(forms.ModelForm):
    """A part of a plan, edited by several people: ``version`` says which state the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # After a conflict: the fields both editors changed, each of which needs a choice (``keep_<name>``).
    clashes = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.initial.setdefault("clashes", "")
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("save", _("Save")))
        if "goal" in self.fields:
            choice_field(self, "goal").queryset = plan.goals.all()
        names = self.data.get("clashes", "") if self.is_bound else ""
        editable = set(self._meta.fields or ())
        self.clash_choices([name for name in names.split(",") if name in editable])

    def clash_choices(self, names: list[str], theirs: dict[str, str] | None = None) -> None:
        """Ask, for each field both editors changed, which value to keep: nothing is kept by default."""
        for name in names:
            label = self.fields[name].label or name.replace("_", " ")
            stored = theirs[name] if theirs else str(getattr(self.instance, name, "") or "—")
            mine = self.data.get(name) or "—"
            self.fields[f"keep_{name}"] = forms.ChoiceField(
                label=_("%(field)s: both of you changed it") % {"field": str(label).capitalize()},
                choices=[
                    ("theirs", _("Keep the saved value: %(value)s") % {"value": stored}),
                    ("mine", _("Keep yours: %(value)s") % {"value": mine}),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose which value to keep."},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in [key[len("keep_") :] for key in self.fields if key.startswith("keep_")]:
            if cleaned.get(f"keep_{name}") == "theirs":
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def changes(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("version", "clashes") and not name.startswith("keep_")
        }


class PlanForm(VersionedForm):
    class Meta:
        model = CarePlan
        fields = [
            "start_date",
            "review_date",
            "risk_stratum",
            "summary_physical",
            "summary_psychological",
            "summary_social",
        ]
        widgets = {
            "start_date": DATE,
            "review_date": DATE,
            "summary_physical": forms.Textarea(attrs={"rows": 2}),
            "summary_psychological": forms.Textarea(attrs={"rows": 2}),
            "summary_social": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "summary_physical": "Physical",
            "summary_psychological": "Psychological",
            "summary_social": "Social",
        }


class PlanSupportForm(VersionedForm):
    """The plan's psychological support: who delivers it, in what modality, how often."""

    class Meta:
        model = CarePlan
        fields = ["support_by", "support_modality", "support_frequency"]
        labels = {
            "support_by": _("Delivered by"),
            "support_modality": _("Modality"),
            "support_frequency": _("How often"),
        }
        help_texts = {"support_by": _("A member of the patient's team; leave empty until it is agreed.")}

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        team = plan.patient.team
        support_by = choice_field(self, "support_by")
        support_by.queryset = User.objects.filter(memberships__team=team, is_active=True).order_by(
            "last_name", "first_name"
        )
        support_by.empty_label = _("Not agreed yet")
        support_by.error_messages["invalid_choice"] = _(
            "Choose a member of %(team)s, the patient's team."
        ) % {"team": team}
        cast(forms.ChoiceField, self.fields["support_modality"]).choices = [
            ("", _("Not agreed yet")),
            *SupportModality.choices,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Who and how go together: a modality or a frequency with nobody to deliver it is no support.
        if not cleaned.get("support_by") and (
            cleaned.get("support_modality") or cleaned.get("support_frequency")
        ):
            self.add_error(
                "support_by", _("Say who delivers the support, or leave its modality and frequency empty.")
            )
        return cleaned


class PlanCreateForm(PlanForm):
    template = forms.ModelChoiceField(
        queryset=PlanTemplate.objects.all(),
        required=False,
        empty_label=_("No template: start empty"),
        help_text=_("Suggested from the patient's latest screening."),
    )

    class Meta(PlanForm.Meta):
        fields = ["template", *PlanForm.Meta.fields]


class GoalForm(VersionedForm):
    class Meta:
        model = Goal
        fields = ["patient_words", "value", "measure", "baseline", "target_value", "target_date", "position"]
        widgets = {"target_date": DATE}
        help_texts = {
            "patient_words": _('What matters to them, as they say it: "walk my grandson to school".')
        }


class MilestoneForm(VersionedForm):
    class Meta:
        model = Milestone
        fields = ["goal", "description", "target", "due_date", "achieved_on", "battery"]
        widgets = {"due_date": DATE, "achieved_on": DATE}


class ResponsibilityForm(VersionedForm):
    class Meta:
        model = Responsibility
        fields = [
            "intervention",
            "details",
            "owner",
            "discipline",
            "frequency",
            "modality",
            "starts_on",
            "ends_on",
            "status",
            "goal",
            "competence_override_reason",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        help_texts = {"modality": _("How it reaches the patient; the plan flags one they do not prefer.")}

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        team = plan.patient.team
        owner = choice_field(self, "owner")
        owner.queryset = User.objects.filter(memberships__team=team, is_active=True).order_by("last_name")
        owner.error_messages["invalid_choice"] = f"Choose a member of {team}, the patient's team."
        # --- competence gate ---
        # Asked only when the owner lacks a competency the intervention needs (``training.gate``): the
        # field starts empty (a reason recorded for this owner stays unless the owner or the work
        # changes), and is shown when a reason is recorded, given, or asked for.
        reason = self.fields["competence_override_reason"]
        reason.label = _("Reason to keep this owner without the competence")
        recorded = self.instance.competence_override_reason if self.instance.pk else ""
        reason.help_text = (
            _(
                "Recorded: “%(reason)s”. It stays while the owner and the intervention stay; write a new "
                "one only if you change them and are asked."
            )
            % {"reason": recorded}
            if recorded
            else _(
                "Asked when the owner lacks a competency this intervention needs (no training record, a "
                "lapsed renewal, or practice under supervision without supervision up to date). The "
                "reason is recorded with the plan."
            )
        )
        self.initial["competence_override_reason"] = ""
        given = self.is_bound and self.data.get(self.add_prefix("competence_override_reason"), "").strip()
        reason.widget = forms.Textarea(attrs={"rows": 2}) if recorded or given else forms.HiddenInput()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if "competence_override_reason" in self.errors:  # the gate asks: show the field with its message
            self.fields["competence_override_reason"].widget = forms.Textarea(attrs={"rows": 2})

    def changes(self) -> dict[str, Any]:
        """An empty reason is no change: a recorded one stays (the service clears it when the owner or the
        intervention changes)."""
        changes = super().changes()
        if not (changes.get("competence_override_reason") or "").strip():
            changes.pop("competence_override_reason", None)
        return changes


class ExerciseForm(VersionedForm):
    rest_days = forms.TypedMultipleChoiceField(
        choices=Exercise.Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Exercise
        fields = [
            "name",
            "goal",
            "sets",
            "reps",
            "hold_seconds",
            "sessions_per_week",
            "rest_days",
            "phase",
            "progression_rule",
            "lighter_alternative",
        ]
        error_messages = {
            "sessions_per_week": {
                "min_value": "Sessions per week must be between 1 and 14.",
                "max_value": "Sessions per week must be between 1 and 14.",
            }
        }


class ContractForm(VersionedForm):
    class Meta:
        model = BehaviouralContract
        fields = ["patient_commitments", "team_commitments", "supports", "agreed_on", "review_date"]
        widgets = {
            "agreed_on": DATE,
            "review_date": DATE,
            "patient_commitments": forms.Textarea(attrs={"rows": 3}),
            "team_commitments": forms.Textarea(attrs={"rows": 3}),
            "supports": forms.Textarea(attrs={"rows": 2}),
        }


class CaregiverForm(VersionedForm):
    """Who the caregiver is, and what the patient consented they receive: each scope on its own, given by
    whom, on which day, how it was recorded and until when. Whoever saves a consent is recorded by the
    service; a withdrawal has its own page."""

    consent_scopes = forms.MultipleChoiceField(
        label=_("May receive"),
        choices=CaregiverScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only what the patient consented to. Leave all unticked if they have not."),
    )

    class Meta:
        model = Caregiver
        fields = [
            "name",
            "relationship",
            "contact",
            "role_in_plan",
            "consent_scopes",
            "consent_given_by",
            "consent_given_on",
            "consent_recorded_how",
            "consent_until",
        ]
        widgets = {
            "consent_given_on": DATE,
            "consent_until": DATE,
            "consent_recorded_how": forms.RadioSelect,
        }
        labels = {"consent_recorded_how": _("Consent given"), "consent_until": _("Consent until (optional)")}
        help_texts = {"contact": CONTACT_HELP}

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        cast(forms.ChoiceField, self.fields["consent_recorded_how"]).choices = ConsentRecorded.choices
        withdrawn = self.instance.consent_withdrawn_at
        if withdrawn is not None:
            day = formats.date_format(timezone.localdate(withdrawn), "DATE_FORMAT")
            self.fields["consent_given_on"].help_text = (
                f"Consent was withdrawn on {day}. If the patient consents again, tick what the caregiver "
                f"may receive and enter the day they consented (on or after {day}): that is a new consent."
            )

    def clean_contact(self) -> str:
        contact = self.cleaned_data.get("contact", "").strip()
        if contact and not contact_kind(contact):
            raise forms.ValidationError(CONTACT_INVALID)
        return contact

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        today = timezone.localdate()
        given_on, until = cleaned.get("consent_given_on"), cleaned.get("consent_until")
        if cleaned.get("consent_scopes"):
            needed = {
                "consent_given_by": "Say who gave the consent (e.g. the patient).",
                "consent_given_on": "Enter the day the consent was given.",
                "consent_recorded_how": "Say how the consent was given: verbally or in writing.",
            }
            for name, problem in needed.items():
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, problem)
        if given_on and given_on > today:
            self.add_error("consent_given_on", _("The day consent was given cannot be in the future."))
        if given_on and until and until < given_on:
            self.add_error("consent_until", _("Consent cannot end before the day it was given."))
        withdrawn = self.instance.consent_withdrawn_at
        if (
            withdrawn is not None
            and given_on
            and given_on != self.instance.consent_given_on
            and given_on < timezone.localdate(withdrawn)
            and "consent_given_on" not in self.errors
        ):
            day = formats.date_format(timezone.localdate(withdrawn), "DATE_FORMAT")
            self.add_error(
                "consent_given_on",
                _("A new consent is given on or after its withdrawal on %(day)s.") % {"day": day},
            )
        return cleaned


class CaregiverWithdrawForm(forms.Form):
    """The patient withdraws their consent: nothing more is sent to the caregiver."""

    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('e.g. "asked at today\'s session; will tell her daughter herself"'),
    )


# --- education ---


class EducationItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return choice_label(cast(EducationItem, obj))


class EducationAssignForm(forms.Form):
    """Choose an item of the library for the patient to read through their link."""

    item = EducationItemChoice(
        queryset=EducationItem.objects.none(),
        label=_("Education item"),
        empty_label=_("Choose an item…"),
        error_messages={
            "invalid_choice": "Choose one of the items listed: it may have been assigned meanwhile."
        },
    )

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "item").queryset = items


# --- activation ---


class ActivityForm(VersionedForm):
    """An enjoyable or valued activity scheduled alongside the exercises (behavioural activation)."""

    days = forms.TypedMultipleChoiceField(
        choices=Exercise.Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("On"),
        help_text=_("The days it is planned for. None ticked: the check-in asks about it every day."),
    )

    class Meta:
        model = Activity
        fields = ["name", "kind", "why", "goal", "days", "active"]
        help_texts = {
            "name": "In the patient's words: “coffee with my sister”, “ten minutes in the garden”.",
            "active": "Untick to stop asking about it in the check-in; its history stays.",
        }
        error_messages = {"name": {"required": "Name the activity, as the patient would."}}


class BarrierForm(VersionedForm):
    """A barrier noted with the patient, the plan agreed to get round it, and (later) whether it worked."""

    class Meta:
        model = Barrier
        fields = ["barrier", "plan_agreed", "noted_on", "outcome", "reviewed_on", "review_note"]
        widgets = {"noted_on": DATE, "reviewed_on": DATE}
        labels = {"barrier": _("What gets in the way"), "review_note": _("What happened")}
        error_messages = {
            "barrier": {"required": _("Say what gets in the way, as the patient put it.")},
            "plan_agreed": {"required": "Write the plan agreed to get round it."},
            "noted_on": {"required": "Enter the day it was noted."},
        }

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        if not self.instance.pk and not self.initial.get("noted_on"):
            self.initial["noted_on"] = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        reviewed_on, noted_on = cleaned.get("reviewed_on"), cleaned.get("noted_on")
        if cleaned.get("outcome") == Barrier.Outcome.PENDING:
            if reviewed_on:
                self.add_error(
                    "reviewed_on", _("Choose whether the plan worked, or leave the review day empty.")
                )
        elif cleaned.get("outcome") and not reviewed_on:
            self.add_error("reviewed_on", _("Enter the day the plan was reviewed."))
        if reviewed_on and noted_on and reviewed_on < noted_on:
            self.add_error("reviewed_on", _("The review cannot come before the day the barrier was noted."))
        return cleaned


class BarrierReviewForm(forms.Form):
    """Whether the plan agreed for a barrier worked, recorded at a case conference."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Did the plan work?"),
        choices=[choice for choice in Barrier.Outcome.choices if choice[0] != Barrier.Outcome.PENDING],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose whether the plan worked."},
    )
    review_note = forms.CharField(label=_("What happened"), max_length=300, required=False)

    def __init__(self, *args: Any, barrier: Barrier, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"barrier-{barrier.pk}")
        kwargs.setdefault("initial", {"version": barrier.version})
        super().__init__(*args, **kwargs)
        self.barrier = barrier


# --- preferences ---

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PreferencesForm(VersionedForm):
    """How the patient wants to be cared for, recorded with them. The literacy item is asked in the
    screener's own words (``careplans/literacy.py``). Contact times are a window within one day: from
    before until (a window across midnight is refused; quiet hours already keep nights free)."""

    modalities = forms.MultipleChoiceField(
        label=_("Preferred ways of receiving care"),
        choices=Modality.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick every way they would accept. None ticked: no preference."),
    )
    first_choice = forms.ChoiceField(
        label=_("Most preferred of these"),
        required=False,
        help_text=_("Proposals try this one first, then the others ticked."),
    )
    contact_days = forms.TypedMultipleChoiceField(
        label=_("Best days to be contacted"),
        choices=Exercise.Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: any day. Reminders due on another day wait for the next day ticked."),
    )

    class Meta:
        model = CarePreferences
        fields = [
            "modalities",
            "first_choice",
            "pacing",
            "progression",
            "forms_confidence",
            "interpreter_needed",
            "language",
            "cultural_considerations",
            "contact_days",
            "contact_from",
            "contact_until",
            "what_matters",
        ]
        widgets = {
            "contact_from": TIME,
            "contact_until": TIME,
            "forms_confidence": forms.RadioSelect,
            "cultural_considerations": forms.Textarea(attrs={"rows": 2}),
            "what_matters": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "forms_confidence": literacy.QUESTION,
            "interpreter_needed": "Needs an interpreter",
            "contact_from": "Contact from",
            "contact_until": "Contact until",
            "what_matters": "What matters most to them",
        }
        help_texts = {
            "forms_confidence": "Ask it in these words and tick their answer.",
            "language": "The language they prefer, and the interpreter's when one is needed.",
            "contact_until": "Reminders outside these times wait until the next time they fit.",
            "what_matters": "In their words.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Preferences belong to the patient, not to one plan: there are no goals to choose from.
        super().__init__(*args, plan=cast(CarePlan, None), **kwargs)
        first = cast(forms.ChoiceField, self.fields["first_choice"])
        first.choices = [("", "No order"), *Modality.choices]
        if self.instance.modalities and not self.is_bound:
            self.initial["first_choice"] = self.instance.modalities[0]
        cast(forms.ChoiceField, self.fields["forms_confidence"]).choices = [
            ("", "Not asked yet"),
            *CarePreferences.FormsConfidence.choices,
        ]
        for name, blank in (("pacing", "Not discussed"), ("progression", "Not discussed")):
            cast(forms.ChoiceField, self.fields[name]).choices = [
                ("", blank),
                *self._meta.model._meta.get_field(name).choices,
            ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        modalities = list(cleaned.get("modalities") or [])
        first = cleaned.get("first_choice") or ""
        if first and first not in modalities:
            self.add_error(
                "first_choice", _("Tick this way of receiving care above too, or choose no order.")
            )
        elif first:
            modalities.remove(first)
            modalities.insert(0, first)
        cleaned["modalities"] = modalities
        start, end = cleaned.get("contact_from"), cleaned.get("contact_until")
        if (start is None) != (end is None) and not {"contact_from", "contact_until"} & set(self.errors):
            missing = "contact_until" if end is None else "contact_from"
            self.add_error(missing, _("Give both times, or leave both empty for any time of day."))
        elif start is not None and end is not None and start >= end:
            self.add_error(
                "contact_until",
                _("Give a time after the start: a window runs within one day (not across midnight)."),
            )
        if cleaned.get("interpreter_needed") and not (cleaned.get("language") or "").strip():
            self.add_error("language", _("Say which language the interpreter is needed for."))
        return cleaned

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in super().changes().items() if name != "first_choice"}


# --- directory and referrals ---


class ResourceForm(forms.ModelForm):
    """A community resource as a lead or clinic admin enters it; languages separated by commas."""

    languages = forms.CharField(
        required=False,
        help_text=_("Languages it is offered in, separated by commas: English, Polish, Urdu."),
    )
    website = forms.URLField(required=False, assume_scheme="https")
    # When the page was loaded: a save over someone else's is refused (services.resource_save).
    seen_updated_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CommunityResource
        fields = [
            "name",
            "category",
            "description",
            "area",
            "eligibility",
            "languages",
            "cost",
            "cost_note",
            "referral_method",
            "referral_details",
            "phone",
            "email",
            "website",
            "address",
            "active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "name": {"required": _("Name the resource.")},
            "area": {"required": _("Say where it serves.")},
            "referral_method": {"required": _("Say how patients are referred.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["languages"] = ", ".join(self.instance.languages or [])
        if self.instance.pk:
            self.initial["seen_updated_at"] = self.instance.updated_at
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("save", _("Save")))

    def clean_languages(self) -> list[str]:
        words = [word.strip() for word in (self.cleaned_data.get("languages") or "").split(",")]
        # One spelling each ("polish" and "Polish" are one language to the filter).
        return list(dict.fromkeys(word[:1].upper() + word[1:] for word in words if word))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(name) for name in ("phone", "email", "website", "address")):
            if not {"phone", "email", "website", "address"} & set(self.errors):
                self.add_error(
                    "phone", _("Give at least one way to contact it: phone, email, website or address.")
                )
        return cleaned


class ResourceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.get_category_display()}, {obj.area}"


class ReferralForm(VersionedForm):
    """A referral from the plan: to a directory resource or another service, with the patient's consent;
    later, what happened (the status moves on by ``careplans.referrals``)."""

    resource = ResourceChoice(
        queryset=CommunityResource.objects.none(), required=False, label=_("Directory resource")
    )
    accommodations = forms.MultipleChoiceField(
        label=_("Accommodations agreed"),
        choices=Accommodation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Workplace and return-to-work referrals: what the employer agreed."),
    )

    class Meta:
        model = Referral
        fields = [
            "resource",
            "service_name",
            "service_contact",
            "category",
            "reason",
            "consent_given_on",
            "consent_recorded_how",
            "consent_given_by",
            "sent_on",
            "owner",
            "status",
            "follow_up_due",
            "outcome_note",
            "accommodations",
            "accommodations_other",
            "accommodation_review_on",
        ]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "outcome_note": forms.Textarea(attrs={"rows": 2}),
            "consent_given_on": DATE,
            "sent_on": DATE,
            "follow_up_due": DATE,
            "accommodation_review_on": DATE,
            "consent_recorded_how": forms.RadioSelect,
            "consent_given_by": forms.RadioSelect,
        }
        labels = {"owner": _("Followed up by")}
        help_texts = {
            "service_name": _("Only when the service is not in the directory."),
            "category": _(
                "For another service: what kind it is (a workplace service records accommodations)."
            ),
            "follow_up_due": _("Left as it is when the status changes, the next follow-up is set for you."),
        }
        error_messages = {"reason": {"required": _("Say why the patient is referred.")}}

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        resources = CommunityResource.objects.filter(active=True)
        if self.instance.resource_id:
            resources = CommunityResource.objects.filter(Q(active=True) | Q(pk=self.instance.resource_id))
        choice_field(self, "resource").queryset = resources.order_by("name")
        team = plan.patient.team
        owner = choice_field(self, "owner")
        owner.queryset = User.objects.filter(memberships__team=team, is_active=True).order_by("last_name")
        owner.error_messages["invalid_choice"] = _("Choose a member of %(team)s, the patient's team.") % {
            "team": team
        }
        # Radio buttons without the empty choice: the form says which is missing.
        cast(forms.ChoiceField, self.fields["consent_recorded_how"]).choices = ConsentRecorded.choices
        cast(forms.ChoiceField, self.fields["consent_given_by"]).choices = ConsentGivenBy.choices
        stored = self.instance.status if self.instance.pk else ""
        allowed = {stored} | set(referrals.TRANSITIONS.get(stored, ())) if stored else {Referral.Status.SENT}
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [choice for choice in Referral.Status.choices if choice[0] in allowed]
        if not self.instance.pk:
            today = timezone.localdate()
            for name, value in (
                ("sent_on", today),
                ("consent_given_on", today),
                ("follow_up_due", referrals.next_follow_up(Referral.Status.SENT, today)),
                ("status", Referral.Status.SENT),
            ):
                if not self.initial.get(name):
                    self.initial[name] = value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        resource = cleaned.get("resource")
        if resource is not None:
            cleaned["category"] = resource.category
        status, due = cleaned.get("status"), cleaned.get("follow_up_due")
        stored_status = self.instance_status
        if status and status not in referrals.OPEN:
            cleaned["follow_up_due"] = None
        elif status and stored_status and status != stored_status and due == self.initial_follow_up:
            # The status moved on and the follow-up was left as it was: the next one, counted from today.
            cleaned["follow_up_due"] = referrals.next_follow_up(status, timezone.localdate())
        return cleaned

    @property
    def instance_status(self) -> str:
        return self.initial.get("status", "") if self.instance.pk else ""

    @property
    def initial_follow_up(self) -> Any:
        return self.initial.get("follow_up_due")
