"""Where a form's ``next`` may send the user: a path on this site, never elsewhere, never a 500."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def local_path(request: HttpRequest, wanted: str) -> str | None:
    """``wanted`` when it is a path of this site (``/patients/1/``), else None. A bare word is not a
    path: handed to ``redirect`` it would be looked up as a view name."""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return None
