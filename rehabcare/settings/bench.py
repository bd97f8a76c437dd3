"""Benchmarks (`make bench`): production-like request handling (DEBUG off) on the benchmark database."""

from .dev import *  # noqa: F403
from .dev import REST_FRAMEWORK
from .env import env_str

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Its own queue, emptied after each measurement: a development worker never sends the benchmark's reminders.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "rehabcare-bench")
# Same throttles as production would be too tight for a benchmark hammering from one token.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"token": "1000000/minute", "anon": "1000000/minute"},
}
