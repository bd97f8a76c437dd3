"""Input cleaning for screening pages: turning posted radio answers into answer sets, and alert forms;
and the item rows the entry and result pages show."""

from collections.abc import Callable, Collection
from typing import Any, cast

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.http import QueryDict

from teams.models import Team, User

from .instruments import INSTRUMENTS, Instrument
from .models import Alert, Timepoint
from .selectors import AlertFilters, AlertView


def answers_from_post(data: QueryDict, instrument: Instrument) -> dict[str, Any]:
    """The answers posted for one instrument, keyed by item number; the scorer judges them.

    Radio buttons are named ``<code>:<item number>``. Digits become numbers; anything
    else is passed on as typed so the scorer can say what is wrong with it.
    """
    answers: dict[str, Any] = {}
    prefix = f"{instrument.code}:"
    for key in data:
        if not key.startswith(prefix):
            continue
        raw = data.get(key, "").strip()
        if raw == "":
            continue
        answers[key[len(prefix) :]] = int(raw) if raw.isdigit() else raw
    return answers


def entry_section(
    instrument: Instrument,
    *,
    wordings: dict[tuple[str, int], str],
    chosen: Callable[[str], str],
    errors: dict[str, Any],
    missing: Collection[int] = (),
) -> dict[str, Any]:
    """What the item template needs for one instrument: items, current answers and per-item errors.

    ``missing``: items left blank that the total would be prorated over, marked until confirmed.
    """
    item_errors = errors.get("answers", {}) if isinstance(errors.get("answers"), dict) else {}
    numbers = {str(item.number) for item in instrument.items}
    other = [m for key, messages in item_errors.items() if key not in numbers for m in messages]
    if isinstance(errors.get("answers"), list):
        other += errors["answers"]
    return {
        "instrument": instrument,
        "other_errors": other,
        "items": [
            {
                "item": item,
                "text": wordings.get((instrument.code, item.number), item.text),
                "name": f"{instrument.code}:{item.number}",
                "chosen": chosen(str(item.number)),
                "error": item_errors.get(str(item.number), []),
                "missing": item.number in missing,
            }
            for item in instrument.items
        ],
    }


def missing_confirmed_from_post(data: QueryDict) -> dict[str, set[int]]:
    """The blank items the person entering answers confirmed, per instrument code.

    The save button that confirms them carries them as ``<code>:<item number>`` separated by spaces.
    """
    confirmed: dict[str, set[int]] = {}
    for value in data.getlist("missing_confirmed"):
        for entry in value.split():
            code, _, number = entry.rpartition(":")
            if code and number.isascii() and number.isdigit():
                confirmed.setdefault(code, set()).add(int(number))
    return confirmed


def answer_rows(
    instrument: Instrument, *, answers: dict[str, Any], wordings: dict[tuple[str, int], str]
) -> list[dict[str, Any]]:
    """What the result page shows per item: its wording, the answer's label, and whether it is the safety
    item (and was answered at its threshold). An item missing from ``answers`` was imputed (prorated)."""
    safety_rules = {rule.item: rule for rule in instrument.flags if rule.flag == "safety" and rule.item}
    rows = []
    for item in instrument.items:
        value = answers.get(str(item.number))
        answer = item.answer(value) if isinstance(value, int) else None
        rule = safety_rules.get(item.number)
        rows.append(
            {
                "item": item,
                "text": wordings.get((instrument.code, item.number), item.text) or item.label,
                "answer": answer,
                "value": value,
                "safety_item": rule is not None,
                "safety_raised": bool(
                    rule is not None
                    and answer is not None
                    and rule.matches(
                        total=0, subscales={}, item_scores={item.number: answer.score}, band=None
                    )
                ),
            }
        )
    return rows


def posted_answer(data: QueryDict, code: str, number: str) -> str:
    """The answer posted for one item, as typed (the radio buttons are named ``<code>:<number>``)."""
    return data.get(f"{code}:{number}", "")


class TimepointForm(forms.Form):
    timepoint = forms.ChoiceField(
        choices=Timepoint.choices, widget=forms.Select(attrs={"class": "form-select"})
    )


class AmendForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the correction",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": "Say why the result is being corrected."},
    )


class AlertCloseForm(forms.Form):
    action_taken = forms.CharField(
        label="Action taken",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": "Record the action taken before closing."},
    )


class AlertAcknowledgeForm(forms.Form):
    """Acknowledge the alert chosen; the others of its group only when the clinician ticks the box."""

    acknowledge_all = forms.BooleanField(required=False)
    group = SimpleArrayField(forms.IntegerField(min_value=1), required=False, max_length=500)
    next = forms.CharField(required=False, max_length=2000)


class AlertFilterForm(forms.Form):
    """The review queue's filters, from the query string; the alert API reads the same ones."""

    view = forms.ChoiceField(
        label="Show",
        choices=AlertView.CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    mine = forms.BooleanField(
        label="Only mine",
        required=False,
        help_text="Alerts of your own patients, and those you acknowledged or closed.",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "aria-describedby": "id_mine-help"}),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="All your teams",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    instrument = forms.ChoiceField(
        choices=[("", "Any instrument")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        choices=[("", "Any kind"), *Alert.Kind.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    raised_from = forms.DateField(
        label="Raised from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    raised_to = forms.DateField(
        label="Raised to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    patient = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.available_to(user)
        cast(forms.ChoiceField, self.fields["instrument"]).choices = [
            ("", "Any instrument"),
            *((code, code) for code in INSTRUMENTS),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("raised_from"), cleaned.get("raised_to")
        if start and end and start > end:
            self.add_error("raised_to", "Choose a day on or after the 'from' day.")
        return cleaned

    def filters(self) -> AlertFilters:
        """The filters chosen; a field refused (its message shown beside it) narrows nothing."""
        if not self.is_bound:
            return AlertFilters()
        self.is_valid()  # cleans every field; a refused one is left out of cleaned_data
        data = self.cleaned_data
        return AlertFilters(
            view=data.get("view") or AlertView.OPEN,
            mine=bool(data.get("mine")),
            team=data.get("team"),
            instrument=data.get("instrument", ""),
            kind=data.get("kind", ""),
            raised_from=data.get("raised_from"),
            raised_to=data.get("raised_to") if "raised_to" not in self.errors else None,
            patient_id=data.get("patient"),
        )
