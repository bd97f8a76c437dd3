import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def link_rate_counters_reset():
    """Each test starts with the patient links' rate-limit counters at zero. They live in Redis for ten
    minutes of real time, so tests reusing a token or an address (and the same tests run again at another
    clock, minutes later) would otherwise count each other's requests."""
    cache.delete_pattern("patient-link-rate:*")
