"""What every endpoint of the JSON API shares: the one error shape and the throttles (per token, per address).

Every error answer is ``{"detail": "<what went wrong>", "errors": {<field>: [<message>, ...]}}``:
``errors`` is empty for errors that concern no field (401, 403, 404, 405, 429), and may nest
(``{"answers": {"9": ["..."]}}``) where the input does.
"""

import logging
import math
from typing import Any

from django.core.cache import cache
from django_redis import get_redis_connection
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.utils import inline_serializer
from knox.models import AuthToken
from redis.exceptions import RedisError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from core.client_ip import client_ip

INVALID = "The request has invalid fields: see errors."
logger = logging.getLogger(__name__)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Imported here: DRF's views import the throttles below while loading its settings.
    from rest_framework.views import exception_handler

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


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema's description of our token sign-in (core/authentication.py): knox's, which names
    knox's own class only."""

    target_class = "core.authentication.TokenAuthentication"


class CountingThrottle(SimpleRateThrottle):
    """DRF's rate, counted in one round trip to Redis. DRF's own throttle keeps each request's time in a
    cached list it reads and writes whole (two round trips and up to a rate's worth of times pickled per
    request). Here each window of the rate's length has a counter (INCR); the limit applies to a sliding
    window estimated from this window's count and the last one's, weighted by how much of it the
    sliding window still covers. Refused requests count too, so a client that keeps hammering stays
    refused until it slows down. While Redis is unreachable every request is allowed, as the cache
    itself answers then (settings.CACHES, IGNORE_EXCEPTIONS), and limits resume with Redis."""

    num_requests: int
    duration: int

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window, into = divmod(now, self.duration)
        current = cache.make_key(f"{self.key}:{int(window)}")
        previous = cache.make_key(f"{self.key}:{int(window) - 1}")
        try:
            pipe = get_redis_connection("default").pipeline(transaction=False)
            pipe.incr(current)
            pipe.expire(current, 2 * self.duration)
            pipe.get(previous)
            count, _, before = pipe.execute()
        except RedisError:
            logger.warning("Rate limit not counted: Redis is unreachable", exc_info=True)
            return True
        overlap = 1 - into / self.duration
        self.estimate = int(before or 0) * overlap + count
        if self.estimate <= self.num_requests:
            return True
        # Until the last window's weighted share has shrunk enough, or this window is over.
        self.wait_seconds = min(
            self.duration - into,
            math.ceil(self.duration * (self.estimate - self.num_requests) / max(int(before or 0), 1)),
        )
        return False

    def wait(self) -> float | None:
        return getattr(self, "wait_seconds", None)


class TokenRateThrottle(CountingThrottle):
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


class AddressRateThrottle(CountingThrottle, AnonRateThrottle):
    """Requests before sign-in, per client address: the one reading of X-Forwarded-For
    (core/client_ip.py), not DRF's own, which believes the header whatever sent it."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request) or ""
