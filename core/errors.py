"""What a request gets when the server cannot answer it.

When PostgreSQL is unreachable (restarting, failing over, out of connections), every request fails
fast with 503 and ``Retry-After``: a page saying the service is briefly unavailable, or the API's
error shape. Nothing is half-written, as every write is one transaction. The next request opens a
fresh connection (``CONN_HEALTH_CHECKS``), so the application recovers by itself once the database
is back. Other errors keep Django's 500 page.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

RETRY_AFTER_SECONDS = 10
UNAVAILABLE = "The service is briefly unavailable. Please try again in a few seconds."
MACHINE_PREFIXES = ("/api/", "/fhir/")


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it inside its ``except`` block, so the error is at hand."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    response: HttpResponse
    if request.path.startswith(MACHINE_PREFIXES):
        response = JsonResponse({"detail": UNAVAILABLE, "errors": {}}, status=503)
    else:
        # Rendered without the request: context processors could reach for the database.
        response = HttpResponse(loader.render_to_string("503.html", {"message": UNAVAILABLE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
