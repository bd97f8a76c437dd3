"""python -m benchmarks [--scale 1.0] [--rounds 20]: see README, "Benchmarks"."""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgresql://postgres@127.0.0.1:54329/rehabcare"


def sibling_database_url(name: str, *, owner: bool = False) -> str:
    """A database of a tool's own (benchmark, verification), beside the configured one: reached as the
    application's role, or with ``owner`` as the database's owner (DATABASE_OWNER_URL, who creates it)."""
    configured = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if owner:
        configured = os.environ.get("DATABASE_OWNER_URL") or configured
    return urlunsplit(urlsplit(configured)._replace(path="/" + name))


def bench_database_url(scale: float) -> str:
    """The benchmark's own database, one per scale, reached as the owner: generating its data switches
    triggers off, which only the owner may."""
    return sibling_database_url("rehabcare_bench_" + f"{scale:g}".replace(".", "_"), owner=True)


def database_ensure(url: str, *, fresh: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", "1.0")))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--output", default="BENCHMARKS.md")
    parser.add_argument(
        "--regenerate", action="store_true", help="drop the benchmark database and generate it again"
    )
    parser.add_argument("--no-throughput", action="store_true", help="time the pages only")
    parser.add_argument(
        "--load-seconds", type=int, default=10, help="each wrk run against the floor and our requests"
    )
    parser.add_argument("--no-load", action="store_true", help="skip the wrk runs against the floor")
    parser.add_argument("--no-setups", action="store_true", help="skip the comparison of server set-ups")
    parser.add_argument("--no-scaleout", action="store_true", help="skip two web nodes and three workers")
    parser.add_argument("--scaleout-sent", type=int, default=3000, help="reminders three workers send")
    parser.add_argument(
        "--scaleout-claims", type=int, default=100_000, help="reminders three workers dispatch (not sent)"
    )
    parser.add_argument(
        "--busy-minutes", type=float, default=10, help="the busy hour's length in minutes (0 skips it)"
    )
    parser.add_argument("--busy-users", type=int, default=100, help="the busy hour's staff users")
    parser.add_argument("--busy-links", type=int, default=1000, help="the busy hour's check-in links")
    args = parser.parse_args(argv)

    url = bench_database_url(args.scale)
    database_ensure(url, fresh=args.regenerate)
    os.environ["DATABASE_URL"] = os.environ["DATABASE_OWNER_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "rehabcare.settings.bench"
    import django

    django.setup()
    from django.core.management import call_command

    from .bare import floors, live_floors
    from .floors import load_table, section
    from .generate import generate, generated_scale
    from .pages import Cast, measure
    from .report import markdown, table, throughput_table
    from .throughput import reminder_dispatch, screening_posts

    print(f"Benchmark database: {urlsplit(url).path.lstrip('/')}")
    call_command("migrate", verbosity=0)
    # DEBUG is off, as in production: pages name their static files through collectstatic's manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    generation = None
    if generated_scale() is None:
        print(f"Generating scale {args.scale:g} (reused by later runs):")
        generation = generate(args.scale)
    else:
        print("Reusing the data generated earlier.")
    refreshes = rollup_refreshes()
    cast = Cast.find()
    results = measure(cast, rounds=args.rounds)
    for name, milliseconds in floors(cast).items():
        next(m for m in results if m.name == name).bare_ms = milliseconds
    live = live_floors(cast)
    print(table(results))
    from .changes import measure as changes_measure
    from .changes import section as changes_section

    changes = changes_measure(cast)
    print(changes_section(changes))
    throughput = [] if args.no_throughput else [screening_posts(cast), reminder_dispatch()]
    if throughput:
        print(throughput_table(throughput))
    floor = None if args.no_load else load_table(cast, seconds=args.load_seconds)
    if floor:
        print(section(floor))
    setups = None
    if not args.no_setups:
        from .setups import compare
        from .setups import section as setups_section

        setups = compare(cast)
        print(setups_section(setups))
    busy = None
    if args.busy_minutes > 0:
        from .busyhour import markdown as busy_markdown
        from .busyhour import run as busy_hour

        busy = busy_hour(minutes=args.busy_minutes, users=args.busy_users, links=args.busy_links)
        print(busy_markdown(busy))
    scaleout = None
    if not args.no_scaleout:
        from .scaleout import run as scale_out

        scaleout = scale_out(reminders=args.scaleout_sent, claims=args.scaleout_claims)
    document = markdown(
        results,
        scale=args.scale,
        generation=generation,
        rounds=args.rounds,
        throughput=throughput,
        refreshes=refreshes,
        live=live,
        changes=changes,
        floor=floor,
        setups=setups,
        busy=busy,
        scaleout=scaleout,
    )
    Path(args.output).write_text(document)
    print(f"Written to {args.output}")
    return 0


def rollup_refreshes() -> dict[str, float]:
    """Seconds to rebuild every weekly roll-up, then for the refresh the beat runs every minute."""
    from adherence import rollups

    took = {}
    for name, before in (
        ("rebuild of every team's roll-ups, all weeks", rollups.mark_everything),
        ("the minute's refresh (this week and last, and any weeks marked)", lambda: None),
    ):
        before()
        started = time.perf_counter()
        rollups.refresh()
        took[name] = time.perf_counter() - started
        print(f"Roll-ups, {name}: {took[name]:.1f} s")
    return took


if __name__ == "__main__":
    sys.exit(main())
