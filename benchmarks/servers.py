"""Servers the tools run against: the Procfile's processes (no Django import here, so any tool may use it).

Every tool starts its web server, workers and beat from the Procfile's own lines, so a change there (the
worker model, the worker count) is what the benchmark, the busy hour and `make verify` measure.
"""

import http.client
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
APPLICATION = "rehabcare.wsgi:application"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def procfile_command(name: str, *, port: int = 0) -> list[str]:
    """The Procfile's command for the process ``name``, $PORT filled in, run by this Python (``-m``)."""
    for line in PROCFILE.read_text().splitlines():
        key, separator, command = line.partition(":")
        if separator and key.strip() == name:
            return [sys.executable, "-m", *shlex.split(command.replace("$PORT", str(port)))]
    raise LookupError(f"The Procfile has no process named {name!r}.")


def _option_set(command: list[str], option: str, value: str) -> list[str]:
    """``command`` with ``option``'s value replaced, or the option added when it has none."""
    if option in command:
        at = command.index(option) + 1
        return [*command[:at], value, *command[at + 1 :]]
    return [*command, option, value]


def web_command(
    port: int, *, app: str = APPLICATION, workers: int | None = None, extra: Sequence[str] = ()
) -> list[str]:
    """The Procfile's web command on ``port``, serving ``app`` (the bare floor app, say) instead of ours."""
    command = [app if part == APPLICATION else part for part in procfile_command("web", port=port)]
    if workers is not None:
        command = _option_set(command, "--workers", str(workers))
    return [*command, *extra]


def answering(port: int, path: str = "/healthz", *, attempts: int = 100) -> bool:
    for _ in range(attempts):
        try:
            server = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            server.request("GET", path)
            server.getresponse().read()
            return True
        except OSError:
            time.sleep(0.1)
    return False


@contextmanager
def gunicorn(
    port: int,
    env: dict[str, str],
    *,
    app: str = APPLICATION,
    workers: int | None = None,
    cwd: Path | None = None,
    health: str = "/healthz",
    extra: Sequence[str] = (),
) -> Iterator[subprocess.Popen]:
    """The Procfile's web server on ``port`` while the block runs, answering ``health`` first."""
    server = subprocess.Popen(  # noqa: S603 - the Procfile's own gunicorn command
        web_command(port, app=app, workers=workers, extra=extra),
        cwd=cwd or ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answering(port, health)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
