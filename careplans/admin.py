"""Clinic admins edit plan templates here. Plans themselves are edited on the patient's pages,
which check access, lock against lost updates and keep the history."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .catalogue import InterventionCode
from .models import PlanTemplate


class PlanTemplateForm(forms.ModelForm):
    interventions = forms.MultipleChoiceField(
        choices=InterventionCode.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = PlanTemplate
        fields = ["name", "stratum", "description", "interventions", "summary_psychological"]


@admin.register(PlanTemplate)
class PlanTemplateAdmin(SimpleHistoryAdmin):
    form = PlanTemplateForm
    list_display = ["name", "stratum"]
    list_filter = ["stratum"]
