"""What every endpoint of the JSON API shares: the one error shape and the throttles (per token, per address).

Every error answer is ``{"detail": "<what went wrong>", "errors": {<field>: [<message>, ...]}}``:
``errors`` is empty for errors that concern no field (401, 403, 404, 405, 429), and may nest
(``{"answers": {"9": ["..."]}}``) where the input does.
"""

from typing import Any

from drf_spectacular.utils import inline_serializer
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle
from rest_framework.views import exception_handler

from core.client_ip import client_ip

INVALID = "The request has invalid fields: see errors."


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"detail": INVALID, "errors": errors}
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        response.data = {"detail": str(detail), "errors": {}}
    return response


# The one error shape, for the OpenAPI schema. (A serializer class cannot declare a field named
# "errors": DRF's Serializer has a property of that name.)
ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.DictField(
            help_text=(
                "Messages per field (nested where the input nests, e.g. per answer); "
                "empty when no field is at fault."
            )
        ),
    },
)


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (each knox token counts on its own); a browser session counts per user."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, AuthToken):
            ident = f"token-{request.auth.token_key}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None  # anonymous requests are throttled by address (AnonRateThrottle)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRateThrottle(AnonRateThrottle):
    """Requests before sign-in, per client address: the one reading of X-Forwarded-For
    (core/client_ip.py), not DRF's own, which believes the header whatever sent it."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request) or ""
