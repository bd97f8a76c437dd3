"""Select lists written in Python come out exactly as Django's templates write them."""

from django import forms
from django.forms.renderers import DjangoTemplates

from core.forms import FormRenderer


class Choices(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "Any"), ("a", "Ann & <Bo>"), ("b", 'Say "hi"')],
        widget=forms.Select(attrs={"class": "form-select", "aria-describedby": "help"}),
    )
    grouped = forms.ChoiceField(
        choices=[("North", [("1", "One"), ("2", "Two")]), ("South", [("3", "Three")]), ("4", "Four")],
        required=False,
    )
    several = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")], required=False)
    disabled = forms.ChoiceField(choices=[("x", "X")], disabled=True)


def _both(data=None):
    return Choices(data=data, renderer=FormRenderer()), Choices(data=data, renderer=DjangoTemplates())


def test_every_select_renders_as_djangos_templates_render_it():
    ours, djangos = _both({"plain": "a", "grouped": "3", "several": ["1", "3"], "disabled": "x"})
    for name in ("plain", "grouped", "several", "disabled"):
        assert str(ours[name]) == str(djangos[name]), name
    assert "&lt;Bo&gt;" in str(ours["plain"]) and " selected" in str(ours["plain"])
    assert str(ours["several"]).count(" selected") == 2


def test_an_unbound_select_with_nothing_chosen_matches_too():
    ours, djangos = _both()
    for name in ("plain", "grouped", "several"):
        assert str(ours[name]) == str(djangos[name]), name
