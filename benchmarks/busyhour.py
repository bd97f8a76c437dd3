"""The busy hour (issue 23): a Monday morning of the clinic network against the Procfile's processes.

Staff (the generated clinicians, ``bench-c…``) all sign in within the first minute, then work as
clinicians do: patient lists, overviews, screening entry, care plan edits, the review queue, the team
dashboard (leads) and a conference agenda, a think time between actions. Meanwhile patients answer
their check-in links, paced so that every link is answered within the run. Locust drives both
(``benchmarks/busyhour_users.py``), in a process of its own, against gunicorn with the Celery worker and
beat running beside it, all three started from the Procfile.

Reported per request kind: p50 / p95 / p99, count and errors, each against the issue's targets; the
sign-in's p95 during the rush; and the CPU each part used (gunicorn, worker, beat, PostgreSQL's
backends of this database, and locust itself), as a share of the machine.

``prepare`` (passwords, links) and ``links_forget`` need Django; ``drive`` only a base URL, so the same
load can be aimed at servers started elsewhere (two gunicorns behind a load balancer, say): those
servers need ``SERVER_ENV`` too, which lets the patients' own addresses through.
"""

import json
import math
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import psutil
import psycopg
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from .servers import ROOT, free_port, gunicorn, procfile_command

USERS_FILE = ROOT / "benchmarks" / "busyhour_users.py"
# Set on the generated bench accounts only, by ``prepare``; never a real account's.
PASSWORD = "monday-morning-busy-hour"  # noqa: S105
# A brisk clinician: 5-15 s between actions (reading a page for half a minute would be nearer life), so
# 100 of them weigh on the servers like the network's 300 at a usual pace.
THINK_SECONDS = (5.0, 15.0)
PATIENTS_EACH = 20  # a clinician works on their own patients: the first this many of them
# The patients write from their phones, each from an address of its own: the servers trust loopback as
# their proxy and so read X-Forwarded-For, as behind the clinic's proxy (core/client_ip.py). Without it,
# the links' rate limit per address would refuse everyone after the 60th request from 127.0.0.1.
SERVER_ENV = {"TRUSTED_PROXY_NETWORKS": "127.0.0.0/8,::1"}

# Issue 23's targets for the busy hour: p95 in ms for each kind of request, and zero errors.
STAFF_TARGET_MS = 250.0
TARGETS_MS = {"check-in page": 100.0, "check-in submit": 100.0, "sign-in": 1000.0}
SIGN_IN = "sign-in"

GUNICORN, WORKER, BEAT = "gunicorn (master and workers)", "Celery worker", "Celery beat"
POSTGRES = "PostgreSQL (this database's backends)"
LOAD = "load generator (locust)"


def _rank(ordered: Sequence[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else math.nan


@dataclass
class Kind:
    """One kind of request: every answer's time (ms), and the failed ones by their error."""

    name: str
    times_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def target_ms(self) -> float:
        return TARGETS_MS.get(self.name, STAFF_TARGET_MS)

    @property
    def count(self) -> int:
        return len(self.times_ms)

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    def percentile(self, share: float) -> float:
        return _rank(sorted(self.times_ms), share)

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else math.nan

    @property
    def p95(self) -> float:
        return self.percentile(0.95)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    @property
    def met(self) -> bool:
        return self.count > 0 and self.failed == 0 and self.p95 <= self.target_ms


@dataclass(frozen=True)
class Plan:
    """What the load is made of: who signs in, the links to answer, and on which database."""

    staff: list[dict[str, object]]  # username, lead, team, conference, patients
    tokens: list[str]
    reminder_ids: list[int]
    users_asked: int
    staff_available: int
    links_asked: int
    links_available: int
    database_url: str


@dataclass
class BusyHour:
    minutes: float
    base_url: str
    plan: Plan
    think_s: tuple[float, float]
    patient_think_s: tuple[float, float]
    spread_s: float
    kinds: list[Kind]
    wall_s: float
    cores: int
    cpu_s: dict[str, float]  # CPU seconds used during the run, by process
    machine_busy: float  # the whole machine's share busy, other work on it included
    answered: int = 0  # check-ins stored through the links
    died: list[str] = field(default_factory=list)  # server processes that stopped during the run

    @property
    def users(self) -> int:
        return len(self.plan.staff)

    @property
    def links(self) -> int:
        return len(self.plan.tokens)

    def kind(self, name: str) -> Kind:
        return next((k for k in self.kinds if k.name == name), Kind(name))

    @property
    def errors(self) -> int:
        return sum(k.failed for k in self.kinds)

    def cpu_share(self, name: str) -> float:
        """``name``'s CPU over the run, as a share of all the machine's cores."""
        return self.cpu_s[name] / self.wall_s / self.cores

    @property
    def met(self) -> bool:
        return all(k.met for k in self.kinds) and self.answered == self.links and not self.died


# --- the data: accounts and links ---


def database_url() -> str:
    """The database this process works on, as a URL for the servers (the benchmark's, or a test's)."""
    db = connection.settings_dict
    login = quote(db["USER"]) + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgresql://{login}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def links_forget() -> None:
    """Remove the check-in links and what was answered through them: the benchmark's data keeps none of
    its own (as ``throughput.reminder_dispatch`` leaves it), so each run starts from the same rows."""
    from checkins.models import ActivityLog, CheckIn, Delivery, ExerciseLog, Reminder, Schedule

    with transaction.atomic():
        answered = CheckIn.objects.filter(reminder__isnull=False)
        ExerciseLog.objects.filter(checkin__in=answered).delete()
        ActivityLog.objects.filter(checkin__in=answered).delete()
        answered.delete()
        Delivery.objects.all().delete()
        Reminder.objects.all().delete()
        Schedule.objects.all().delete()


def _staff(users: int) -> tuple[list[dict[str, object]], int]:
    """``users`` clinicians evenly through the generated ones (a lead in 7 or so at scale 1, as in the
    network), none of whom must use a second factor; and how many there were to choose from."""
    from conferences.models import CaseConference
    from teams.models import Membership, Patient, User
    from teams.two_factor import must_use_two_factor

    from .pages import Cast

    everyone = [
        u
        for u in User.objects.filter(username__startswith="bench-c", is_active=True).order_by("id")
        if not must_use_two_factor(u)
    ]
    chosen = [everyone[i * len(everyone) // users] for i in range(min(users, len(everyone)))]
    ids = [u.pk for u in chosen]
    memberships = {
        m.user_id: m for m in Membership.objects.filter(user_id__in=ids).order_by("id").select_related("team")
    }
    conferences: dict[int, int] = {}
    for conference in CaseConference.objects.filter(
        team__in={m.team_id for m in memberships.values()}, status=CaseConference.Status.PLANNED
    ).order_by("-starts_at"):
        conferences[conference.team_id] = conference.pk  # the soonest wins
    cast = Cast.find()
    mine: dict[int, list[int]] = {pk: [] for pk in ids}
    for clinician, patient in (
        Patient.objects.filter(primary_clinician_id__in=ids, status=Patient.Status.ACTIVE)
        .exclude(pk__in=[cast.patient.pk, cast.scratch.pk])  # the pages' measured ones stay as generated
        .order_by("id")
        .values_list("primary_clinician_id", "id")
    ):
        if len(mine[clinician]) < PATIENTS_EACH:
            mine[clinician].append(patient)
    staff = [
        {
            "username": u.username,
            "lead": memberships[u.pk].role == Membership.Role.LEAD,
            "team": memberships[u.pk].team_id,
            "conference": conferences[memberships[u.pk].team_id],
            "patients": mine[u.pk],
        }
        for u in chosen
        if u.pk in memberships and mine[u.pk] and memberships[u.pk].team_id in conferences
    ]
    # One hash for all: each costs what a sign-in costs, and a hundred would be time spent on nothing.
    User.objects.filter(username__in=[s["username"] for s in staff]).update(password=make_password(PASSWORD))
    return staff, len(everyone)


def _links(links: int) -> tuple[list[str], list[int], int]:
    """``links`` check-in links as the worker leaves them once sent (a daily schedule, its reminder sent
    last night with a single-use token, only its hash kept), for active patients who consent; the tokens,
    the reminders, and how many patients could have had one."""
    from checkins import services
    from checkins.models import Channel, DeliveryStatus, Reminder, Schedule
    from teams.models import Patient

    from .pages import Cast

    cast = Cast.find()
    candidates = Patient.objects.filter(
        status=Patient.Status.ACTIVE, consent_to_reminders=True, checkin_schedule__isnull=True
    ).exclude(pk__in=[cast.patient.pk, cast.scratch.pk])
    patients = list(candidates.order_by("-id")[:links])
    # Last night's slot: twelve hours away from now both ways, so the beat's dispatch (which looks back
    # REMINDER_LOOKBACK_HOURS) makes no reminder of these schedules during the run.
    sent = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=12)
    local = sent.astimezone(ZoneInfo(settings.TIME_ZONE)).time()
    schedules = Schedule.objects.bulk_create(
        Schedule(patient=p, local_time=local, time_zone=settings.TIME_ZONE, channel=Channel.EMAIL)
        for p in patients
    )
    tokens = [secrets.token_urlsafe(32) for _ in schedules]  # as services._send_prepare makes them
    reminders = Reminder.objects.bulk_create(
        Reminder(
            schedule=schedule,
            patient=schedule.patient,
            due_at=sent,
            status=Reminder.Status.SENT,
            channel=Channel.EMAIL,
            token_hash=services.token_hash(token),
            expires_at=sent + timedelta(hours=settings.CHECKIN_LINK_HOURS),
            claimed_at=sent,
            attempts=1,
            sent_at=sent,
            delivery_status=DeliveryStatus.SENT,
        )
        for schedule, token in zip(schedules, tokens, strict=True)
    )
    return tokens, [r.pk for r in reminders], candidates.count()


def prepare(*, users: int, links: int) -> Plan:
    """Passwords for the staff, lockouts lifted, and fresh links: what ``drive`` needs."""
    from axes.models import AccessAttempt

    links_forget()
    staff, available = _staff(users)
    # No sign-in refused for failures of an earlier run, by username or from this address.
    AccessAttempt.objects.filter(username__in=[s["username"] for s in staff]).delete()
    AccessAttempt.objects.filter(ip_address__in=["127.0.0.1", "::1"]).delete()
    tokens, reminder_ids, candidates = _links(links)
    return Plan(
        staff=staff,
        tokens=tokens,
        reminder_ids=reminder_ids,
        users_asked=users,
        staff_available=available,
        links_asked=links,
        links_available=candidates + len(tokens),
        database_url=database_url(),
    )


def answered(plan: Plan) -> int:
    """Check-ins stored through the plan's links (one at most each: a link's check-in is unique)."""
    from checkins.models import CheckIn

    return CheckIn.objects.filter(reminder_id__in=plan.reminder_ids).count()


# --- the processes ---


def server_env() -> dict[str, str]:
    """The Procfile's processes on this process's database and settings (the benchmark's, or a test's)."""
    url = database_url()
    return os.environ | {
        "DATABASE_URL": url,
        "DATABASE_OWNER_URL": url,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        **SERVER_ENV,
    }


def _signal(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)


def _stop(process: subprocess.Popen) -> None:
    _signal(process, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        _signal(process, signal.SIGKILL)
        process.wait()


@contextmanager
def procfile_processes(port: int, env: dict[str, str], log: Path) -> Iterator[dict[str, subprocess.Popen]]:
    """gunicorn on ``port``, the Celery worker and beat, from the Procfile's lines, while the block runs."""
    celery: dict[str, subprocess.Popen] = {}
    with log.open("ab") as output:
        try:
            for name, line in ((WORKER, "worker"), (BEAT, "beat")):
                celery[name] = subprocess.Popen(  # noqa: S603 - the Procfile's own command
                    procfile_command(line),
                    cwd=ROOT,
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: the stop takes the pool's children too
                )
            with gunicorn(port, env) as web:
                try:
                    yield {GUNICORN: web, **celery}
                finally:
                    for process in celery.values():  # shutting down while gunicorn does
                        _signal(process, signal.SIGTERM)
        finally:
            for process in celery.values():
                _stop(process)


# --- CPU ---


class CpuSampler(threading.Thread):
    """CPU seconds used by groups of processes (each with its descendants) and by the PostgreSQL backends
    of one database, read every ``interval`` seconds: a process that comes and goes between two readings
    is missed (its last second at most, for one that goes)."""

    def __init__(self, groups: Mapping[str, Sequence[int]], database_url: str | None, interval: float = 1.0):
        super().__init__(daemon=True)
        self.groups = dict(groups)
        self.database_url = database_url
        self.interval = interval
        self.halt = threading.Event()
        self.first: dict[tuple[str, int, float], float] = {}
        self.last: dict[tuple[str, int, float], float] = {}
        self.machine_first = psutil.cpu_times()
        self.machine_last = self.machine_first
        self._database: psycopg.Connection | None = None
        host = urlsplit(database_url or "").hostname
        if database_url and host in ("127.0.0.1", "localhost", "::1"):  # its backends are processes here
            self._database = psycopg.connect(database_url, autocommit=True)
            self.groups[POSTGRES] = []
        self._read(first=True)

    def _backends(self) -> list[int]:
        if self._database is None:
            return []
        rows = self._database.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return [pid for (pid,) in rows]

    def _read(self, *, first: bool = False) -> None:
        for group, roots in self.groups.items():
            for pid in roots if group != POSTGRES else self._backends():
                try:
                    root = psutil.Process(pid)
                    processes = [root] if group == POSTGRES else [root, *root.children(recursive=True)]
                except psutil.Error:
                    continue
                for process in processes:
                    try:
                        with process.oneshot():
                            key = (group, process.pid, process.create_time())
                            used = process.cpu_times()
                    except psutil.Error:
                        continue
                    self.last[key] = used.user + used.system
                    # Alive at the start: only what it uses from now counts; started since: all of it.
                    self.first.setdefault(key, self.last[key] if first else 0.0)
        self.machine_last = psutil.cpu_times()

    def run(self) -> None:
        while not self.halt.wait(self.interval):
            self._read()

    def stop(self) -> dict[str, float]:
        self.halt.set()
        self.join()
        self._read()
        if self._database is not None:
            self._database.close()
        used = dict.fromkeys(self.groups, 0.0)
        for key, seconds in self.last.items():
            used[key[0]] += seconds - self.first[key]
        return used

    @property
    def machine_busy(self) -> float:
        """The share of the whole machine's CPU that was busy between the first reading and the last."""
        total = sum(self.machine_last) - sum(self.machine_first)
        idle = sum(
            getattr(self.machine_last, name) - getattr(self.machine_first, name)
            for name in ("idle", "iowait")
            if hasattr(self.machine_first, name)
        )
        return 1 - idle / total if total else 0.0


# --- the load ---


def drive(
    base_url: str,
    plan: Plan,
    *,
    minutes: float,
    think: tuple[float, float] = THINK_SECONDS,
    processes: Mapping[str, Sequence[int]] | None = None,
) -> BusyHour:
    """The morning against ``base_url`` for ``minutes``: locust, headless, in a process of its own, while
    the CPU of ``processes`` (name: pids), of this database's backends and of locust is sampled."""
    seconds = minutes * 60
    spread = min(60.0, seconds / 10)  # everyone signs in within the first minute (a tenth of short runs)
    # A patient reads and answers five questions and their exercises in 20-40 s; shorter in short runs.
    patient_think = (min(20.0, seconds / 20), min(40.0, seconds / 10))
    # The links open evenly over the run, the last one early enough to be sent before it ends.
    link_window = max(0.0, seconds * 0.85 - patient_think[1])
    links = len(plan.tokens)
    # Enough patients at once that none waits for another: the links open at a steady pace.
    patient_users = min(links, math.ceil(links * (patient_think[1] + 3) / max(link_window, 1.0)) + 2)
    total_users = len(plan.staff) + patient_users
    with tempfile.TemporaryDirectory(prefix="busyhour-") as folder:
        planned = Path(folder) / "plan.json"
        output = Path(folder) / "times.json"
        planned.write_text(
            json.dumps(
                {
                    "staff": plan.staff,
                    "links": plan.tokens,
                    "password": PASSWORD,
                    "think": think,
                    "spread": spread,
                    "patient_think": patient_think,
                    "link_window": link_window,
                    "patient_users": patient_users,
                    "output": str(output),
                }
            )
        )
        with (Path(folder) / "locust.log").open("wb") as log:
            locust = subprocess.Popen(  # noqa: S603 - locust, headless, our own locustfile
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(USERS_FILE),
                    "--headless",
                    "--only-summary",
                    "--users",
                    str(total_users),
                    # All at once: each user waits for its own moment (busyhour_users.py), so the sign-ins
                    # are spread evenly whatever order locust starts them in.
                    "--spawn-rate",
                    str(total_users),
                    "--run-time",
                    f"{math.ceil(seconds)}s",
                    "--stop-timeout",
                    "10",
                    "--host",
                    base_url,
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=os.environ | {"BUSYHOUR_PLAN": str(planned)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            sampler = CpuSampler({**(processes or {}), LOAD: [locust.pid]}, plan.database_url)
            started = time.monotonic()
            sampler.start()
            try:
                locust.wait(timeout=seconds + 120)
            finally:
                wall = time.monotonic() - started
                cpu = sampler.stop()
                if locust.poll() is None:
                    locust.kill()
                    locust.wait()
        if not output.exists():
            raise RuntimeError(f"locust wrote no times: {(Path(folder) / 'locust.log').read_text()[-2000:]}")
        measured = json.loads(output.read_text())
    kinds = [
        Kind(name, times_ms=times, errors=measured["errors"].get(name, {}))
        for name, times in measured["times"].items()
    ]
    return BusyHour(
        minutes=minutes,
        base_url=base_url,
        plan=plan,
        think_s=think,
        patient_think_s=patient_think,
        spread_s=spread,
        kinds=sorted(kinds, key=lambda k: ORDER.index(k.name) if k.name in ORDER else len(ORDER)),
        wall_s=wall,
        cores=psutil.cpu_count() or 1,
        cpu_s=cpu,
        machine_busy=sampler.machine_busy,
    )


ORDER = [
    "sign-in page",
    SIGN_IN,
    "patient list (search and filter)",
    "patient overview",
    "screening entry (GET)",
    "screening entry (POST)",
    "care plan page",
    "care plan edit (GET)",
    "care plan edit (POST)",
    "review queue",
    "team dashboard",
    "conference agenda",
    "check-in page",
    "check-in submit",
]


def run(
    *,
    port_base: int | None = None,
    minutes: float = 10,
    users: int = 100,
    links: int = 1000,
    base_url: str | None = None,
    think: tuple[float, float] = THINK_SECONDS,
    processes: Mapping[str, Sequence[int]] | None = None,
) -> BusyHour:
    """The busy hour: against ``base_url`` when the servers are running there already (with
    ``SERVER_ENV``; their ``processes``, name: pids, are sampled for CPU), else against the Procfile's
    gunicorn (on ``port_base``, or a free port), worker and beat started here for the run. The links
    made for it are removed after."""
    plan = prepare(users=users, links=links)
    try:
        if base_url is not None:
            result = drive(base_url, plan, minutes=minutes, think=think, processes=processes)
        else:
            port = port_base or free_port()
            with tempfile.NamedTemporaryFile(prefix="busyhour-servers-", suffix=".log") as log:
                with procfile_processes(port, server_env(), Path(log.name)) as servers:
                    pids = {name: [server.pid] for name, server in servers.items()}
                    result = drive(
                        f"http://127.0.0.1:{port}", plan, minutes=minutes, think=think, processes=pids
                    )
                    result.died = [name for name, server in servers.items() if server.poll() is not None]
                if result.died:  # what they said before they went
                    print(Path(log.name).read_text(errors="replace")[-3000:], file=sys.stderr)
        result.answered = answered(plan)
    finally:
        links_forget()
    return result


# --- the report ---


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:,.0f}"


def markdown(result: BusyHour) -> str:
    """The "## The busy hour" section of BENCHMARKS.md."""
    plan = result.plan
    staff_note = (
        f"{result.users} staff users"
        if result.users == plan.users_asked
        else f"{result.users} staff users ({plan.users_asked} asked for; the data set has "
        f"{plan.staff_available} clinicians)"
    )
    links_note = (
        f"{result.links:,} check-in links"
        if result.links == plan.links_asked
        else f"{result.links:,} check-in links ({plan.links_asked:,} asked for; "
        f"{plan.links_available:,} active patients could have one)"
    )
    sign_in = result.kind(SIGN_IN)
    think = "{:g}-{:g}".format(*result.think_s)
    requests = sum(k.count for k in result.kinds)

    def per_request(name: str) -> str:
        return f"{1000 * result.cpu_s[name] / requests:.0f}" if name in result.cpu_s and requests else "—"

    patient_think = "{:g}-{:g}".format(*result.patient_think_s)
    lines = [
        "## The busy hour",
        "",
        f"A Monday morning for {result.minutes:g} minutes against the Procfile's processes at "
        f"{result.base_url} (gunicorn, the Celery worker and beat): {staff_note} sign in within the first "
        f"{result.spread_s:.0f} s, evenly spread, then work with a think time of {think} s between actions "
        "(patient lists, overviews, screening entry, care plan edits, the review queue, the team dashboard "
        f"for leads, their team's conference agenda); meanwhile patients answer {links_note}, opened evenly "
        f"over the run, {patient_think} s to fill each in. Locust, in a process of its own; times in ms, "
        "each request as the user waited for it.",
        "",
        "| request | count | errors | p50 | p95 | p99 | target p95 | met |",
        "|---|---:|---:|---:|---:|---:|---:|:-:|",
        *(
            f"| {k.name} | {k.count:,} | {k.failed:,} | {_ms(k.p50)} | {_ms(k.p95)} | {_ms(k.p99)} "
            f"| {k.target_ms:,.0f} | {'yes' if k.met else '**no**'} |"
            for k in result.kinds
        ),
        "",
        f"- **Sign-in during the rush:** p95 {_ms(sign_in.p95)} ms over {sign_in.count} sign-ins "
        f"(target ≤ {TARGETS_MS[SIGN_IN]:,.0f} ms), {sign_in.failed} refused.",
        f"- **Check-ins stored through the links:** {result.answered:,} of {result.links:,}.",
        f"- **Errors:** {result.errors:,} (target 0)"
        + (
            ": " + "; ".join(f"{k.name}: {e} ×{n}" for k in result.kinds for e, n in k.errors.items())
            if result.errors
            else "."
        ),
    ]
    if result.died:
        lines.append(f"- **Stopped during the run:** {', '.join(result.died)}.")
    missed = [k for k in result.kinds if not k.met]
    if missed:
        lines += [
            "",
            "Over target: "
            + ", ".join(f"{k.name} (p95 {_ms(k.p95)} ms against {k.target_ms:,.0f})" for k in missed)
            + ".",
            "",
            "- **What limits them.** A request waits for its own work (the in-process times above; the "
            "pages over 100 ms there are over here too) and for a free gunicorn thread and core while "
            "everyone else's requests, the worker, the beat and PostgreSQL share the machine's cores (the "
            "CPU table below). A sign-in's Argon2id check costs about 60 ms of one core, so the rush "
            "queues them behind each other and behind the pages.",
            "- **What would close it.** Each slow page's own fix (Targets missed, above), then more cores: "
            "a second web node behind the balancer (Two web nodes, three workers, below) halves the queue.",
        ]
    lines += [
        "",
        f"CPU over the run ({result.wall_s:.0f} s, {result.cores} cores; sampled every second with psutil):",
        "",
        "| process | CPU seconds | share of the machine |",
        "|---|---:|---:|",
        *(
            f"| {name} | {seconds:,.1f} | {result.cpu_share(name):.0%} |"
            for name, seconds in result.cpu_s.items()
        ),
        f"| the whole machine, busy (other work on it included) | — | {result.machine_busy:.0%} |",
        "",
        f"Per request answered ({requests:,}), CPU spent by gunicorn {per_request(GUNICORN)} ms and by "
        f"PostgreSQL {per_request(POSTGRES)} ms: unlike the waits, these hardly grow when other work "
        "shares the machine.",
        "",
        f"**{'Every busy-hour target met.' if result.met else 'Busy-hour targets missed.'}**",
    ]
    return "\n".join(lines) + "\n"
