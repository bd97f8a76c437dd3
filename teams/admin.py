"""Clinic admins manage staff and teams here; the audit trail is read-only.

Patients are not edited here: their pages go through the access check and the audit trail.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import AuditEvent, Membership, Team, User


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
        ("Clinic", {"fields": ("discipline", "is_clinic_admin")}),
    )

    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Clinic", {"fields": ("first_name", "last_name", "email", "discipline", "is_clinic_admin")}),
    )

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
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "username", "action", "patient", "object_type", "object_id", "ip_address"]
    # Patients are too many for a filter list: find one by MRN or family name in the search box.
    list_filter = ["action", ("at", admin.DateFieldListFilter), ("actor", admin.RelatedOnlyFieldListFilter)]
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
