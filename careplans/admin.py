"""Clinic admins edit plan templates and the education library here. Plans themselves are edited on the
patient's pages, which check access, lock against lost updates and keep the history."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from teams.models import AuditEvent
from teams.services import audit_record, audited_save

from .catalogue import InterventionCode
from .education import PLAIN_GRADE_TARGET, reading_grade, reading_level_label, reading_levels_set
from .models import CommunityResource, EducationItem, PlanTemplate


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


# --- education ---


class EducationItemForm(forms.ModelForm):
    class Meta:
        model = EducationItem
        fields = ["title", "slug", "topic", "audience", "body", "plain_body", "active"]

    def clean(self) -> dict[str, Any]:
        """Measure both texts; refuse a plain-language version that does not read easier than the full one
        (the point of having it), naming both levels."""
        cleaned = super().clean() or {}
        body, plain = cleaned.get("body"), cleaned.get("plain_body")
        if body and plain:
            full_grade, plain_grade = reading_grade(body), reading_grade(plain)
            if full_grade is not None and plain_grade is not None and plain_grade >= full_grade:
                self.add_error(
                    "plain_body",
                    _(
                        "The plain-language version must read easier than the full text: it reads at "
                        "Flesch-Kincaid grade %(plain)s, the full text at %(full)s. Use shorter "
                        "sentences and everyday words."
                    )
                    % {"plain": plain_grade, "full": full_grade},
                )
        return cleaned


@admin.register(EducationItem)
class EducationItemAdmin(SimpleHistoryAdmin):
    """The clinic's education library: every version kept, every add, change and delete audited. The
    reading levels are computed from the texts on save; items in use are retired (not active), since an
    assignment keeps its item."""

    form = EducationItemForm
    list_display = ["title", "topic", "audience", "reading_grade", "plain_reading_grade", "active"]
    list_filter = ["topic", "audience", "active"]
    search_fields = ["title", "slug", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["reading_level", "plain_reading_level"]

    @admin.display(description=_("Reading level"))
    def reading_level(self, obj: EducationItem) -> str:
        return reading_level_label(obj.reading_grade)

    @admin.display(description=_("Plain-language reading level"))
    def plain_reading_level(self, obj: EducationItem) -> str:
        return reading_level_label(obj.plain_reading_grade)

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: EducationItem, form: Any, change: bool) -> None:
        reading_levels_set(obj)
        fields = None
        if change and form.changed_data:
            # A text changed: its level with it (audit and history name what was written).
            levels = {"body": "reading_grade", "plain_body": "plain_reading_grade"}
            fields = [*form.changed_data, *(levels[name] for name in form.changed_data if name in levels)]
        audited_save(obj, actor=request.user, patient=None, fields=fields)
        if obj.plain_reading_grade is not None and obj.plain_reading_grade > PLAIN_GRADE_TARGET:
            messages.warning(
                request,
                _(
                    "“%(title)s”: the plain-language version reads at Flesch-Kincaid grade "
                    "%(grade)s; aim for %(target)s or below."
                )
                % {"title": obj.title, "grade": obj.plain_reading_grade, "target": PLAIN_GRADE_TARGET},
            )

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: EducationItem) -> None:
        audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj)
        obj._history_user = request.user  # type: ignore[attr-defined]  # read by django-simple-history
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # One by one, so each deletion is audited and kept in the history.
        for item in queryset:
            self.delete_model(request, item)


# --- directory and referrals ---


@admin.register(CommunityResource)
class CommunityResourceAdmin(SimpleHistoryAdmin):
    """The community resource directory, also kept on the staff pages (/resources/) by leads; here for
    clinic admins. Every add, change and delete audited; a resource referred to is retired (not active)."""

    list_display = ["name", "category", "area", "cost", "last_verified_on", "active"]
    list_filter = ["category", "cost", "active"]
    search_fields = ["name", "description", "area", "eligibility"]
    readonly_fields = ["verified_by"]

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: CommunityResource, form: Any, change: bool) -> None:
        fields = form.changed_data if change and form.changed_data else None
        audited_save(obj, actor=request.user, patient=None, fields=fields)

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: CommunityResource) -> None:
        audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj)
        obj._history_user = request.user  # type: ignore[attr-defined]  # read by django-simple-history
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for resource in queryset:
            self.delete_model(request, resource)
