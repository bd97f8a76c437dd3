"""Sign-in events into the audit trail (and a sign-in's session marked freshly renewed).

Django reports logins only through these signals, and they fire for every way in
(the login page and the admin alike), so this is the one place to catch them.
"""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from core.middleware import RENEWED, STARTED

from .models import AuditEvent, Membership, User
from .services import audit_record
from .sessions import session_ended, session_started, sessions_end, tokens_revoke

# A change to any of these signs the user out everywhere and revokes their API tokens: they sign in
# again with their new rights. A new password revokes the tokens too (Django itself ends the other
# browser sessions, keeping the one that changed it).
PRIVILEGES = ("is_active", "is_clinic_admin", "is_staff", "is_superuser")
WATCHED = (*PRIVILEGES, "password")


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action=AuditEvent.Action.LOGIN)
    if request is not None and hasattr(request, "session"):
        # Signing in starts the idle clock (the next minute's pages need not renew the session) and
        # the absolute one; the session is recorded so it can be ended from elsewhere.
        request.session[RENEWED] = request.session[STARTED] = time.time()
        session_started(request, user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.LOGOUT)
    if request is not None:
        session_ended(request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username=username).first()
    audit_record(actor=account, action=AuditEvent.Action.LOGIN_FAILED, username=username)


@receiver(pre_save, sender=User, dispatch_uid="privileges_before")
def privileges_before(sender, instance: User, update_fields=None, **kwargs) -> None:
    if instance.pk and (update_fields is None or set(update_fields) & set(WATCHED)):
        before = User.objects.filter(pk=instance.pk).values(*WATCHED).first()
        instance.__dict__["_privileges_before"] = before


@receiver(post_save, sender=User, dispatch_uid="privileges_after")
def privileges_after(sender, instance: User, created: bool, **kwargs) -> None:
    before = instance.__dict__.pop("_privileges_before", None)
    if created or before is None:
        return
    if any(before[name] != getattr(instance, name) for name in PRIVILEGES):
        transaction.on_commit(lambda: sessions_end(instance, tokens=True))
    elif before["password"] != instance.password:
        transaction.on_commit(lambda: tokens_revoke(instance))


@receiver(post_save, sender=Membership, dispatch_uid="membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="membership_deleted")
def membership_changed(sender, instance: Membership, **kwargs) -> None:
    """Joining or leaving a team, or becoming its lead, changes what the user may see."""
    transaction.on_commit(lambda: sessions_end(instance.user, tokens=True))
