"""Tests: the real PostgreSQL and Redis of `make test`, with fast password hashing."""

import os

from .base import *  # noqa: F403
from .env import env_str

DEBUG = False
# The suite creates, migrates and empties its own database, which only the owner may
# (DATABASE_OWNER_URL). The application's login is kept for the tests of what its role may do.
DATABASE_APP_LOGIN = {"USER": DATABASES["default"]["USER"], "PASSWORD": DATABASES["default"]["PASSWORD"]}  # noqa: F405
DATABASES["default"]["USER"] = DATABASE_OWNER["USER"]  # noqa: F405
DATABASES["default"]["PASSWORD"] = DATABASE_OWNER["PASSWORD"]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A queue of our own, so a `make run` worker on the same Redis never takes test tasks.
# The suite's worker is handed the same name through CELERY_QUEUE.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", f"rehabcare-test-{os.getpid()}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests serve static files from the source folders, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Throttle and cache keys of this run only; entries expire on their own.
CACHES["default"]["KEY_PREFIX"] = f"rehabcare-test-{os.getpid()}"  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"token": "10000/minute", "anon": "10000/minute"}  # noqa: F405

# Two-factor sign-in is switched on by the tests about it (tests/teams/test_two_factor.py).
TWO_FACTOR_ENFORCED = False
