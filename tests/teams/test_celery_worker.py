"""A real Celery worker, in its own process, against the real Redis and the test database."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from teams.tasks import sessions_clear_expired


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        database = connection.settings_dict
    url = "postgresql://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**database)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "rehabcare.settings.test",
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rehabcare",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
    )
    yield worker
    worker.terminate()
    worker.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_task_end_to_end(celery_worker_process):
    expired = SessionStore()
    expired["note"] = "stale"
    expired.set_expiry(1)
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(hours=1)
    )
    live = SessionStore()
    live.create()

    result = sessions_clear_expired.delay()
    assert result.get(timeout=60) == 1

    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=live.session_key).exists()
    assert celery_worker_process.poll() is None
