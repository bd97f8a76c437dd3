"""Input cleaning for care plan pages. Each part's form carries the version it was loaded at."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from teams.models import User

from .education import choice_label
from .models import (
    BehaviouralContract,
    Caregiver,
    CarePlan,
    EducationItem,
    Exercise,
    Goal,
    Milestone,
    PlanTemplate,
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
        self.helper.add_input(Submit("save", "Save"))
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
                label=f"{str(label).capitalize()}: both of you changed it",
                choices=[("theirs", f"Keep the saved value: {stored}"), ("mine", f"Keep yours: {mine}")],
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
            "support_by": "Delivered by",
            "support_modality": "Modality",
            "support_frequency": "How often",
        }
        help_texts = {"support_by": "A member of the patient's team; leave empty until it is agreed."}

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        team = plan.patient.team
        support_by = choice_field(self, "support_by")
        support_by.queryset = User.objects.filter(memberships__team=team, is_active=True).order_by(
            "last_name", "first_name"
        )
        support_by.empty_label = "Not agreed yet"
        support_by.error_messages["invalid_choice"] = f"Choose a member of {team}, the patient's team."
        cast(forms.ChoiceField, self.fields["support_modality"]).choices = [
            ("", "Not agreed yet"),
            *SupportModality.choices,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Who and how go together: a modality or a frequency with nobody to deliver it is no support.
        if not cleaned.get("support_by") and (
            cleaned.get("support_modality") or cleaned.get("support_frequency")
        ):
            self.add_error(
                "support_by", "Say who delivers the support, or leave its modality and frequency empty."
            )
        return cleaned


class PlanCreateForm(PlanForm):
    template = forms.ModelChoiceField(
        queryset=PlanTemplate.objects.all(),
        required=False,
        empty_label="No template: start empty",
        help_text="Suggested from the patient's latest screening.",
    )

    class Meta(PlanForm.Meta):
        fields = ["template", *PlanForm.Meta.fields]


class GoalForm(VersionedForm):
    class Meta:
        model = Goal
        fields = ["patient_words", "value", "measure", "baseline", "target_value", "target_date", "position"]
        widgets = {"target_date": DATE}
        help_texts = {"patient_words": 'What matters to them, as they say it: "walk my grandson to school".'}


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
            "starts_on",
            "ends_on",
            "status",
            "goal",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        team = plan.patient.team
        owner = choice_field(self, "owner")
        owner.queryset = User.objects.filter(memberships__team=team, is_active=True).order_by("last_name")
        owner.error_messages["invalid_choice"] = f"Choose a member of {team}, the patient's team."


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
    class Meta:
        model = Caregiver
        fields = ["name", "relationship", "contact", "role_in_plan"]


# --- education ---


class EducationItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return choice_label(cast(EducationItem, obj))


class EducationAssignForm(forms.Form):
    """Choose an item of the library for the patient to read through their link."""

    item = EducationItemChoice(
        queryset=EducationItem.objects.none(),
        label="Education item",
        empty_label="Choose an item…",
        error_messages={
            "invalid_choice": "Choose one of the items listed: it may have been assigned meanwhile."
        },
    )

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "item").queryset = items
