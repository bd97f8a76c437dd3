"""Clinic admins edit the routing rules here: every version is kept (django-simple-history) and every
add, change and delete writes an audit event naming the fields. Reviews are worked on their own pages,
which check access and the version."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from careplans.catalogue import InterventionCode
from teams.models import AuditEvent
from teams.services import audit_record, audited_save

from .models import RoutingRule


class RoutingRuleForm(forms.ModelForm):
    interventions = forms.MultipleChoiceField(
        choices=InterventionCode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The plan work to propose, from the intervention catalogue."),
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "instrument",
            "condition",
            "flag",
            "band",
            "subscale",
            "low",
            "high",
            "discipline",
            "support_discipline",
            "due_days",
            "interventions",
            "rescreen_days",
            "rationale",
            "source",
            "position",
            "is_active",
        ]


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    form = RoutingRuleForm
    list_display = ["instrument", "name", "condition", "discipline", "due_days", "rescreen_days", "is_active"]
    list_display_links = ["name"]
    list_filter = ["instrument", "discipline", "is_active"]
    ordering = ["instrument", "position", "id"]
    search_fields = ["name", "rationale", "source"]

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:
        # The form validated the rule (its clean); audited_save records the fields written, never values.
        fields = form.changed_data if change and form.changed_data else None
        audited_save(obj, actor=request.user, patient=None, fields=fields)

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: RoutingRule) -> None:
        audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj)
        obj._history_user = request.user  # type: ignore[attr-defined]  # read by django-simple-history
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # The list's "delete selected": one by one, so each deletion is audited and kept in the history.
        for rule in queryset:
            self.delete_model(request, rule)
