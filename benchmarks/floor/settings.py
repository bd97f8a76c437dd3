"""Settings of the floor: what `django-admin startproject` writes, minus sessions, auth and CSRF.

Middleware: SecurityMiddleware, CommonMiddleware and XFrameOptionsMiddleware, the ones a bare project keeps
without sessions, auth and CSRF (messages go too: they need sessions). No installed apps, no templates.

The database is ours exactly: DATABASES is taken from the settings RehabCare runs under in the benchmark,
so the same DATABASE_URL, DATABASE_CONN_MAX_AGE (persistent connections, health checks), connect timeout
and any pooling added there apply to the floor without being written twice.
"""

from copy import deepcopy

from rehabcare.settings import bench

SECRET_KEY = bench.DEVELOPMENT_SECRET_KEY
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS: list[str] = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "benchmarks.floor.urls"
WSGI_APPLICATION = "benchmarks.floor.wsgi.application"

DATABASES = deepcopy(bench.DATABASES)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False
