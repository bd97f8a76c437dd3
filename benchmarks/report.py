"""The benchmark's table, printed and written to BENCHMARKS.md with the machine, scale and date."""

import os
import platform
from datetime import UTC, datetime

from .generate import Size
from .pages import Measurement
from .throughput import Throughput

GENERATION_TARGET_S = 15 * 60

# For a page that misses a target: what limits it, and what would fix it (printed only when missed).
MISSES = {
    "conference agenda (one team)": (
        "The agenda of a planned conference is worked out live, from every reason, for all 2,250 active "
        "patients of the team, before it can be ordered most pressing first and paged. The heaviest part "
        "is the distress reason: each of the team's results since the last conference (about 11,000 in "
        "the generated data: a fortnight of a 2,500-patient team) is read beside the previous result of "
        "its instrument (one subquery per row) and judged in Python against its thresholds. The rest is "
        "adherence over the team's last two weeks (exercise logs from a covering index, sessions, the "
        "prescription) and the milestones.",
        "Judge each result once, when it is recorded: store on the screening whether it reliably "
        "deteriorated on, or moved into the high band from, the previous result (recomputed for the next "
        "result when one is amended), with a partial index on the flagged rows. The agenda then reads "
        "the few flagged results instead of comparing thousands. Adherence per patient could come from a "
        "per-patient weekly roll-up maintained like the dashboard's.",
    ),
    "clinic dashboard (all teams, 12 weeks)": (
        "Its bare SQL over the roll-ups takes a few milliseconds; the page adds the filters' team list, "
        "the user's session and rendering 300 clinicians' rows of breakdowns.",
        "Paginate or collapse the per-clinician breakdown (the longest table), which is most of the "
        "rendering.",
    ),
}

HEADER = (
    "| what | p50 ms | p95 ms | target p95 ms | SQL queries | bare SQL ms | page / bare | met |\n"
    "|---|---:|---:|---:|---:|---:|---:|:-:|"
)


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )


def met(m: Measurement) -> bool:
    ok = m.p95 <= m.target_ms and m.max_queries <= 25
    if m.bare_ms is not None:
        # An aggregate page may cost at most twice its bare SQL, or 50 ms over it.
        ok = ok and (m.p50 <= 2 * m.bare_ms or m.p50 - m.bare_ms <= 50)
    return ok


def misses(results: list[Measurement]) -> list[str]:
    """For each missed target: the figure, what limits it and what would fix it."""
    lines = []
    for m in results:
        if met(m):
            continue
        limit, fix = MISSES.get(m.name, ("Not analysed yet.", "Not analysed yet."))
        over = f" (bare SQL {m.bare_ms:.0f} ms)" if m.bare_ms is not None else ""
        lines += [
            f"### {m.name}: p95 {m.p95:.0f} ms against {m.target_ms:.0f} ms{over}, {m.max_queries} queries",
            "",
            f"- **What limits it.** {limit}",
            f"- **What would fix it.** {fix}",
            "",
        ]
    return lines


def table(results: list[Measurement]) -> str:
    rows = [HEADER]
    for m in results:
        bare = ratio = "—"
        if m.bare_ms is not None:
            bare, ratio = f"{m.bare_ms:.1f}", f"{m.p50 / m.bare_ms:.1f}×"
        rows.append(
            f"| {m.name} | {m.p50:.1f} | {m.p95:.1f} | {m.target_ms:.0f} | {m.max_queries} "
            f"| {bare} | {ratio} | {'yes' if met(m) else '**no**'} |"
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
    missed = misses(results)
    if missed:
        lines += ["", "## Targets missed", "", *missed[:-1]]
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
        met_generation = "met" if total <= GENERATION_TARGET_S else "**missed**"
        lines += [
            "",
            f"Data generation: {total:.0f} s, target ≤ {GENERATION_TARGET_S} s, {met_generation} ({steps}).",
        ]
    return "\n".join(lines) + "\n"
