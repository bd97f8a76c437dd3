"""Sign-in events into the audit trail (and a sign-in's session marked freshly renewed).

Django reports logins only through these signals, and they fire for every way in
(the login page and the admin alike), so this is the one place to catch them.
"""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from rehabcare.middleware import RENEWED

from .models import AuditEvent, User
from .services import audit_record


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    audit_record(request=request, actor=user, action=AuditEvent.Action.LOGIN)
    if request is not None and hasattr(request, "session"):
        # Signing in starts the idle clock: the next minute's pages need not renew the session.
        request.session[RENEWED] = time.time()


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(request=request, actor=user, action=AuditEvent.Action.LOGOUT)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username=username).first()
    audit_record(request=request, actor=account, action=AuditEvent.Action.LOGIN_FAILED, username=username)
