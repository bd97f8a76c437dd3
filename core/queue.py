"""Handing work to the Celery workers once a transaction commits, whether or not Redis answers.

The work a task stands for is always recorded in the database first (a reminder claimed, an alert
raised, an export requested). If the broker cannot be reached when the transaction commits, the
request must not fail for it: the task runs right here instead, so an urgent alert or an emergency
access notice still goes out, and the user sees their change saved rather than a server error.

A service names its task (``"conferences.tasks.conference_summary_email"``) rather than importing it:
the tasks modules import the services, never the other way round.
"""

import logging
from importlib import import_module
from typing import Any

from celery import Task
from django.contrib.auth import get_user_model
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

from .context import HEADER, as_headers, bound, from_headers

logger = logging.getLogger(__name__)


def enqueue(task: Task | str, *args: Any) -> None:
    """Send ``task(*args)`` to the workers; run it here when the broker is unreachable."""
    if isinstance(task, str):
        module, _, name = task.rpartition(".")
        task = getattr(import_module(module), name)
    try:
        task.delay(*args)
    except BrokerUnreachable as error:
        logger.warning("Broker unreachable (%s): running %s%r in this process", error, task.name, args)
        task.apply(args=args)


def enqueue_on_commit(task: Task | str, *args: Any) -> None:
    """``enqueue`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args))


def context_headers(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """``before_task_publish``: the publisher's context (actor id, address, request id) rides along."""
    if headers is not None:
        headers.update(as_headers())


def _user(pk: int) -> Any:
    return get_user_model()._default_manager.filter(pk=pk).first()


class ContextTask(Task):
    """Runs in the context it was queued from, so its audit events and log lines carry the request's
    address and id. A task run in this process (eagerly, or because the broker was away) is already in it."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # A worker's request carries the message's headers as attributes; ``apply(headers=...)`` nests them.
        headers = getattr(self.request, HEADER, None) or (self.request.headers or {}).get(HEADER)
        if headers is None:
            return super().__call__(*args, **kwargs)
        with bound(**from_headers({HEADER: headers}, _user)):
            return super().__call__(*args, **kwargs)
