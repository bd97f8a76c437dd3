"""Input cleaning for screening pages: turning posted radio answers into answer sets, and alert forms."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import QueryDict

from .instruments import Instrument
from .models import Timepoint


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
) -> dict[str, Any]:
    """What the item template needs for one instrument: items, current answers and per-item errors."""
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
            }
            for item in instrument.items
        ],
    }


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
