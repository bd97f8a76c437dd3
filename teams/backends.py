"""Clinic admins hold every permission on the clinic's own records, through Django's permission system.

So the admin site, and any later ``user.has_perm`` check, treat the clinic-admin
flag as the role it is, without a group to keep in step with it.
"""

from django.contrib.auth.backends import ModelBackend

# Apps whose records a clinic admin manages: staff and teams, screening set-up, lockouts, the schedule,
# the routing rules, competencies and training records, API tokens (deleting one revokes it).
CLINIC_ADMIN_APPS = {
    *["teams", "screening", "careplans", "routing", "training"],
    *["axes", "django_celery_beat", "knox"],
}
# Apps a clinic admin only looks at. A periodic task names code to run and its arguments, so only a
# superuser writes one; a clinic admin sees the schedule and pauses or resumes its tasks (the list's
# enable / disable actions, which change nothing else).
CLINIC_ADMIN_VIEW_ONLY = {"django_celery_beat"}


class ClinicAdminBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return None  # permissions only; ModelBackend signs people in

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if user_obj.is_active and getattr(user_obj, "is_clinic_admin", False):
            app_label, _, codename = perm.partition(".")
            if app_label in CLINIC_ADMIN_VIEW_ONLY:
                return codename.startswith("view_")
            return app_label in CLINIC_ADMIN_APPS
        return False

    def has_module_perms(self, user_obj, app_label) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "is_clinic_admin", False)) and (
            app_label in CLINIC_ADMIN_APPS
        )
