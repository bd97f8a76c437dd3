"""Clinic admins hold every permission on the clinic's own records, through Django's permission system.

So the admin site, and any later ``user.has_perm`` check, treat the clinic-admin
flag as the role it is, without a group to keep in step with it.
"""

from django.contrib.auth.backends import ModelBackend

# Apps whose records a clinic admin manages: staff and teams, screening set-up, lockouts, the schedule,
# API tokens (deleting one revokes it).
CLINIC_ADMIN_APPS = {"teams", "screening", "careplans", "axes", "django_celery_beat", "knox"}


class ClinicAdminBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return None  # permissions only; ModelBackend signs people in

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if user_obj.is_active and getattr(user_obj, "is_clinic_admin", False):
            return perm.split(".", 1)[0] in CLINIC_ADMIN_APPS
        return False

    def has_module_perms(self, user_obj, app_label) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "is_clinic_admin", False)) and (
            app_label in CLINIC_ADMIN_APPS
        )
