"""Clinic admins keep the list of competencies here and may correct training records and supervision;
every save and delete is audited (fields named, never values), and opening a record or session is audited
as a view."""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from teams.models import AuditEvent
from teams.services import audit_record, audited_save

from .models import Competency, SupervisionSession, TrainingRecord


class AuditedAdmin(admin.ModelAdmin):
    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = form.changed_data if change and form.changed_data else None
        if change and fields:
            # Many-to-many fields are saved by save_related; they are named here but not saved by column.
            concrete = {f.name for f in obj._meta.concrete_fields}
            audited_save(obj, actor=request.user, patient=None, fields=[f for f in fields if f in concrete])
        elif not change:
            audited_save(obj, actor=request.user, patient=None)

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None and request.method == "GET":
            audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=original)
        return response


@admin.register(Competency)
class CompetencyAdmin(AuditedAdmin):
    list_display = ["name", "code", "active", "position"]
    list_editable = ["active", "position"]
    list_filter = ["active"]
    search_fields = ["name", "code", "description"]
    prepopulated_fields = {"code": ["name"]}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The list of competencies is the clinic's, not a person's: no view audit.
        return admin.ModelAdmin.change_view(self, request, object_id, form_url, extra_context)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(AuditedAdmin):
    list_display = ["user", "competency", "level", "completed_on", "renews_on", "verified_by"]
    list_filter = ["level", "competency"]
    search_fields = ["user__username", "user__last_name", "competency__name"]
    list_select_related = ["user", "competency", "verified_by"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: TrainingRecord, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(AuditedAdmin):
    list_display = ["held_at", "supervisor", "format", "minutes"]
    list_filter = ["format"]
    search_fields = ["supervisor__username", "supervisor__last_name"]
    list_select_related = ["supervisor"]
    filter_horizontal = ["supervisees", "competencies"]
    readonly_fields = ["recorded_by", "created_at", "updated_at"]
    date_hierarchy = "held_at"
    # The notes are for the supervisor, the supervisees and their leads only (``policy.may_see_supervision``):
    # a clinic admin corrects when, how long and who, never reads what was discussed.
    exclude = ["cases_discussed", "learning_points"]

    def save_model(self, request: HttpRequest, obj: SupervisionSession, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
