"""The benchmark's table, printed and written to BENCHMARKS.md with the machine, scale and date."""

import os
import platform
from datetime import UTC, datetime

from .generate import Size
from .pages import Measurement
from .throughput import Throughput

HEADER = (
    "| what | p50 ms | p95 ms | target p95 ms | SQL queries | bare SQL ms | page / bare | met |\n"
    "|---|---:|---:|---:|---:|---:|---:|:-:|"
)


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )


def table(results: list[Measurement]) -> str:
    rows = [HEADER]
    for m in results:
        met = m.p95 <= m.target_ms and m.max_queries <= 25
        bare = ratio = "—"
        if m.bare_ms is not None:
            bare, ratio = f"{m.bare_ms:.1f}", f"{m.p50 / m.bare_ms:.1f}×"
            # An aggregate page may cost at most twice its bare SQL, or 50 ms over it.
            met = met and (m.p50 <= 2 * m.bare_ms or m.p50 - m.bare_ms <= 50)
        rows.append(
            f"| {m.name} | {m.p50:.1f} | {m.p95:.1f} | {m.target_ms:.0f} | {m.max_queries} "
            f"| {bare} | {ratio} | {'yes' if met else '**no**'} |"
        )
    return "\n".join(rows)


def throughput_table(results: list[Throughput]) -> str:
    rows = ["| what | measured | target | met | detail |", "|---|---:|---:|:-:|---|"]
    for t in results:
        met = "yes" if t.met else "**no**"
        rows.append(f"| {t.name} | {t.value:,} {t.unit} | ≥ {t.target:,.0f} {t.unit} | {met} | {t.detail} |")
    return "\n".join(rows)


def markdown(
    results: list[Measurement],
    *,
    scale: float,
    generation: dict[str, float] | None,
    rounds: int,
    throughput: list[Throughput] | None = None,
    refreshes: dict[str, float] | None = None,
    live: dict[str, float] | None = None,
) -> str:
    size = Size.at(scale)
    lines = [
        "# Benchmarks",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, with `make bench SCALE={scale:g}`.",
        f"Data: {size.teams} teams, {size.clinicians} clinicians, {size.patients:,} patients "
        "(10 screenings over two years, 30 check-ins, 100 exercise-log entries and 15 sessions each).",
        f"Server time through the whole Django stack, in process, caches warm; {rounds} rounds after "
        "2 warm-up rounds.",
        "",
        table(results),
    ]
    if throughput:
        lines += ["", "## Throughput", "", throughput_table(throughput)]
    if refreshes:
        lines += [
            "",
            "## Weekly roll-ups",
            "",
            "The dashboards sum weekly roll-ups (`adherence/rollups.py`); writes mark their weeks stale and "
            "the beat refreshes them every minute.",
            "",
            "| refresh | seconds |",
            "|---|---:|",
            *(f"| {name} | {seconds:.1f} |" for name, seconds in refreshes.items()),
        ]
    if live:
        lines += [
            "",
            "Without them, the same figures aggregated from the raw rows in one hand-written query take "
            + "; ".join(f"{name}: {ms:,.0f} ms" for name, ms in live.items())
            + ".",
        ]
    if generation:
        total = sum(generation.values())
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in generation.items())
        lines += ["", f"Data generation: {total:.0f} s ({steps})."]
    return "\n".join(lines) + "\n"
