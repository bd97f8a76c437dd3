"""Past one machine, simulated on one (issue 23; ARCHITECTURE.md, "Running past one machine").

Two web nodes: the Procfile's gunicorn twice, on two free ports, behind HAProxy (Debian's: roundrobin,
``option forwardfor``, each answer naming its node in ``X-Served-By``), proving what the nodes must share:

- sessions: signed in once through the balancer, every page on either node is signed in;
- the API throttle: one token's requests beyond its rate are refused whichever node answers, and the count
  let through is the limit, not a limit per node;
- the sign-in lockout: failures on either node add up and lock on both, and a forged X-Forwarded-For does
  not get round it (the nodes trust one proxy, the balancer: ``TRUSTED_PROXY_COUNT=1``);
- the busy hour (``benchmarks/busyhour.py``) through the balancer, with the Procfile's worker and beat:
  HAProxy's count of answers per node, and the percentiles.

Three Celery workers (the Procfile's worker command, each named) send 100,000 reminders that fall due at
once, the beat's dispatch task started three times at once: each reminder made once (the unique key),
claimed once (``SELECT ... FOR UPDATE SKIP LOCKED``) and sent once, counted in the development outbox as
the fault drills count deliveries (``reliability.faults``); the time it took and each worker's share.

``python -m benchmarks.scaleout [--scale 1.0]`` runs it on the benchmark's database of that scale;
``run`` and ``markdown`` are what ``python -m benchmarks`` may call.
"""

import argparse
import csv
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import redis
import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from reliability.faults import deliveries
from reliability.forms import CSRF

from .busyhour import (
    GUNICORN,
    SERVER_ENV,
    BusyHour,
    answered,
    drive,
    links_forget,
    prepare,
    procfile_processes,
    server_env,
)
from .servers import ROOT, answering, free_port, gunicorn, procfile_command

NODES = ("node1", "node2")
WORKERS = 3
REMINDERS = 100_000
RATE_LIMIT = 10  # the API throttle during the checks: this many requests an hour per token
PAGE = "/patients/"
API = "/api/v1/patients/"
HAPROXY_CONFIG = """\
global
    maxconn 2000
    stats socket {socket} mode 600 level admin

defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 300s
    timeout server 300s

frontend web
    bind 127.0.0.1:{port}
    default_backend nodes

backend nodes
    balance roundrobin
    http-response set-header X-Served-By %s
{servers}
"""
# The drill's own rows, removed after: a team, its clinician (the checks sign in as them) and its patients.
DRILL_TEAM = "Scale-out drill"
CLINICIAN = "scaleout-clinician"
LOCKED = "scaleout-locked"
PASSWORD = "scale-out-two-nodes"  # noqa: S105 - set on the drill's own accounts only
DRILL_ADDRESS = "scaleout-{}@example.org"
DISPATCHED = re.compile(r"Dispatched (\d+) reminders")
# The drill gives up when nothing moved for this long: on a busy machine three dispatchers making 100,000
# reminders at once take minutes before the first is there to count.
STALL_SECONDS = 600.0


def haproxy() -> str:
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if found is None:
        raise RuntimeError("HAProxy is not installed: apt-get install haproxy (make bench installs it)")
    return found


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:] if path.exists() else ""


@dataclass(frozen=True)
class Balancer:
    """HAProxy in front of the nodes, and its admin socket."""

    port: int
    socket: Path
    pid: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def statistics(self) -> list[dict[str, str]]:
        """HAProxy's ``show stat`` (CSV), one row per frontend, backend and server."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as admin:
            admin.connect(str(self.socket))
            admin.sendall(b"show stat\n")
            chunks = []
            while chunk := admin.recv(65536):
                chunks.append(chunk)
        return list(csv.DictReader(b"".join(chunks).decode().removeprefix("# ").splitlines()))

    def answers(self) -> dict[str, int]:
        """Answers each node gave through the balancer since it started (its HTTP response counters)."""
        classes = ("1xx", "2xx", "3xx", "4xx", "5xx", "other")
        return {
            row["svname"]: sum(int(row[f"hrsp_{c}"] or 0) for c in classes)
            for row in self.statistics()
            if row["pxname"] == "nodes" and row["svname"] in NODES
        }


@contextmanager
def balancer(ports: Mapping[str, int]) -> Iterator[Balancer]:
    """HAProxy on a free port, round robin over ``ports`` (node name: port), while the block runs."""
    with tempfile.TemporaryDirectory(prefix="scaleout-haproxy-") as folder:
        admin = Path(folder) / "admin.sock"
        port = free_port()
        config = Path(folder) / "haproxy.cfg"
        servers = "\n".join(f"    server {name} 127.0.0.1:{node}" for name, node in ports.items())
        config.write_text(HAPROXY_CONFIG.format(socket=admin, port=port, servers=servers))
        log = Path(folder) / "haproxy.log"
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - Debian's haproxy, our own configuration
                [haproxy(), "-db", "-f", str(config)], stdout=output, stderr=subprocess.STDOUT
            )
        try:
            if not answering(port, "/healthz"):
                raise RuntimeError(f"HAProxy did not answer: {_tail(log)}")
            yield Balancer(port, admin, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def web_nodes(ports: Iterable[int], env: dict[str, str]) -> Iterator[list[subprocess.Popen]]:
    """The Procfile's gunicorn on each of ``ports``, started side by side, while the block runs."""
    starting = [gunicorn(port, env) for port in ports]
    with ExitStack() as stack, ThreadPoolExecutor(len(starting)) as pool:
        futures = [pool.submit(node.__enter__) for node in starting]
        for node, future in zip(starting, futures, strict=True):
            if future.exception() is None:
                stack.push(node)  # stopped when the block ends
        yield [future.result() for future in futures]  # raises if a node could not start


# --- the web checks ---


@dataclass(frozen=True)
class Proof:
    """One claim about several nodes, whether it held, and what was seen."""

    name: str
    held: bool
    detail: str


def _node(response: requests.Response) -> str:
    return response.headers.get("X-Served-By", "none")


def _tally(responses: Iterable[requests.Response]) -> str:
    counted = Counter(_node(r) for r in responses)
    return ", ".join(f"{name} {counted[name]}" for name in sorted(counted)) or "none"


def _login_form(session: requests.Session, base: str) -> str:
    """The sign-in page's CSRF token (its cookie now in ``session``)."""
    found = CSRF.search(session.get(f"{base}/login/", timeout=60).text)
    return found.group(1) if found else ""


def _sign_in(
    session: requests.Session, base: str, csrf: str, username: str, password: str, **headers: str
) -> requests.Response:
    return session.post(
        f"{base}/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base}/login/", **headers},
        allow_redirects=False,
        timeout=60,
    )


def _signed_in(response: requests.Response) -> bool:
    return response.status_code == 302 and "/login/" not in response.headers.get("Location", "")


def sessions_shared(base: str, username: str, password: str, *, pages: int = 20) -> Proof:
    """Sign in once through the balancer, then open a page ``pages`` times: both nodes answer, signed in."""
    session = requests.Session()
    signed = _sign_in(session, base, _login_form(session, base), username, password)
    answers = [session.get(base + PAGE, allow_redirects=False, timeout=60) for _ in range(pages)]
    inside = [a for a in answers if a.status_code == 200]
    held = _signed_in(signed) and len(inside) == pages and {_node(a) for a in inside} == set(NODES)
    return Proof(
        "sessions: signed in once, signed in on both nodes",
        held,
        f"signed in once (on {_node(signed)}), then {PAGE} {pages} times: {len(inside)} answered signed in "
        f"({_tally(inside)}), {pages - len(inside)} sent to sign in or failed",
    )


def throttle_shared(base: str, token: str, limit: int) -> Proof:
    """One token's API requests, one after another, twice its rate and more: the limit is let through,
    counted once for both nodes, and both refuse the rest."""
    asked = 2 * limit + 2
    session = requests.Session()
    answers = [
        session.get(base + API, headers={"Authorization": f"Token {token}"}, timeout=60) for _ in range(asked)
    ]
    allowed = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 429]
    other = sorted({a.status_code for a in answers} - {200, 429})
    held = (
        len(allowed) == limit
        and len(refused) == asked - limit
        and {_node(a) for a in allowed} == {_node(a) for a in refused} == set(NODES)
    )
    return Proof(
        "rate limit: one count for both nodes",
        held,
        f"{asked} API requests with one token at {limit} an hour (API_RATE_TOKEN): {len(allowed)} let "
        f"through ({_tally(allowed)}), {len(refused)} refused with 429 ({_tally(refused)})"
        + (f"; other answers: {other}" if other else ""),
    )


def lockout_shared(base: str, username: str, password: str, *, failures: int) -> Proof:
    """``failures`` wrong passwords through the balancer (on both nodes), then the right one four times on
    both, and once with a forged X-Forwarded-For: every later try is refused with axes' lockout."""
    session = requests.Session()
    csrf = _login_form(session, base)
    wrong = [_sign_in(session, base, csrf, username, "not-" + password) for _ in range(failures)]
    tries = [_sign_in(session, base, csrf, username, password) for _ in range(4)]
    forged = _sign_in(session, base, csrf, username, password, **{"X-Forwarded-For": "203.0.113.9"})
    lockout = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)  # axes' default, set when it loads
    forged_answer = "locked out" if forged.status_code == lockout else str(forged.status_code)
    locked = [t for t in [*tries, forged] if t.status_code == lockout]
    held = (
        not any(_signed_in(t) for t in [*wrong, *tries, forged])
        and len(locked) == len(tries) + 1
        and {_node(w) for w in wrong} == {_node(t) for t in tries} == set(NODES)
    )
    return Proof(
        "sign-in lockout: failures on both nodes add up, locked on both",
        held,
        f"{failures} wrong passwords (AXES_FAILURE_LIMIT) on {_tally(wrong)}; then the right password "
        f"{len(tries)} times: {sum(t.status_code == lockout for t in tries)} locked out ({_tally(tries)}); "
        f"with a forged X-Forwarded-For: {forged_answer}",
    )


def _drill_accounts() -> tuple[int, str]:
    """The drill's team (its id) and clinician (signs in for the checks), made once and kept; the
    lockout's account too. Their password is set again each run, by the hasher of the settings run under."""
    from teams.models import Membership, Team, User

    team, _ = Team.objects.get_or_create(name=DRILL_TEAM)
    for username in (CLINICIAN, LOCKED):
        user, _ = User.objects.get_or_create(
            username=username, defaults={"first_name": "Scale-out", "last_name": "Drill"}
        )
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, team=team, defaults={"role": Membership.Role.MEMBER})
    return team.pk, CLINICIAN


def _lockouts_lift() -> None:
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username__in=[CLINICIAN, LOCKED]).delete()


def web_checks(*, limit: int = RATE_LIMIT, pages: int = 20) -> list[Proof]:
    """Two nodes behind HAProxy, trusting it as their one proxy, the API throttle at ``limit`` an hour."""
    from knox.models import AuthToken

    from teams.models import User

    _drill_accounts()
    _lockouts_lift()
    token = AuthToken.objects.create(User.objects.get(username=CLINICIAN))[1]
    env = {key: value for key, value in server_env().items() if key not in SERVER_ENV} | {
        "DJANGO_SETTINGS_MODULE": "benchmarks.scaleout_settings",
        "SCALEOUT_SETTINGS": settings.SETTINGS_MODULE,
        "TRUSTED_PROXY_COUNT": "1",
        "API_RATE_TOKEN": f"{limit}/hour",
        "CACHE_PREFIX": f"rehabcare-scaleout-{secrets.token_hex(4)}",  # counters of this run only
    }
    ports = {name: free_port() for name in NODES}
    try:
        with web_nodes(ports.values(), env), balancer(ports) as front:
            return [
                sessions_shared(front.url, CLINICIAN, PASSWORD, pages=pages),
                throttle_shared(front.url, token, limit),
                lockout_shared(front.url, LOCKED, PASSWORD, failures=settings.AXES_FAILURE_LIMIT),
            ]
    finally:
        _lockouts_lift()
        AuthToken.objects.filter(user__username=CLINICIAN).delete()


# --- the busy hour through the balancer ---


@dataclass(frozen=True)
class Spread:
    """The busy hour through the balancer: B's measurement, and the answers each node gave."""

    busy: BusyHour
    answers: dict[str, int]


def busy_hour(*, minutes: float, users: int, links: int) -> Spread:
    """``benchmarks/busyhour.py``'s load through HAProxy, in front of two gunicorns, beside the Procfile's
    worker and beat (started with the first node)."""
    plan = prepare(users=users, links=links)
    env = server_env()
    ports = {name: free_port() for name in NODES}
    try:
        with tempfile.NamedTemporaryFile(prefix="scaleout-servers-", suffix=".log") as log:
            with (
                procfile_processes(ports[NODES[0]], env, Path(log.name)) as first,
                gunicorn(ports[NODES[1]], env) as second,
                balancer(ports) as front,
            ):
                processes = {
                    f"{NODES[0]} (gunicorn)": [first[GUNICORN].pid],
                    f"{NODES[1]} (gunicorn)": [second.pid],
                    "HAProxy": [front.pid],
                } | {name: [process.pid] for name, process in first.items() if name != GUNICORN}
                result = drive(front.url, plan, minutes=minutes, processes=processes)
                spread = front.answers()
        result.answered = answered(plan)
    finally:
        links_forget()
    return Spread(result, spread)


# --- the reminders: three workers, 100,000 due at once ---


@dataclass
class Dispatch:
    """What the three workers did with the reminders that fell due at once."""

    due: int
    made: int = 0
    once: int = 0
    extra: int = 0  # messages beyond the first to any patient
    never: int = 0
    # Reminders each dispatch task claimed, as it logs them ("Dispatched %d reminders", at the Procfile's
    # INFO level): a reminder claimed twice would count twice here.
    claims: list[int] = field(default_factory=list)
    # Tasks each worker ran, as the workers count them: one reminder_send a claim, none retried.
    dispatches: dict[str, int] = field(default_factory=dict)
    sends: dict[str, int] = field(default_factory=dict)
    claimed_s: float | None = None
    sent_s: float | None = None
    workers_alive: bool = True
    note: str = ""  # why the drill stopped waiting before every reminder was sent

    @property
    def held(self) -> bool:
        return (
            self.made == self.once == self.due
            and self.extra == self.never == 0
            and sum(self.claims) == sum(self.sends.values()) == self.due
            and self.workers_alive
        )


def _drill_patients(team: int, count: int) -> list[str]:
    """``count`` active patients of the drill's team who agreed to reminders, each with a daily check-in
    that fell due a minute ago: their addresses."""
    from teams.models import User

    clinician = User.objects.get(username=CLINICIAN).pk
    local = timezone.localtime(timezone.now() - timedelta(minutes=1))
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO teams_patient (mrn, given_name, family_name, date_of_birth, email, mobile,
                                          reminder_channel, language, consent_to_reminders,
                                          reminder_consent_given_on, reminder_consent_note, status,
                                          created_at, updated_at, primary_clinician_id, team_id,
                                          mobile_failed_reason, email_failed_reason)
               SELECT 'SCALEOUT-' || lpad(g::text, 6, '0'), 'Drill', 'Patient ' || g,
                      date '1950-01-01' + (g * 37) %% 20000, 'scaleout-' || g || '@example.org', '', 'email',
                      'en', true, current_date - 1, 'scale-out drill', 'active', now(), now(), %s, %s, '', ''
               FROM generate_series(1, %s) g""",
            [clinician, team, count],
        )
        cursor.execute(
            """INSERT INTO checkins_schedule (cadence, weekdays, every_n_days, anchor_date, local_time,
                                              time_zone, channel, created_at, updated_at, patient_id,
                                              fallback_channel)
               SELECT 'daily', '{}', NULL, NULL, %s, %s, 'email', now(), now(), p.id, ''
               FROM teams_patient p WHERE p.team_id = %s""",
            [local.strftime("%H:%M"), settings.TIME_ZONE, team],
        )
    return [DRILL_ADDRESS.format(n) for n in range(1, count + 1)]


def _drill_forget(team: int) -> None:
    """Remove the drill's patients and everything sent to them."""
    patients = "SELECT id FROM teams_patient WHERE team_id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("""DELETE FROM checkins_outboxmessage WHERE "to" LIKE 'scaleout-%%@example.org'""")
        cursor.execute(
            f"DELETE FROM checkins_delivery WHERE reminder_id IN "  # noqa: S608 - our constant
            f"(SELECT id FROM checkins_reminder WHERE patient_id IN ({patients}))",
            [team],
        )
        for table in ("checkins_reminder", "checkins_schedule"):
            cursor.execute(f"DELETE FROM {table} WHERE patient_id IN ({patients})", [team])  # noqa: S608
        cursor.execute("DELETE FROM teams_patient WHERE team_id = %s", [team])


def _progress(team: int) -> tuple[int, int, int]:
    """The drill's reminders: made, claimed, sent."""
    from checkins.models import Reminder

    found = Reminder.objects.filter(patient__team_id=team).aggregate(
        made=Count("id"),
        claimed=Count("id", filter=Q(claimed_at__isnull=False)),
        sent=Count("id", filter=Q(status=Reminder.Status.SENT)),
    )
    return found["made"], found["claimed"], found["sent"]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Workers:
    """The drill's Celery workers: the Procfile's worker command, once per name, on a queue of their own."""

    names: list[str]
    logs: list[Path]
    processes: list[subprocess.Popen] = field(default_factory=list)

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            _stop(process)

    def claims(self) -> list[list[int]]:
        """The reminders each worker's dispatches claimed, as its log says (read after ``stop``)."""
        return [[int(m) for m in DISPATCHED.findall(log.read_text(errors="replace"))] for log in self.logs]

    def ran(self, task: str) -> dict[str, int]:
        """How often each worker ran ``task``, as the workers themselves count (Celery's remote control)."""
        from rehabcare.celery import app

        stats = app.control.inspect(destination=self.names, timeout=10).stats() or {}
        return {
            f"worker {n}": stats.get(name, {}).get("total", {}).get(task, 0)
            for n, name in enumerate(self.names, start=1)
        }


@contextmanager
def workers_started(kind: str, count: int, queue: str, env: dict[str, str]) -> Iterator[Workers]:
    """``count`` workers reading ``queue`` only, yielded once every one answers a ping; stopped (their
    pools too) when the block ends, their logs kept until then."""
    from rehabcare.celery import app

    with tempfile.TemporaryDirectory(prefix=f"scaleout-{kind}-") as folder:
        workers = Workers(
            names=[f"{kind}{n}-{os.getpid()}@{socket.gethostname()}" for n in range(1, count + 1)],
            logs=[Path(folder) / f"worker{n}.log" for n in range(1, count + 1)],
        )
        try:
            for name, log in zip(workers.names, workers.logs, strict=True):
                with log.open("wb") as output:
                    workers.processes.append(
                        subprocess.Popen(  # noqa: S603 - the Procfile's own worker command, named
                            [*procfile_command("worker"), "-n", name, "-Q", queue],
                            cwd=ROOT,
                            env=env,
                            stdout=output,
                            stderr=subprocess.STDOUT,
                            start_new_session=True,  # its own process group: the stop takes its pool too
                        )
                    )
            deadline = time.monotonic() + 120
            while len(app.control.ping(destination=workers.names, timeout=1)) < count:
                if time.monotonic() > deadline or not workers.alive():
                    raise RuntimeError(f"The workers did not start: {_tail(workers.logs[0])}")
            yield workers
        finally:
            workers.stop()


def reminders_drill(
    count: int = REMINDERS, *, workers: int = WORKERS, poll: float = 2.0, linger: float = 5.0
) -> Dispatch:
    """``count`` reminders due at once, the dispatch started once per worker, all at once, and sent by
    ``workers`` workers; ``linger`` seconds after the last is sent, for a late duplicate to show."""
    from checkins.tasks import reminders_dispatch

    team, _ = _drill_accounts()
    _drill_forget(team)  # what an interrupted run left
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue)
    addresses = _drill_patients(team, count)
    result = Dispatch(due=count)
    env = server_env() | {"EMAIL_BACKEND": "checkins.backends.OutboxEmailBackend"}
    try:
        with workers_started("scaleout", workers, queue, env) as started_workers:
            started = time.monotonic()
            for _ in range(workers):
                reminders_dispatch.delay()
            _wait(result, team, started, poll, started_workers.processes, lambda: int(broker.llen(queue)))
            time.sleep(linger)
            result.workers_alive = started_workers.alive()
            result.dispatches = started_workers.ran("checkins.tasks.reminders_dispatch")
            result.sends = started_workers.ran("checkins.tasks.reminder_send")
            started_workers.stop()
            result.claims = [n for claimed in started_workers.claims() for n in claimed]
        result.made = _progress(team)[0]
        counts: dict[str, int] = {}
        for at in range(0, len(addresses), 10_000):
            counts |= deliveries(addresses[at : at + 10_000])
        result.once = sum(1 for n in counts.values() if n == 1)
        result.extra = sum(n - 1 for n in counts.values() if n > 1)
        result.never = len(addresses) - len(counts)
    finally:
        broker.delete(queue)
        _drill_forget(team)
    return result


@dataclass
class Claims:
    """``due`` reminders dispatched by three workers at once, the sending left queued: each reminder made
    and handed out once. (Sending every one through the outbox takes this machine about a second per 20,
    so the full send is proven at the smaller count above.)"""

    due: int
    made: int = 0
    claims: list[int] = field(default_factory=list)
    dispatches: dict[str, int] = field(default_factory=dict)
    queued: int = 0  # reminder_send messages waiting in the queue
    distinct: int = 0  # distinct reminders among them
    seconds: float | None = None
    workers_alive: bool = True

    @property
    def held(self) -> bool:
        return (
            self.made == self.queued == self.distinct == sum(self.claims) == self.due and self.workers_alive
        )


def _queued_reminders(broker: redis.Redis, queue: str) -> Counter[int]:
    """The reminder each queued reminder_send message names (Celery's message headers carry its args)."""
    named: Counter[int] = Counter()
    for at in range(0, int(broker.llen(queue)), 10_000):
        for raw in broker.lrange(queue, at, at + 9_999):
            headers = json.loads(raw)["headers"]
            if headers["task"] == "checkins.tasks.reminder_send":
                named[int(headers["argsrepr"].strip("(),"))] += 1
    return named


def claims_drill(count: int = REMINDERS, *, workers: int = WORKERS, timeout: float = 1200) -> Claims:
    """``count`` reminders due at once; the beat's dispatch task started once per worker, all at once, on
    a queue only the ``workers`` workers read; their messages to send are left on the usual queue and read
    back: one per reminder, none twice."""
    from checkins.tasks import reminders_dispatch

    team, _ = _drill_accounts()
    _drill_forget(team)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    dispatch_queue = f"{queue}-dispatch"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue, dispatch_queue)
    _drill_patients(team, count)
    result = Claims(due=count)
    try:
        with workers_started("claims", workers, dispatch_queue, server_env()) as started_workers:
            started = time.monotonic()
            for _ in range(workers):
                reminders_dispatch.apply_async(queue=dispatch_queue)
            while time.monotonic() - started < timeout:
                made, claimed, _sent = _progress(team)
                if made == claimed == count and int(broker.llen(dispatch_queue)) == 0:
                    result.seconds = time.monotonic() - started
                    break
                time.sleep(1)
            time.sleep(5)  # for a late duplicate to show
            result.workers_alive = started_workers.alive()
            result.dispatches = started_workers.ran("checkins.tasks.reminders_dispatch")
            started_workers.stop()
            result.claims = [n for claimed in started_workers.claims() for n in claimed]
        result.made = _progress(team)[0]
        named = _queued_reminders(broker, queue)
        result.queued, result.distinct = sum(named.values()), len(named)
    finally:
        broker.delete(queue, dispatch_queue)
        _drill_forget(team)
    return result


def _wait(
    result: Dispatch,
    team: int,
    started: float,
    poll: float,
    workers: Sequence[subprocess.Popen],
    queued: Callable[[], int],
) -> None:
    """Until every reminder is sent, a worker died, the queue was emptied under it, or nothing moved for
    STALL_SECONDS; notes when all were claimed."""
    seen, moved, said = (-1, -1, -1), time.monotonic(), time.monotonic()
    while True:
        now = _progress(team)
        elapsed = time.monotonic() - started
        if result.claimed_s is None and now[0] == now[1] == result.due:
            result.claimed_s = elapsed
        if now[2] >= result.due:
            result.sent_s = elapsed
            return
        if now != seen:
            seen, moved = now, time.monotonic()
        elif any(w.poll() is not None for w in workers):
            result.note = "A worker died."
            return
        elif time.monotonic() - moved > STALL_SECONDS:
            result.note = f"Nothing moved for {STALL_SECONDS:.0f} s."
            return
        elif time.monotonic() - moved > 60 and now[1] == result.due and queued() == 0:
            # Every message was handed out, and nothing is being sent: they left the queue unread. A FLUSHDB
            # of the broker's Redis database does that (django-redis's cache.clear(), a test's on the same
            # database); in production the reconciler re-queues them after REMINDER_RECLAIM_SECONDS.
            result.note = (
                f"{result.due - now[2]:,} claimed reminders were never sent: their messages left the queue "
                "unread (emptied by something else on this machine: a FLUSHDB of the broker's database?)."
            )
            return
        if time.monotonic() - said > 30:
            said = time.monotonic()
            print(f"  {elapsed:.0f} s: {now[0]:,} made, {now[1]:,} claimed, {now[2]:,} sent", flush=True)
        time.sleep(poll)


# --- the whole proof, and its section of BENCHMARKS.md ---


@dataclass(frozen=True)
class ScaleOut:
    proofs: list[Proof]
    spread: Spread | None
    dispatch: Dispatch
    claims: Claims | None = None

    @property
    def held(self) -> bool:
        return (
            all(p.held for p in self.proofs)
            and self.dispatch.held
            and (self.claims is None or self.claims.held)
        )


def run(
    *,
    reminders: int = REMINDERS,
    limit: int = RATE_LIMIT,
    busy_minutes: float = 1.5,
    busy_users: int = 30,
    busy_links: int = 100,
    claims: int = 0,
) -> ScaleOut:
    """The web checks, the busy hour through the balancer (``busy_minutes`` 0: none), then the reminders."""
    print("Two web nodes behind HAProxy: sessions, rate limit, lockout", flush=True)
    proofs = web_checks(limit=limit)
    for proof in proofs:
        print(f"  {proof.name}: {'held' if proof.held else 'FAILED'}: {proof.detail}", flush=True)
    spread = None
    if busy_minutes > 0:
        print(f"The busy hour through the balancer, {busy_minutes:g} minutes, {busy_users} users", flush=True)
        spread = busy_hour(minutes=busy_minutes, users=busy_users, links=busy_links)
        print(f"  answers per node: {spread.answers}; errors: {spread.busy.errors}", flush=True)
    print(f"Three workers, {reminders:,} reminders due at once", flush=True)
    dispatch = reminders_drill(reminders)
    print(f"  {dispatch}", flush=True)
    claimed = None
    if claims:
        print(f"Three workers dispatching {claims:,} reminders due at once", flush=True)
        claimed = claims_drill(claims)
        print(f"  {claimed}", flush=True)
    return ScaleOut(proofs, spread, dispatch, claimed)


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:,.0f}"


def markdown(result: ScaleOut) -> str:
    """The "## Two web nodes, three workers" section of BENCHMARKS.md."""
    lines = [
        "## Two web nodes, three workers",
        "",
        'What ARCHITECTURE.md ("Running past one machine") claims for several machines, simulated on this '
        "one: the Procfile's gunicorn twice, on two ports, behind HAProxy (round robin, `option forwardfor`, "
        "the nodes trusting it as their one proxy), and the Procfile's Celery worker three times "
        "(`benchmarks/scaleout.py`).",
        "",
        "| claim | held | what was seen |",
        "|---|:-:|---|",
        *(f"| {p.name} | {'yes' if p.held else '**no**'} | {p.detail} |" for p in result.proofs),
    ]
    if result.spread is not None:
        busy, answers = result.spread.busy, result.spread.answers
        total = sum(answers.values()) or 1
        staff = f"{busy.users} staff users" + (
            f" (of {busy.plan.users_asked} asked: the data set has {busy.plan.staff_available} clinicians)"
            if busy.users < busy.plan.users_asked
            else ""
        )
        errors = "; ".join(f"{k.name}: {e} ×{n}" for k in busy.kinds for e, n in k.errors.items())
        lines += [
            "",
            f"**The busy hour through the balancer** ({busy.minutes:g} min, {staff}, {busy.links} check-in "
            "links, the Procfile's worker and beat beside): answers per node, from HAProxy's statistics: "
            + ", ".join(f"{name} {n:,} ({n / total:.0%})" for name, n in sorted(answers.items()))
            + f"; {busy.answered} of {busy.links} check-ins stored; errors: {busy.errors}"
            + (f" ({errors})." if errors else "."),
            "",
            "| request | count | errors | p50 ms | p95 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|",
            *(
                f"| {k.name} | {k.count:,} | {k.failed:,} | {_ms(k.p50)} | {_ms(k.p95)} | {_ms(k.p99)} |"
                for k in busy.kinds
            ),
            "",
            "CPU over the run: "
            + ", ".join(f"{name} {busy.cpu_share(name):.0%}" for name in busy.cpu_s)
            + f" of the machine ({busy.machine_busy:.0%} busy in all).",
        ]
    d = result.dispatch
    claimed = f"{d.claimed_s:.0f} s" if d.claimed_s is not None else "never, in full"
    sent = f"{d.sent_s:.0f} s ({d.due / d.sent_s:,.0f} a second)" if d.sent_s else "never, in full"
    lines += [
        "",
        f"**{d.due:,} reminders due at once, three workers** (each the Procfile's `celery worker`, "
        f"concurrency 2, its own name), the beat's dispatch task started {sum(d.dispatches.values())} "
        f"times at once: {d.made:,} reminders made, {d.once:,} sent exactly once, {d.extra} sent twice, "
        f"{d.never:,} never; the dispatch tasks claimed {' + '.join(f'{c:,}' for c in d.claims)} "
        f"= {sum(d.claims):,}. All claimed after {claimed}, all sent after {sent}. {d.note}".rstrip(),
        "",
        "| worker | dispatch tasks | reminders sent | share |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {d.dispatches.get(name, 0)} | {n:,} | {n / max(1, sum(d.sends.values())):.0%} |"
            for name, n in d.sends.items()
        ),
    ]
    c = result.claims
    if c is not None:
        took = f"{c.seconds:.0f} s ({c.due / c.seconds:,.0f} a second)" if c.seconds else "never, in full"
        lines += [
            "",
            f"**{c.due:,} reminders due at once, dispatched by three workers** (the beat's dispatch task "
            f"started {sum(c.dispatches.values())} times at once, "
            + ", ".join(f"{name} ran {n}" for name, n in c.dispatches.items())
            + f"; the sending left queued and read back): {c.made:,} reminders made, the dispatch tasks "
            f"claimed {' + '.join(f'{n:,}' for n in c.claims)} = {sum(c.claims):,}, {c.queued:,} messages "
            f"to send queued for {c.distinct:,} distinct reminders ({c.queued - c.distinct:,} twice), "
            f"all claimed after {took}. Sending every one is proven at {d.due:,} above: at this machine's "
            "outbox pace (each message written and recorded) 100,000 would take over an hour.",
        ]
    lines += ["", f"**{'Every claim held.' if result.held else 'A claim did not hold.'}**"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaleout")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", "1.0")))
    parser.add_argument("--reminders", type=int, default=REMINDERS)
    parser.add_argument("--busy-minutes", type=float, default=1.5, help="0 skips the busy hour")
    parser.add_argument("--busy-users", type=int, default=30)
    parser.add_argument("--busy-links", type=int, default=100)
    parser.add_argument(
        "--claims", type=int, default=0, help="reminders three workers dispatch, the sending left queued"
    )
    parser.add_argument("--output", help="write the section to this file too")
    args = parser.parse_args(argv)

    from .__main__ import bench_database_url, database_ensure

    url = bench_database_url(args.scale)
    database_ensure(url)
    os.environ["DATABASE_URL"] = os.environ["DATABASE_OWNER_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "rehabcare.settings.bench"
    # A queue of its own: a benchmark run at another scale never takes these reminders.
    os.environ.setdefault("CELERY_QUEUE", "rehabcare-scaleout")
    import django

    django.setup()
    from django.core.management import call_command

    from .generate import generate, generated_scale

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if generated_scale() is None:
        print(f"Generating scale {args.scale:g} (reused by later runs):")
        generate(args.scale)
    result = run(
        reminders=args.reminders,
        busy_minutes=args.busy_minutes,
        busy_users=args.busy_users,
        busy_links=args.busy_links,
        claims=args.claims,
    )
    section = markdown(result)
    print(section)
    if args.output:
        Path(args.output).write_text(section)
    return 0 if result.held else 1


if __name__ == "__main__":
    sys.exit(main())
