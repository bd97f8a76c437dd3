"""Development: `make run` on the embedded PostgreSQL and Redis, with demo data."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# Emails land in the outbox page (/dev/outbox/) and the log unless a real server is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "checkins.backends.OutboxEmailBackend")

# Demo logins sign in with a password alone; TWO_FACTOR_ENFORCED=true tries the real thing.
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", False)
