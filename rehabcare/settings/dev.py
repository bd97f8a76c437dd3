"""Development: `make run` on the embedded PostgreSQL and Redis, with demo data."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str

DEBUG = env_bool("DEBUG", True)
# Links in emails and SMS lead to the server `make run PORT=...` started (the Makefile exports PORT).
PORT = env_int("PORT", 8000, minimum=1)
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
FHIR_MRN_SYSTEM = env_str("FHIR_MRN_SYSTEM", f"{SITE_URL}/fhir/sid/mrn")
# Emails land in the outbox page (/dev/outbox/, for clinic admins) and the log unless a real server is
# configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "checkins.backends.OutboxEmailBackend")

# Demo logins sign in with a password alone; TWO_FACTOR_ENFORCED=true tries the real thing.
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", False)
