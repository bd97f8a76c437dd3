"""A service's refusal on the form (core/forms.py): each message next to the field it names."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import refusal_shown


class Plan(forms.Form):
    goal = forms.CharField(required=False)


class Owner(forms.Form):
    owner = forms.CharField(required=False)


def test_each_message_goes_to_the_form_with_its_field_and_the_rest_atop_the_first():
    plan, owner = Plan(data={}), Owner(data={})
    refused = ValidationError({"owner": "Not on the team.", "goal": "Too long.", "version": "Changed since."})
    refusal_shown(refused, plan, None, owner)
    assert plan.errors == {"goal": ["Too long."], "__all__": ["Changed since."]}
    assert owner.errors == {"owner": ["Not on the team."]}


def test_a_refusal_that_names_no_field_goes_atop_the_form():
    plan = Plan(data={})
    refusal_shown(ValidationError("The plan was closed."), plan)
    assert plan.non_field_errors() == ["The plan was closed."]


def test_a_mapping_of_messages_is_shown_as_well():
    plan = Plan(data={})
    refusal_shown({"goal": ["Too long.", "Not a goal."]}, plan)
    assert plan.errors["goal"] == ["Too long.", "Not a goal."]
