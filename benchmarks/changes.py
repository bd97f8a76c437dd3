"""What each change to the request path bought, measured in the same run: the old way beside the new one,
on the same data (BENCHMARKS.md, "What each change bought"). The worker model and the pool are compared
through gunicorn in ``benchmarks/setups.py``."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher
from django.core.cache import cache
from django.forms.renderers import DjangoTemplates
from django.test import RequestFactory
from rest_framework.throttling import SimpleRateThrottle

from core.api import CountingThrottle
from core.forms import FormRenderer
from core.pagination import CappedPaginator
from teams.forms import PatientFilterForm
from teams.hashers import Argon2idHasher
from teams.selectors import patient_list

from .pages import Cast


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    after: str
    before_ms: float
    after_ms: float


def _median_ms(call: Callable[[], object], rounds: int) -> float:
    call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _throttle(kind: type[SimpleRateThrottle], cast: Cast, requests: int) -> Callable[[], object]:
    """A throttle at 600 a minute that has already counted ``requests`` requests this minute."""

    class Throttle(kind):  # type: ignore[valid-type, misc]
        rate = "600/minute"
        scope = "changes"

        def get_cache_key(self, request: object, view: object) -> str:
            return f"changes-{kind.__name__}"

    request = RequestFactory().get("/")
    cache.delete_many([f"changes-{kind.__name__}"])
    for _ in range(requests):
        Throttle().allow_request(request, None)
    return lambda: Throttle().allow_request(request, None)


def measure(cast: Cast, *, rounds: int = 10) -> list[Change]:
    hashed_pbkdf2 = PBKDF2PasswordHasher().encode("a passphrase", PBKDF2PasswordHasher().salt())
    hashed_argon = Argon2idHasher().encode("a passphrase", Argon2idHasher().salt())
    hashed_django_argon = Argon2PasswordHasher().encode("a passphrase", Argon2PasswordHasher().salt())
    admin_list = patient_list(user=cast.admin)

    def search(ordered: bool) -> Callable[[], object]:
        found = patient_list(user=cast.admin, q="Ok")
        if not ordered:
            found = found.order_by("family_name", "given_name", "id")
        return lambda: list(found[:25])

    def form(renderer: object) -> Callable[[], object]:
        return lambda: str(PatientFilterForm(user=cast.admin, renderer=renderer))

    return [
        Change(
            "checking a password at sign-in",
            "PBKDF2, Django's 1,000,000 iterations",
            "Argon2id, OWASP's 19 MiB, 2 passes",
            _median_ms(lambda: PBKDF2PasswordHasher().verify("a passphrase", hashed_pbkdf2), 3),
            _median_ms(lambda: Argon2idHasher().verify("a passphrase", hashed_argon), rounds),
        ),
        Change(
            "checking a password at sign-in (Django's own Argon2 defaults)",
            "Argon2id, 100 MiB, 8 lanes",
            "Argon2id, OWASP's 19 MiB, 2 passes",
            _median_ms(lambda: Argon2PasswordHasher().verify("a passphrase", hashed_django_argon), 3),
            _median_ms(lambda: Argon2idHasher().verify("a passphrase", hashed_argon), rounds),
        ),
        Change(
            "the patient list's filter form for a clinic admin (every team, every clinician)",
            "Django's option templates",
            "options written in Python (core/forms.py)",
            _median_ms(form(DjangoTemplates()), rounds),
            _median_ms(form(FormRenderer()), rounds),
        ),
        Change(
            "a clinic admin's search for 'Ok' (first page)",
            "walking the name index",
            "prefix indexes, then sorted",
            _median_ms(search(ordered=False), rounds),
            _median_ms(search(ordered=True), rounds),
        ),
        Change(
            "counting a clinic admin's patient list",
            "count(*) of every patient",
            "counted to 10,000",
            _median_ms(lambda: admin_list.count(), rounds),
            _median_ms(lambda: CappedPaginator(admin_list, 25).count, rounds),
        ),
        Change(
            "an API rate limit, 300 requests into the minute",
            "DRF's list of request times",
            "one counter per window (core/api.py)",
            _median_ms(_throttle(SimpleRateThrottle, cast, 300), rounds * 10),
            _median_ms(_throttle(CountingThrottle, cast, 300), rounds * 10),
        ),
    ]


def section(changes: list[Change]) -> str:
    lines = [
        "## What each change bought",
        "",
        "Each change beside the way it replaced, timed in this run on the same data (median ms, in process). "
        'The worker model and the connection pool are in "Server set-ups".',
        "",
        "| what | before | ms | after | ms |",
        "|---|---|---:|---|---:|",
    ]
    for change in changes:
        before, after = f"{change.before_ms:,.2f}", f"{change.after_ms:,.2f}"
        lines.append(f"| {change.what} | {change.before} | {before} | {change.after} | {after} |")
    return "\n".join(lines)
