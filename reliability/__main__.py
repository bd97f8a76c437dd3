"""python -m reliability [--users 50] [--seconds 60]: `make verify`, see README, "Verify".

1. The promises: the tests that prove each of them (access, audit chain, backup, sessions, two-factor
   sign-in, emergency access, authentication, concurrency, hostile input, scoring, API fuzzing), run
   and counted per promise.
2. Load: locust, headless, staff users signing in and working for a while against the real gunicorn
   (the Procfile's command) on a database of the tool's own with the demo data; zero errors expected.
3. Faults (``reliability/faults.py``): PostgreSQL and Redis restarted, the Celery worker killed, two
   beats, on servers of the drills' own, with locust's users working throughout.
4. One table, printed and written to RELIABILITY.md with the machine and date. Exit 1 if anything failed.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET  # noqa: S405 - reading our own pytest's report
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.__main__ import database_ensure, sibling_database_url
from benchmarks.servers import free_port, gunicorn
from reliability import Check
from reliability.swarm import counted, swarm

ROOT = Path(__file__).resolve().parent.parent

# Each promise, and the tests that fail when it is broken.
PROMISES = {
    "access: every URL × every role, no leak": ["tests/test_access_matrix.py", "tests/teams/test_access.py"],
    "audit trail: append-only, hash-chained": ["tests/teams/test_audit_chain.py"],
    "database role: the application cannot alter the audit trail": ["tests/teams/test_database_roles.py"],
    "backup, wipe, restore: every table matches": ["tests/test_backup.py"],
    "sessions: idle, 12 hours, everywhere, rights": [
        "tests/teams/test_sessions.py",
        "tests/browser/test_session_timeout.py",
    ],
    "two-factor sign-in": ["tests/teams/test_two_factor.py"],
    "emergency access (break glass)": ["tests/teams/test_emergency_access.py"],
    "break glass is read-only: no move, no edit, gone when it expires": [
        "tests/teams/test_break_glass_read_only.py"
    ],
    "one policy: every who-may rule for every role": [
        "tests/teams/test_policy.py",
        "tests/teams/test_admin_rights.py",
    ],
    "authentication: lockout, same answer": ["tests/teams/test_auth.py"],
    "lockout behind a proxy locks one user, not the clinic": [
        "tests/teams/test_auth.py::test_behind_the_proxy_wrong_passwords_lock_one_user_from_one_client_not_the_clinic",
        "tests/teams/test_auth.py::test_an_x_forwarded_for_without_a_proxy_configured_does_not_dodge_the_lockout",
        "tests/teams/test_auth.py::test_an_address_trying_many_usernames_is_locked_for_the_cool_off_from_its_lockout",
        "tests/teams/test_auth.py::test_below_the_address_threshold_other_users_at_that_address_sign_in",
        "tests/test_client_ip.py",
    ],
    "production settings refuse outbox backends": [
        "tests/test_settings.py::test_production_settings_refuse_to_load_with_outbox_backends_or_development_defaults",
        "tests/test_settings.py::test_production_sends_email_over_tls_and_links_under_its_own_site_by_default",
    ],
    "concurrency: one edit wins per version": ["tests/careplans/test_services.py"],
    "hostile input: escaped, refused, nothing half-saved": [
        "tests/test_hostile_input.py",
        "tests/test_form_properties.py",
        "tests/screening/test_scoring_properties.py",
    ],
    "API fuzzing (schemathesis)": ["tests/test_api_schema.py"],
    "headers and settings": ["tests/test_settings.py"],
    "faults: database or broker unreachable": ["tests/test_faults.py"],
}


def promises() -> list[Check]:
    checks = []
    for name, paths in PROMISES.items():
        with tempfile.NamedTemporaryFile(suffix=".xml") as report:
            subprocess.run(  # noqa: S603 - our own test suite
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:randomly",
                    f"--junitxml={report.name}",
                    *paths,
                ],
                cwd=ROOT,
                env=os.environ | {"DJANGO_SETTINGS_MODULE": "rehabcare.settings.test"},
                stdout=subprocess.DEVNULL,
                check=False,
            )
            suite = ET.parse(report.name).getroot()  # noqa: S314 - our own pytest's report
        suite = suite if suite.tag == "testsuite" else suite[0]
        run = int(suite.get("tests", 0)) - int(suite.get("skipped", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        checks.append(Check(name, run, failed))
        print(f"  {name}: {run - failed}/{run}")
    return checks


def load(*, users: int, seconds: int) -> Check:
    """Locust against gunicorn on the verification database (migrated, demo data): zero errors."""
    url = sibling_database_url("rehabcare_verify")
    owner_url = sibling_database_url("rehabcare_verify", owner=True)
    database_ensure(owner_url)
    # Migrated as the owner; seeded and loaded as the application's role, as in production.
    env = os.environ | {
        "DATABASE_URL": url,
        "DATABASE_OWNER_URL": owner_url,
        "DJANGO_SETTINGS_MODULE": "rehabcare.settings.bench",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    # DEBUG is off, as in production: pages name their static files through collectstatic's manifest.
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603 - seeding needs DEBUG, as in development
        [*manage, "seed_demo"],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "rehabcare.settings.dev"},
        check=True,
    )
    port = free_port()
    with gunicorn(port, env, cwd=ROOT):
        with tempfile.TemporaryDirectory() as folder:
            prefix = str(Path(folder) / "load")
            swarm(port, prefix, users=users, run_time=f"{seconds}s", env=env).wait()
            total, _errors = counted(prefix)
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    detail = (
        f"{users} users for {seconds} s: {requests:,} requests, {float(total['Requests/s']):.0f}/s, "
        f"p50 {total['50%']} ms, p95 {total['95%']} ms, {failures} errors"
    )
    print(f"  load: {detail}")
    return Check("load: staff users against gunicorn, zero errors", requests, failures, detail)


def faults() -> list[Check]:
    """The drills, in a process of their own: it sets Django up on the drills' servers."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(  # noqa: S603 - our own drills
            [sys.executable, "-m", "reliability.faults", "--output", report.name], cwd=ROOT, check=False
        )
        drills = json.loads(Path(report.name).read_text() or "[]")
    if not drills:
        return [Check("fault drills: did not finish (see the output above)", 1, 1)]
    return [Check(**drill) for drill in drills]


def markdown(checks: list[Check]) -> str:
    lines = [
        "# Reliability",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, with `make verify`.",
        "",
        "| check | run | passed | failed | detail |",
        "|---|---:|---:|---:|---|",
        *(f"| {c.name} | {c.run:,} | {c.passed:,} | {c.failed:,} | {c.detail} |" for c in checks),
        "",
        f"**{'All passed.' if all(not c.failed and c.run for c in checks) else 'Something failed.'}**",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--no-load", action="store_true", help="no load and no fault drills")
    parser.add_argument("--no-faults", action="store_true", help="no fault drills")
    parser.add_argument("--output", default="RELIABILITY.md")
    args = parser.parse_args(argv)
    print("Promises:")
    checks = promises()
    if not args.no_load:
        print("Load:")
        checks.append(load(users=args.users, seconds=args.seconds))
    if not args.no_load and not args.no_faults:
        print("Faults:")
        checks += faults()
    document = markdown(checks)
    print(document)
    Path(args.output).write_text(document)
    return 0 if all(not c.failed and c.run for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
