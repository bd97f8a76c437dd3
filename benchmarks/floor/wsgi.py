"""WSGI entry point of the floor, served by the Procfile's gunicorn command (``benchmarks.servers``)."""

import os

from django.core.wsgi import get_wsgi_application

# Always the floor's own settings: the benchmark starts it with RehabCare's in the environment.
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.floor.settings"

application = get_wsgi_application()
