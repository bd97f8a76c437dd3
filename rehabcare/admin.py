"""The admin site: open to clinic admins (and Django staff), for users, teams and the audit trail."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class RehabCareAdminSite(admin.AdminSite):
    site_header = "RehabCare administration"
    site_title = "RehabCare admin"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_staff or getattr(user, "is_clinic_admin", False))


class RehabCareAdminConfig(AdminConfig):
    default_site = "rehabcare.admin.RehabCareAdminSite"
