"""python -m reliability.faults --output FILE: the fault drills of `make verify`, under load.

The drills restart PostgreSQL and Redis, so they start servers of their own (``scripts/devservices.py``,
data in ``.data/faults/``, free ports) whatever ``DATABASE_URL`` says, load the demo data, and run the
whole system on them as the Procfile does: gunicorn, a Celery worker and beat. Locust's staff users
work throughout. Each drill is one check:

- PostgreSQL restarted: while it is down every request is answered 503 within a second; the
  application answers again within 10 s of the database being back, by itself; every screening the
  API confirmed is stored, nothing is stored half (each screening has its audit event), and the audit
  chain verifies.
- Redis restarted with its queue lost: reminders queued before and falling due after are all
  delivered, each once; staff pages keep working while Redis is away.
- The Celery worker killed with SIGKILL halfway through a batch of reminders: each sent exactly once.
- Two beats at once: no reminder created or sent twice.
- Throughout: locust's users see nothing but 503s while a server is down, never a 500.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

import requests

from benchmarks.servers import free_port, gunicorn
from reliability import Check
from reliability.forms import CSRF
from reliability.swarm import counted, swarm
from scripts.devservices import APP_ROLE, DATA, OWNER_ROLE, Postgres, Redis

ROOT = Path(__file__).resolve().parent.parent
FOLDER = DATA / "faults"
QUEUE = "rehabcare-faults"
PASSWORD = "rehabcare-demo"  # noqa: S105 - the published demo password (development data)
RECOVERY_SECONDS = 10.0
FAST_SECONDS = 1.0
WRITTEN, WRITTEN_TOTAL = "PHQ-9", 8  # what the drill's API writer enters, and its total


class System:
    """The drills' own PostgreSQL and Redis, and the Procfile's processes on them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.postgres = Postgres(folder / "postgres", free_port())
        self.redis = Redis(folder / "redis", free_port())
        self.web_port = free_port()
        self.worker: subprocess.Popen | None = None
        self.beats: list[subprocess.Popen] = []
        self.env = os.environ | {
            # The Procfile's processes as the application's role; migrate connects as the owner.
            "DATABASE_URL": self.postgres.url("rehabcare", APP_ROLE),
            "DATABASE_OWNER_URL": self.postgres.url("rehabcare", OWNER_ROLE),
            "REDIS_URL": self.redis.url(),
            "DJANGO_SETTINGS_MODULE": "rehabcare.settings.bench",
            "CELERY_QUEUE": QUEUE,
            "EMAIL_BACKEND": "reliability.backends.SlowOutboxEmailBackend",
            "REMINDER_DISPATCH_SECONDS": "1",
            "REMINDER_RECONCILE_SECONDS": "2",
            "REMINDER_RECLAIM_SECONDS": "10",
        }

    def manage(self, *args: str, settings: str = "rehabcare.settings.bench") -> None:
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env | {"DJANGO_SETTINGS_MODULE": settings},
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def _celery(self, *args: str) -> subprocess.Popen:
        log = (self.folder / "celery.log").open("ab")
        return subprocess.Popen(  # noqa: S603 - the Procfile's celery
            [sys.executable, "-m", "celery", "-A", "rehabcare", *args, "--loglevel", "WARNING"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill takes the pool's children too
        )

    def worker_start(self) -> None:
        self.worker = self._celery("worker", "--concurrency", "2", "--without-gossip", "--without-mingle")

    def worker_stop(self, sig: int = signal.SIGTERM) -> None:
        if self.worker is not None:
            _stop(self.worker, sig)
            self.worker = None

    def beat_start(self) -> None:
        pidfile = self.folder / f"beat-{len(self.beats)}.pid"
        self.beats.append(
            self._celery(
                "beat",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--pidfile",
                str(pidfile),
            )
        )

    def alive(self) -> bool:
        return all(p.poll() is None for p in [self.worker, *self.beats] if p is not None)

    def stop(self) -> None:
        for beat in self.beats:
            _stop(beat)
        self.beats = []
        self.worker_stop()


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@dataclass(frozen=True)
class Answer:
    started: float
    ended: float
    status: int  # 0: no answer at all (connection refused, timeout)

    @property
    def seconds(self) -> float:
        return self.ended - self.started


class Prober(threading.Thread):
    """One staff member's browser, asking for a page again and again, noting every answer."""

    def __init__(self, port: int, username: str, path: str) -> None:
        super().__init__(daemon=True)
        self.base = f"http://127.0.0.1:{port}"
        self.path = path
        self.session = requests.Session()
        login = self.session.get(f"{self.base}/login/", timeout=10)
        found = CSRF.search(login.text)
        self.session.post(
            f"{self.base}/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": found.group(1) if found else "",
            },
            headers={"Referer": f"{self.base}/login/"},
            timeout=10,
        )
        self.answers: list[Answer] = []
        self.halt = threading.Event()

    def ask(self) -> Answer:
        started = time.monotonic()
        try:
            status = self.session.get(self.base + self.path, timeout=15, allow_redirects=False).status_code
        except requests.RequestException:
            status = 0
        return Answer(started, time.monotonic(), status)

    def run(self) -> None:
        while not self.halt.is_set():
            self.answers.append(self.ask())
            time.sleep(0.1)

    def between(self, start: float, end: float) -> list[Answer]:
        return [a for a in self.answers if start <= a.started and a.ended <= end]


class Writer(threading.Thread):
    """The API entering screenings for one patient, again and again, noting what it was told."""

    def __init__(self, port: int, token: str, patient_id: int) -> None:
        super().__init__(daemon=True)
        self.url = f"http://127.0.0.1:{port}/api/v1/patients/{patient_id}/screenings/"
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.confirmed: list[int] = []
        self.statuses: list[int] = []
        self.halt = threading.Event()

    def run(self) -> None:
        # Item 9 at 0: no safety alert (and its email) for each of these hundreds of screenings.
        answers = {str(n): 1 for n in range(1, 9)} | {"9": 0}
        body = json.dumps({"instrument": WRITTEN, "timepoint": "adhoc", "answers": answers})
        while not self.halt.is_set():
            try:
                response = requests.post(self.url, data=body, headers=self.headers, timeout=15)
            except requests.RequestException:
                self.statuses.append(0)
                continue
            self.statuses.append(response.status_code)
            if response.status_code == 201:
                self.confirmed.append(int(response.json()["id"]))
            time.sleep(0.05)


@contextmanager
def probing(*threads: Prober | Writer) -> Iterator[None]:
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        for thread in threads:
            thread.halt.set()
        for thread in threads:
            thread.join(timeout=30)


def _patients_due(tag: str, count: int) -> list[str]:
    """``count`` new active patients with consent and a daily check-in due a minute ago: their addresses."""
    from django.conf import settings
    from django.utils import timezone

    from checkins.models import Schedule
    from teams.models import Membership, Patient

    membership = Membership.objects.select_related("team", "user").order_by("id").first()
    if membership is None:
        raise SystemExit("faults: the demo data has no teams")
    zone_now = timezone.localtime(timezone.now() - timedelta(minutes=1))
    today = zone_now.date()
    patients = Patient.objects.bulk_create(
        Patient(
            mrn=f"DRILL-{tag}-{n:04d}",
            given_name="Drill",
            family_name=f"{tag} {n}",
            date_of_birth=today.replace(year=today.year - 50),
            email=f"drill-{tag}-{n}@example.org",
            consent_to_reminders=True,
            reminder_consent_given_on=today,
            team=membership.team,
            primary_clinician=membership.user,
        )
        for n in range(count)
    )
    Schedule.objects.bulk_create(
        Schedule(
            patient=patient,
            local_time=zone_now.time().replace(second=0, microsecond=0),
            time_zone=settings.TIME_ZONE,
        )
        for patient in patients
    )
    return [patient.email for patient in patients]


def deliveries(addresses: list[str]) -> dict[str, int]:
    """Messages in the outbox per address."""
    from django.db.models import Count

    from checkins.models import OutboxMessage

    rows = OutboxMessage.objects.filter(to__in=addresses).values("to").annotate(n=Count("id"))
    return {row["to"]: row["n"] for row in rows}


def _exactly_once(name: str, addresses: list[str], *, timeout: float, extra: str = "") -> Check:
    """Wait for every address to get its reminder, linger a little (a late duplicate would show), count."""
    from checkins.models import Reminder

    delivered = wait_for(lambda: len(deliveries(addresses)) == len(addresses), timeout)
    time.sleep(5)
    counts = deliveries(addresses)
    once = sum(1 for n in counts.values() if n == 1)
    twice = sum(n - 1 for n in counts.values() if n > 1)
    reminders = Reminder.objects.filter(patient__email__in=addresses).count()
    missing = len(addresses) - len(counts)
    detail = (
        f"{len(addresses)} due: {once} delivered once, {missing} never, {twice} extra; "
        f"{reminders} reminders made{extra}"
    )
    failed = missing + twice + (reminders - len(addresses)) + (0 if delivered else 1)
    print(f"  {name}: {detail}", flush=True)
    return Check(name, len(addresses), min(len(addresses), failed), detail)


def drill_postgres(system: System, prober: Prober) -> Check:
    from django.db import connections
    from knox.models import AuthToken

    from screening.models import Screening
    from teams.models import AuditEvent, Patient

    patient = (
        Patient.objects.select_related("primary_clinician")
        .filter(primary_clinician__isnull=False)
        .order_by("id")
        .first()
    )
    if patient is None or patient.primary_clinician is None:
        raise SystemExit("faults: the demo data has no patients")
    token = AuthToken.objects.create(patient.primary_clinician)[1]
    first = (Screening.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    connections.close_all()
    writer = Writer(system.web_port, token, patient.pk)
    with probing(writer):
        time.sleep(2)
        system.postgres.stop("fast")
        down = time.monotonic()
        time.sleep(5)
        restarting = time.monotonic()
        system.postgres.start()
        up = time.monotonic()
        back = wait_for(lambda: any(a.status == 200 for a in prober.between(up, time.monotonic())), 30)
        recovered = min(
            (a.ended for a in prober.between(up, time.monotonic()) if a.status == 200), default=None
        )
        time.sleep(2)
    outage = prober.between(down, restarting)
    not_503 = [a for a in outage if a.status != 503]
    slowest = max((a.seconds for a in outage), default=0.0)
    # The writer's screenings: PHQ-9 (locust's users enter GAD-7), by this token's clinician, since it began.
    stored = dict(
        Screening.objects.filter(
            patient=patient, id__gte=first, instrument=WRITTEN, entered_by=patient.primary_clinician
        ).values_list("id", "total")
    )
    audited = set(
        AuditEvent.objects.filter(
            action="create", object_type="screening", patient=patient, object_id__in=[str(i) for i in stored]
        ).values_list("object_id", flat=True)
    )
    half = [i for i in stored if str(i) not in audited or stored[i] != WRITTEN_TOTAL]
    lost = [i for i in writer.confirmed if i not in stored]
    chain = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env=system.env,
        capture_output=True,
        check=False,
    )
    took = (recovered - up) if recovered is not None else float("inf")
    failures = [
        bool(not_503),
        slowest > FAST_SECONDS,
        not back or took > RECOVERY_SECONDS,
        bool(half),
        bool(lost),
        chain.returncode != 0,
        not system.alive(),
    ]
    detail = (
        f"down {restarting - down:.0f} s: {len(outage)} page requests, "
        f"{len(outage) - len(not_503)} answered 503, slowest {slowest * 1000:.0f} ms; "
        f"answering again {took:.1f} s after PostgreSQL was back; {len(writer.confirmed)} screenings "
        f"confirmed, {len(lost)} lost, {len(stored)} stored, {len(half)} half; "
        f"audit chain {'verified' if chain.returncode == 0 else 'BROKEN'}; "
        f"worker and beat {'running' if system.alive() else 'DIED'}"
    )
    print(f"  PostgreSQL restarted: {detail}", flush=True)
    return Check("fault: PostgreSQL restarted under load", len(failures), sum(failures), detail)


def drill_redis(system: System, prober: Prober) -> Check:
    from checkins.models import Reminder

    before = _patients_due("redis-before", 100)
    queued = wait_for(
        lambda: (
            Reminder.objects.filter(patient__email__in=before, claimed_at__isnull=False).count()
            == len(before)
        ),
        30,
    )
    waiting = len(before) - len(deliveries(before))  # handed to the queue, not yet sent
    system.redis.stop(signal.SIGKILL)
    shutil.rmtree(system.redis.data, ignore_errors=True)  # the worst case: the queue is gone
    down = time.monotonic()
    time.sleep(5)
    restarting = time.monotonic()
    system.redis.start()
    after = _patients_due("redis-after", 100)
    pages = prober.between(down, restarting)
    pages_ok = sum(1 for a in pages if a.status == 200)
    drill = _exactly_once(
        "fault: Redis restarted, its queue lost",
        before + after,
        timeout=90,
        extra=f"; {waiting} of the first 100 were waiting in the queue when Redis went; "
        f"staff pages while it was away: {pages_ok}/{len(pages)} answered; "
        f"worker and beat {'running' if system.alive() else 'DIED'}",
    )
    fine = queued and waiting > 0 and pages_ok == len(pages) and system.alive()
    return Check(drill.name, drill.run, min(drill.run, drill.failed + (0 if fine else 1)), drill.detail)


def drill_worker_killed(system: System) -> Check:
    import redis

    from checkins.models import Reminder
    from checkins.tasks import reminder_send

    addresses = _patients_due("kill", 200)
    started = wait_for(lambda: len(deliveries(addresses)) >= 20, 60)
    system.worker_stop(signal.SIGKILL)
    at_kill = len(deliveries(addresses))
    system.worker_start()
    name = "fault: Celery worker killed (SIGKILL) mid-dispatch"
    first = _exactly_once(f"{name}, before the replay", addresses, timeout=120)
    # Redis hands the lost worker's unacknowledged messages out again after its visibility timeout (an
    # hour): every one of them, replayed now, must send nothing more.
    for reminder_id in Reminder.objects.filter(patient__email__in=addresses).values_list("id", flat=True):
        reminder_send.delay(reminder_id)
    queue = redis.Redis.from_url(system.redis.url())
    drained = wait_for(lambda: queue.llen(QUEUE) == 0, 60)
    drill = _exactly_once(
        name,
        addresses,
        timeout=10,
        extra=f"; {at_kill} had been sent when the worker was killed; every message then delivered again, "
        f"as Redis does after its visibility timeout",
    )
    halfway = started and at_kill < len(addresses) and drained
    failed = max(first.failed, drill.failed) + (0 if halfway else 1)
    return Check(drill.name, drill.run, min(drill.run, failed), drill.detail)


def drill_two_beats(system: System) -> Check:
    system.beat_start()
    time.sleep(3)
    addresses = _patients_due("beats", 100)
    return _exactly_once("fault: two beats at once", addresses, timeout=60, extra="; two beats every second")


@contextmanager
def load(port: int, folder: Path) -> Iterator[dict[str, str]]:
    """Twenty of locust's staff users for as long as the block runs; the totals (and the errors, as
    JSON) are filled in when it ends."""
    prefix = str(folder / "load")
    process = swarm(port, prefix, users=20, run_time="30m")
    totals: dict[str, str] = {}
    try:
        yield totals
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    counts, errors = counted(prefix)
    totals |= counts | {"errors": json.dumps(errors)}


def drills() -> list[Check]:
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    system = System(FOLDER)
    system.postgres.start()
    system.postgres.ensure_roles()
    system.postgres.ensure_database("rehabcare")
    system.redis.start()
    try:
        system.manage("migrate", "--noinput")
        system.manage("collectstatic", "--noinput")
        system.manage("seed_demo", settings="rehabcare.settings.dev")
        os.environ.update(system.env)
        import django

        django.setup()
        system.worker_start()
        system.beat_start()
        results: list[Check] = []
        with gunicorn(system.web_port, system.env, cwd=ROOT), tempfile.TemporaryDirectory() as folder:
            with load(system.web_port, Path(folder)) as totals:
                prober = Prober(system.web_port, "physio", "/patients/")
                with probing(prober):
                    results.append(drill_postgres(system, prober))
                    results.append(drill_redis(system, prober))
                    results.append(drill_worker_killed(system))
                    results.append(drill_two_beats(system))
            errors: dict[str, int] = json.loads(totals["errors"])
            unavailable = sum(n for error, n in errors.items() if "503" in error)
            other = {error: n for error, n in errors.items() if "503" not in error}
            requests_made = int(totals["Request Count"])
            detail = (
                f"20 users throughout: {requests_made:,} requests, {unavailable:,} answered 503 while a "
                f"server was down, {sum(other.values())} other errors {str(other)[:300] if other else ''}"
            )
            print(f"  load during the drills: {detail}", flush=True)
            results.append(
                Check("fault: load during the drills, only 503s", requests_made, sum(other.values()), detail)
            )
        return results
    finally:
        system.stop()
        system.redis.stop()
        system.postgres.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability.faults")
    parser.add_argument("--output", required=True, help="the drills as JSON")
    args = parser.parse_args(argv)
    results = drills()
    Path(args.output).write_text(json.dumps([asdict(d) for d in results]))
    return 0 if all(not d.failed for d in results) else 1


if __name__ == "__main__":
    sys.exit(main())
