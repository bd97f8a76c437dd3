"""Input cleaning for resolving a review into plan work: one form per proposed item, each with a tick.

Nothing is added that is not ticked; an item's fields are checked only when it is.
"""

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from careplans.catalogue import InterventionCode
from careplans.models import Goal, Modality, SupportModality
from teams.models import Discipline, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REQUIRED = "This field is required."


def _choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _in_sentence(label: str) -> str:
    """A label inside a sentence: "graded exposure", but "CBT-informed pain coping"."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


class ProposalForm(forms.Form):
    """A proposed item: its fields are required only when ``accept`` is ticked."""

    accept = forms.BooleanField(required=False)
    needed: dict[str, str] = {}

    def full_clean(self) -> None:
        super().full_clean()
        # An item left unticked is dropped: what its fields hold does not matter.
        if self.is_bound and not self.cleaned_data.get("accept"):
            self._errors = ErrorDict()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("accept"):
            for name, message in self.needed.items():
                if name not in self.errors and cleaned.get(name) in (None, ""):
                    self.add_error(name, message)
        return cleaned

    @property
    def accepted(self) -> bool:
        return bool(self.cleaned_data.get("accept"))


class ResponsibilityProposalForm(ProposalForm):
    intervention = forms.ChoiceField(choices=InterventionCode.choices, required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Who takes it on"))
    discipline = forms.ChoiceField(choices=Discipline.choices, required=False)
    frequency = forms.CharField(max_length=100, required=False, label=_("How often"))
    starts_on = forms.DateField(required=False, widget=DATE, label=_("From"))
    goal = forms.ModelChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("Across all goals"),
        label=_("Toward the goal"),
    )
    # Pre-filled from the patient's preferred modalities (``careplans.preferences``).
    modality = forms.ChoiceField(
        choices=[("", "Not decided yet"), *Modality.choices], required=False, label=_("Delivered")
    )
    # --- competence gate ---
    competence_override_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason to keep this owner without the competence"),
        help_text=_(
            "Only when asked: they lack a competency the intervention needs. Recorded with the plan."
        ),
    )
    needed = {
        "intervention": "Choose the intervention.",
        "owner": "Choose who takes it on.",
        "discipline": "Choose the discipline.",
        "frequency": "Say how often (or “to agree with the patient”).",
        "starts_on": "Give the day it starts.",
    }

    def __init__(self, *args: Any, members: QuerySet[User], goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "owner").queryset = members
        _choices(self, "owner").error_messages["invalid_choice"] = _("Choose a member of the patient's team.")
        _choices(self, "goal").queryset = goals
        # What the proposed modality goes against in the patient's preferences ("" when nothing).
        self.preference_conflict: str = self.initial.get("preference_conflict", "")
        name = str(dict(InterventionCode.choices).get(self.initial.get("intervention", ""), ""))
        if name:
            self.proposal_label = _("Proposed: %(name)s") % {"name": name}
            self.fields["accept"].label = _("Add %(name)s to the plan") % {"name": _in_sentence(name)}
        else:
            self.proposal_label = _("Another responsibility, if you want one")
            self.fields["accept"].label = _("Add this responsibility to the plan")
            intervention = cast(forms.ChoiceField, self.fields["intervention"])
            intervention.choices = [("", _("Choose an intervention")), *InterventionCode.choices]


class MilestoneProposalForm(ProposalForm):
    goal = forms.ModelChoiceField(queryset=Goal.objects.none(), required=False, label=_("Under the goal"))
    description = forms.CharField(max_length=300, required=False)
    target = forms.CharField(max_length=200, required=False, label=_("Measure and target"))
    due_date = forms.DateField(required=False, widget=DATE, label=_("Due"))
    needed = {
        "goal": _("Choose the goal this milestone is a step toward."),
        "description": _("Describe the milestone."),
        "target": _("Give its measure and target."),
        "due_date": _("Give the day it is due."),
    }

    def __init__(self, *args: Any, goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "goal").queryset = goals
        self.fields["accept"].label = _("Add this milestone to the plan")


class RescreenProposalForm(ProposalForm):
    rescreen_on = forms.DateField(required=False, widget=DATE, label=_("Screen again on"))
    needed = {"rescreen_on": _("Give the day of the re-screen.")}

    def __init__(self, *args: Any, instrument: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accept"].label = _("Schedule the %(instrument)s re-screen") % {"instrument": instrument}


class SupportProposalForm(ProposalForm):
    support_by = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("Delivered by"), empty_label=_("Not agreed yet")
    )
    support_modality = forms.ChoiceField(
        choices=[("", _("Not agreed yet")), *SupportModality.choices], required=False, label=_("Modality")
    )
    support_frequency = forms.CharField(max_length=100, required=False, label=_("How often"))
    plan_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    needed = {"support_by": _("Say who delivers the support.")}

    def __init__(self, *args: Any, members: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "support_by").queryset = members
        _choices(self, "support_by").error_messages["invalid_choice"] = _(
            "Choose a member of the patient's team."
        )
        self.fields["accept"].label = _("Set the plan's psychological support")
        self.preference_conflict: str = self.initial.get("preference_conflict", "")


class ResolveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label=_("Note (optional)"),
        help_text=_("Anything the team should know about what was agreed."),
    )


ResponsibilityFormSet = forms.formset_factory(ResponsibilityProposalForm, extra=0)


def rescreen_default(*, today: date, days: int | None) -> date | None:
    """The re-screen the rule asks for: ``days`` after today (none when the rule sets no interval)."""
    return today + timedelta(days=days) if days else None
