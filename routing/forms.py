"""Input cleaning for the review queue's filters and a review's actions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from screening.instruments import INSTRUMENTS
from teams.models import Discipline, Patient, Team, User

from .models import Review
from .selectors import ReviewFilters, ReviewState, ReviewWhose, review_owner_choices


class ReviewFilterForm(forms.Form):
    """The queue's filters, from the query string. Unchosen: the user's own reviews still to do."""

    whose = forms.ChoiceField(
        label=_("Whose"),
        choices=ReviewWhose.CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("All your teams"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    discipline = forms.ChoiceField(
        label=_("Discipline"),
        choices=[("", "Any discipline"), *Discipline.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    instrument = forms.ChoiceField(
        choices=[("", "Any instrument")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=ReviewState.CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    overdue = forms.BooleanField(
        label=_("Only overdue"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.available_to(user)
        cast(forms.ChoiceField, self.fields["instrument"]).choices = [
            ("", "Any instrument"),
            *((code, code) for code in INSTRUMENTS),
        ]

    def filters(self) -> ReviewFilters:
        """The filters chosen; a field refused (its message shown beside it) narrows nothing."""
        if not self.is_bound:
            return ReviewFilters()
        self.is_valid()
        chosen = getattr(self, "cleaned_data", {})
        return ReviewFilters(
            whose=chosen.get("whose") or ReviewWhose.MINE,
            team=chosen.get("team"),
            discipline=chosen.get("discipline") or "",
            instrument=chosen.get("instrument") or "",
            state=chosen.get("state") or ReviewState.UNRESOLVED,
            overdue=bool(chosen.get("overdue")),
        )


class ReviewVersionForm(forms.Form):
    """An action on a review names the version the page showed: a stale one is refused."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReviewReassignForm(ReviewVersionForm):
    owner = forms.ModelChoiceField(
        label=_("Give this review to"),
        queryset=User.objects.none(),
        empty_label=_("Choose a team member"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "Choose who takes the review over."},
    )

    # --- competence gate ---
    competence_override_reason = forms.CharField(
        label=_("Reason to give it to someone without the competence"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
        help_text=_(
            "Only when asked: the person chosen lacks a competency the rule's interventions need. "
            "The reason is recorded on the review."
        ),
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = cast(forms.ModelChoiceField, self.fields["owner"])
        owners.queryset = review_owner_choices(patient=patient)
        owners.label_from_instance = lambda user: f"{user} ({user.get_discipline_display()})"  # type: ignore[method-assign]


RESOLVE_CHOICES = [
    (Review.Resolution.REFERRED, "Referred"),
    (Review.Resolution.DECLINED, "Patient declined"),
    (Review.Resolution.NO_ACTION, "No action needed"),
]


class ReviewResolveForm(ReviewVersionForm):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=RESOLVE_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose how the review was resolved."},
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text=_(
            "Required: where the patient was referred, what they declined, or why no action is needed."
        ),
        error_messages={"required": "Write a note saying why."},
        max_length=2000,
    )
