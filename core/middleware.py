"""Request plumbing: the request's context (actor, address, request id), session renewal without a
database write on every request, and query strings PostgreSQL could not store or search.

Sessions end ``SESSION_COOKIE_AGE`` after the last renewal. Saving the session on every request
(``SESSION_SAVE_EVERY_REQUEST``) would cost three queries per page (UPDATE inside BEGIN/COMMIT);
instead a signed-in session is renewed when its last renewal is older than
``SESSION_RENEW_SECONDS``, so the idle timeout holds to within that many seconds.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from .client_ip import client_ip
from .context import bound, request_id_from

RENEWED = "_renewed_at"
# When the signed-in session began: it ends SESSION_ABSOLUTE_HOURS later, however active.
STARTED = "_started_at"


class RequestContextMiddleware:
    """Binds the request's context for everything below it (``core.context``); the response carries
    the request id back (``X-Request-ID``), so a user's report can be matched to the logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        with bound(
            address=client_ip(request),
            request_id=request_id,
            actor_of=lambda: getattr(request, "user", None),
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class SessionRenewalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            now = time.time()
            if now - session.get(STARTED, now) > settings.SESSION_ABSOLUTE_HOURS * 3600:
                session.flush()  # signed out: the absolute lifetime is over
            elif now - session.get(RENEWED, 0) >= settings.SESSION_RENEW_SECONDS:
                session[RENEWED] = now  # marks the session modified: saved, with a fresh expiry
        return self.get_response(request)


NUL_MESSAGE = "Text may not contain NUL characters."


class NullCharacterMiddleware:
    """A NUL character in a query string (``?q=%00``) is refused with 400 before any view reads it:
    PostgreSQL text cannot hold one, so a search with it would otherwise fail with a server error.
    Form and API bodies are already checked per field (Django's and DRF's CharField refuse NUL)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = sorted({key for key, values in request.GET.lists() for v in [key, *values] if "\x00" in v})
        if not bad:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": NUL_MESSAGE, "errors": {key: [NUL_MESSAGE] for key in bad}}, status=400
            )
        return render(request, "400.html", {"message": NUL_MESSAGE}, status=400)


class NoStoreMiddleware:
    """Nothing shown to a signed-in user is kept by the browser or a proxy: every such response says
    ``Cache-Control: no-store`` (staff pages show patient data; the back button after signing out
    must not bring it back)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class LanguageMiddleware:
    """The language a page is in. Staff (signed in): the interface language they chose, or the clinic's
    (``LANGUAGE_CODE``). Anyone else: the browser's (Accept-Language) among ``LANGUAGES``, so a link
    that finds no patient still answers in a language its reader may know; a patient's link pages set
    the patient's own language around their rendering (``translation.override``). No URL prefixes:
    a link in a reminder works whatever the language. Placed after authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language or settings.LANGUAGE_CODE
        else:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response
