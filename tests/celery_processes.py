"""Real Celery processes for tests: a worker or beat on the test database and the real Redis."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from django.db import connection


def celery_env(queue: str, **extra: str) -> dict[str, str]:
    database = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": "postgresql://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**database),
        "DJANGO_SETTINGS_MODULE": "rehabcare.settings.test",
        "CELERY_QUEUE": queue,
        **extra,
    }


def celery_start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rehabcare", *args],
        env=env,
        start_new_session=True,  # its own process group, so a kill takes all of it
    )


def celery_worker(queue: str, **extra: str) -> subprocess.Popen:
    return celery_start(
        [
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
        ],
        celery_env(queue, **extra),
    )


def celery_stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)  # polling other processes; no clock is faked here
    raise AssertionError("timed out waiting for the Celery processes")
