"""Tests: the real PostgreSQL and Redis of `make test`, with fast password hashing."""

import os

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A queue of our own, so a `make run` worker on the same Redis never takes test tasks.
CELERY_TASK_DEFAULT_QUEUE = f"rehabcare-test-{os.getpid()}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
