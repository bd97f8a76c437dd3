"""Settings of the web nodes behind the balancer in ``benchmarks/scaleout.py``.

They are the settings the run itself works under (``SCALEOUT_SETTINGS``: the benchmark's, or the suite's in
``tests/test_scaleout.py``), changed only where every node must agree for the proof to mean anything: the
API's per-token throttle at a rate of production's kind (``API_RATE_TOKEN``; the benchmark and the suite
allow thousands a minute), counted under one cache key prefix (``CACHE_PREFIX``) by every node, where the
suite keys its cache per process.
"""

from importlib import import_module
from typing import Any

from rehabcare.settings.env import env_str

_base = import_module(env_str("SCALEOUT_SETTINGS", "rehabcare.settings.bench"))
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

REST_FRAMEWORK: dict[str, Any] = {
    **_base.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_RATE_TOKEN", "600/minute"),
        "anon": env_str("API_RATE_ANON", "30/minute"),
    },
}
CACHES: dict[str, Any] = {
    **_base.CACHES,
    "default": {**_base.CACHES["default"], "KEY_PREFIX": env_str("CACHE_PREFIX", "rehabcare-scaleout")},
}
