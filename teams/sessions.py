"""Ending a user's sessions: every browser session (and, when asked, every API token) at once.

A session is recorded (``UserSession``) when its user signs in, so it can be found again by user;
Django's own session table cannot be searched by user.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from knox.models import AuthToken

from core.client_ip import client_ip

from .models import User, UserSession


def _store(session_key: str) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key)


def session_started(request: HttpRequest, user: User) -> None:
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "ip_address": client_ip(request)},
    )


def session_ended(request: HttpRequest) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


@transaction.atomic
def sessions_end(user: User, *, tokens: bool = False) -> int:
    """End every browser session of ``user`` (and revoke their API tokens when ``tokens``)."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete()
    UserSession.objects.filter(user=user).delete()
    if tokens:
        tokens_revoke(user)
    return len(keys)


def tokens_revoke(user: User) -> int:
    """Revoke every API token of ``user`` (a new password, new rights, deactivation)."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def sessions_clear_expired() -> int:
    """Delete sessions and API tokens past their expiry, so signed-out staff leave no live session rows
    behind. (A request looks only at its own token: core.api.TokenAuthentication.)"""
    now = timezone.now()
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    tokens, _ = AuthToken.objects.filter(expiry__lt=now).delete()
    return deleted + tokens
