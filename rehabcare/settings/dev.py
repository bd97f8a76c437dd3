"""Development: `make run` on the embedded PostgreSQL and Redis, with demo data."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
