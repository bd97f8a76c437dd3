"""Server set-ups compared: gunicorn's worker model and count, and persistent connections or a pool.

The same requests through each set-up, one after the other, with wrk at 32 connections: what chose the
Procfile's line (BENCHMARKS.md, "Server set-ups"). Each set-up is the Procfile's web command with its
worker options replaced (the last of a repeated option wins), or the same with the environment changed.
"""

import os
from collections.abc import Sequence
from dataclasses import dataclass

import psutil

from .floors import Call, Plan, calls, database_url, headers_for, measure_call
from .pages import Cast
from .servers import free_port, gunicorn
from .wrk import Load

CONNECTIONS = 32
# The requests compared: the cheapest, a list, a page and a write.
COMPARED = ("/healthz", "API patient list", "patient overview (2 years of history)", "API screening POST")


@dataclass(frozen=True)
class Setup:
    name: str
    options: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()


def _workers(kind: str, workers: int, threads: int = 1) -> tuple[str, ...]:
    return ("--worker-class", kind, "--workers", str(workers), "--threads", str(threads))


SETUPS = [
    Setup("sync, 2 workers (the Procfile before)", _workers("sync", 2)),
    Setup("sync, 5 workers (2 × cores + 1)", _workers("sync", 5)),
    Setup("gthread, 2 workers × 4 threads (the Procfile)", ()),
    Setup("gthread, 2 workers × 8 threads", _workers("gthread", 2, 8)),
    Setup("gthread, 4 workers × 4 threads", _workers("gthread", 4, 4)),
    Setup("gthread, 2 × 4, psycopg pool", (), (("DATABASE_POOL", "true"), ("DATABASE_POOL_SIZE", "4"))),
]


@dataclass
class Compared:
    setup: Setup
    loads: dict[str, Load]
    # gunicorn's worker processes as found running (its master's children): the set-up took effect.
    workers: int
    calls: dict[str, Call]


def compare(
    cast: Cast,
    *,
    seconds: int = 5,
    setups: Sequence[Setup] = tuple(SETUPS),
    compared: Sequence[str] = COMPARED,
    connections: int = CONNECTIONS,
    warmup: int = 1,
) -> list[Compared]:
    env = os.environ | {"DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "rehabcare.settings.bench"}
    chosen = {call.name: call for call in calls(cast) if call.name in compared}
    plan = Plan(seconds=seconds, connections=(connections,), warmup=warmup)
    print(f"Server set-ups: wrk, {seconds} s a run at {connections} connections")
    results = []
    for setup in setups:
        print(f" {setup.name}")
        port = free_port()
        with gunicorn(port, env | dict(setup.env), extra=setup.options) as server:
            workers = len(psutil.Process(server.pid).children())
            loads = {
                name: measure_call(port, call, headers_for(cast, call), plan)[connections]
                for name, call in chosen.items()
            }
        results.append(Compared(setup, loads, workers, chosen))
    return results


def section(results: list[Compared]) -> str:
    names = list(results[0].loads) if results else []
    lines = [
        "## Server set-ups",
        "",
        f"Requests per second (p95 ms) at {CONNECTIONS} connections, each set-up the Procfile's web command "
        "with its worker options replaced; the same data, one set-up after the other.",
        "",
        "| set-up | worker processes | " + " | ".join(names) + " | errors |",
        "|---|---:|" + "---:|" * len(names) + "---:|",
    ]
    for result in results:
        cells = [f"{load.rps:,.0f} ({load.p95:.0f})" for load in result.loads.values()]
        errors = sum(load.failed(result.calls[name].expected) for name, load in result.loads.items())
        lines.append(f"| {result.setup.name} | {result.workers} | " + " | ".join(cells) + f" | {errors} |")
    return "\n".join(lines)
