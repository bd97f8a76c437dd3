"""Load from wrk (Debian's `wrk`): many connections against one URL for a while, summed up as a ``Load``.

A Lua script sets the request (method, body, headers: a session cookie, a token, a CSRF token), counts the
answers by status in each thread, and prints one JSON line when the run is done: requests, duration,
wrk's errors (connect, read, write, status for answers of 400 and above, timeout), requests per second,
p50 / p95 / p99 latency in ms and the count of each status.
"""

import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

THREADS = 2  # the machine's cores
MARK = "wrk-summary "

SCRIPT = """
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    statuses = {}
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local counts = {}
    for _, thread in ipairs(threads) do
        for status, count in pairs(thread:get("statuses")) do
            counts[status] = (counts[status] or 0) + count
        end
    end
    local statuses = {}
    for status, count in pairs(counts) do
        table.insert(statuses, string.format('"%d": %d', status, count))
    end
    local errors = summary.errors
    io.write(string.format(
        '%s{"requests": %d, "duration_s": %.6f, "errors": {"connect": %d, "read": %d, "write": %d, '
        .. '"status": %d, "timeout": %d}, "rps": %.3f, "p50": %.3f, "p95": %.3f, "p99": %.3f, '
        .. '"statuses": {%s}}\\n',
        MARK, summary.requests, summary.duration / 1e6, errors.connect, errors.read, errors.write,
        errors.status, errors.timeout, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
        table.concat(statuses, ", ")))
end
"""


@dataclass(frozen=True)
class Load:
    """One wrk run: ``errors`` as wrk counts them (by kind), latencies in ms, ``statuses`` answered."""

    name: str
    connections: int
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    errors: dict[str, int]
    statuses: dict[int, int] = field(default_factory=dict)

    def failed(self, expected: int) -> int:
        """Answers other than ``expected``, and requests that got no answer (wrk's socket errors)."""
        unanswered = sum(n for kind, n in self.errors.items() if kind != "status")
        return self.requests - self.statuses.get(expected, 0) + unanswered


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError(
            "wrk is not installed: `apt-get install wrk` (`make bench` installs it when it is missing)."
        )
    return found


def _lua_string(text: str) -> str:
    """``text`` as a Lua string literal: printable ASCII as is, every other byte as a decimal escape."""
    return (
        '"'
        + "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\{b:03d}" for b in text.encode())
        + '"'
    )


def script(method: str = "GET", body: str | None = None, headers: Mapping[str, str] | None = None) -> str:
    lines = [f"MARK = {_lua_string(MARK)}", f"wrk.method = {_lua_string(method)}"]
    if body is not None:
        lines.append(f"wrk.body = {_lua_string(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}")
    return "\n".join(lines) + SCRIPT


def parse(name: str, connections: int, output: str) -> Load:
    line = next((line for line in output.splitlines() if line.startswith(MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary for {name}:\n{output}")
    summary = json.loads(line.removeprefix(MARK))
    return Load(
        name=name,
        connections=connections,
        rps=summary["rps"],
        p50=summary["p50"],
        p95=summary["p95"],
        p99=summary["p99"],
        requests=summary["requests"],
        errors=summary["errors"],
        statuses={int(status): count for status, count in summary["statuses"].items()},
    )


def run(
    name: str,
    url: str,
    *,
    connections: int,
    seconds: int,
    method: str = "GET",
    body: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: int = 10,
) -> Load:
    """``connections`` connections asking ``url`` for ``seconds`` (a request slower than ``timeout``
    seconds counts as a timeout error)."""
    with tempfile.TemporaryDirectory() as folder:
        lua = Path(folder) / "request.lua"
        lua.write_text(script(method, body, headers))
        command = [
            wrk_path(),
            f"-t{min(THREADS, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            f"{timeout}s",
            "--latency",
            "-s",
            str(lua),
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 - wrk, our arguments
    return parse(name, connections, done.stdout)
