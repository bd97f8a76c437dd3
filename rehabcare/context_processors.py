"""Values every template may show."""

from django.conf import settings
from django.http import HttpRequest

from core.phone import tel_uri


def site(request: HttpRequest) -> dict:
    return {
        "development": settings.DEBUG,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_tel": tel_uri(settings.CLINIC_PHONE),
        # The page signs out this long after it loaded without another request: before the server
        # would (a session is renewed at most every SESSION_RENEW_SECONDS), warning ahead of it.
        "session_idle_seconds": settings.SESSION_COOKIE_AGE - settings.SESSION_RENEW_SECONDS,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
