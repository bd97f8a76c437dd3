"""Session renewal without a database write on every request.

Sessions end ``SESSION_COOKIE_AGE`` after the last renewal. Saving the session on every request
(``SESSION_SAVE_EVERY_REQUEST``) would cost three queries per page (UPDATE inside BEGIN/COMMIT);
instead a signed-in session is renewed when its last renewal is older than
``SESSION_RENEW_SECONDS``, so the idle timeout holds to within that many seconds.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

RENEWED = "_renewed_at"


class SessionRenewalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            now = time.time()
            if now - session.get(RENEWED, 0) >= settings.SESSION_RENEW_SECONDS:
                session[RENEWED] = now  # marks the session modified: saved, with a fresh expiry
        return self.get_response(request)
