"""The Celery application; tasks live in each app's ``tasks.py``. A task runs in the context (actor,
address, request id) of whoever queued it (``core.queue.ContextTask``)."""

import os

from celery import Celery
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehabcare.settings.dev")

app = Celery("rehabcare", task_cls="core.queue:ContextTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect(weak=False)
def _context_headers(**kwargs):
    from core.queue import context_headers

    context_headers(**kwargs)
