"""Who is acting, from which address, in which request: set once where work enters the system and read
by the audit trail and the logs, so services take the actor as an argument and never see a request.

- A web request: ``core.middleware.RequestContextMiddleware`` (the actor is read from the request when
  asked for, so it is the API's token user too, and a page that never asks loads nobody).
- A Celery task: the publishing side's context travels in the message's headers
  (``as_headers`` / ``from_headers``, wired in ``rehabcare/celery.py``).
- A management command: ``manage.py`` names the command as the request id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

HEADER = "rehabcare_context"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _nobody() -> Any:
    return None


def signed_in(user: Any) -> Any:
    """``user`` when signed in, else None: a signed-out visitor is nobody to the audit trail."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


@dataclass(frozen=True)
class Context:
    address: str | None = None
    request_id: str = ""
    # Called when the actor is asked for: a request's user is only loaded if someone needs it.
    actor_of: Callable[[], Any] = field(default=_nobody, repr=False)

    @property
    def actor(self) -> Any:
        """The signed-in user acting, or None (anonymous, the system, a patient's link)."""
        return signed_in(self.actor_of())


_current: ContextVar[Context] = ContextVar("rehabcare_context", default=Context())  # noqa: B039 (frozen)


def current() -> Context:
    return _current.get()


@contextmanager
def bound(**values: Any) -> Iterator[Context]:
    """Run the block with these values in the context (``address``, ``request_id``, ``actor_of``)."""
    token = _current.set(replace(current(), **values))
    try:
        yield current()
    finally:
        _current.reset(token)


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is a plain token (a proxy's), else a new one."""
    return header if header and _REQUEST_ID.match(header) else uuid.uuid4().hex


def as_headers() -> dict[str, Any]:
    """The context as a Celery message header: the actor by id."""
    context = current()
    actor = context.actor
    return {
        HEADER: {
            "actor_id": actor.pk if actor is not None else None,
            "address": context.address,
            "request_id": context.request_id,
        }
    }


def from_headers(headers: Mapping[str, Any] | None, load_actor: Callable[[int], Any]) -> dict[str, Any]:
    """The values ``bound`` takes, from a message published with ``as_headers``."""
    values = (headers or {}).get(HEADER) or {}
    actor_id = values.get("actor_id")
    loaded: list[Any] = []

    def actor_of() -> Any:
        if actor_id is None:
            return None
        if not loaded:
            loaded.append(load_actor(actor_id))
        return loaded[0]

    return {
        "address": values.get("address"),
        "request_id": values.get("request_id") or uuid.uuid4().hex,
        "actor_of": actor_of,
    }


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every log record, so one request's lines can be found together."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current().request_id or "-"
        return True
