"""Clinic admins manage staff and teams here; the audit trail is read-only.

Patients are not edited here: their pages go through the access check and the audit trail.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import policy
from .models import AuditEvent, Membership, Team, User
from .services import audit_record_many


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


RAW_PERMISSION_FIELDS = {"is_superuser", "groups", "user_permissions"}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "discipline", "is_clinic_admin", "is_active"]
    list_filter = ["discipline", "is_clinic_admin", "is_active", "teams"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Clinic", {"fields": ("discipline", "is_clinic_admin", "mobile")}),
    )

    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (
            "Clinic",
            {"fields": ("first_name", "last_name", "email", "mobile", "discipline", "is_clinic_admin")},
        ),
    )

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not policy.may_change_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not policy.may_change_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        users = super().get_queryset(request)
        # A superuser's account is not a clinic admin's to change (its password included).
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Clinic admins manage people and roles, not Django's raw permissions.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in RAW_PERMISSION_FIELDS]})
            for name, options in fieldsets
        ]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "alert_ack_minutes", "supervision_minutes_per_month"]
    search_fields = ["name"]
    # Minutes of opening hours before an unacknowledged urgent alert escalates (empty: ALERT_ACK_MINUTES).
    # Supervision expected a month of those practising under supervision (empty: the clinic's setting).
    fields = ["name", "alert_ack_minutes", "supervision_minutes_per_month"]
    inlines = [MembershipInline]


class PatientMRNFilter(admin.SimpleListFilter):
    """Filter by one patient, typed as an MRN: a clinic has too many patients for a list of links."""

    title = _("patient")
    parameter_name = "mrn"
    template = "admin/input_filter.html"

    def lookups(self, request, model_admin):
        return [("mrn", _("MRN"))]  # one entry, so the filter shows; the template draws an input

    def choices(self, changelist):
        others = [(k, v) for k, v in changelist.get_filters_params().items() if k != self.parameter_name]
        yield {"parameter_name": self.parameter_name, "value": self.value(), "other_params": others}

    def queryset(self, request, queryset):
        mrn = (self.value() or "").strip()
        return queryset.filter(patient__mrn__iexact=mrn) if mrn else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "username", "action", "patient", "object_type", "object_id", "ip_address"]
    list_filter = [
        "action",
        ("at", admin.DateFieldListFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
        PatientMRNFilter,
    ]
    search_fields = ["username", "patient__mrn", "patient__family_name", "object_id"]
    list_select_related = ["actor", "patient"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        """The trail names patients: reading it is audited too, one event per patient on the page."""
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            audit_record_many(
                actor=request.user,
                action=AuditEvent.Action.VIEW,
                patient_ids=[event.patient_id for event in changelist.result_list if event.patient_id],
                object_type="audit trail",
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None and original.patient_id:
            audit_record_many(
                actor=request.user,
                action=AuditEvent.Action.VIEW,
                patient_ids=[original.patient_id],
                object_type="audit trail",
            )
        return response
