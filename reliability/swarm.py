"""Locust, headless, against a running server: started with our locustfile, and what it counted."""

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def swarm(
    port: int, prefix: str, *, users: int, run_time: str, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """Locust's staff users (``reliability/locustfile.py``) against 127.0.0.1:``port``; its CSV files
    start with ``prefix``. It stops after ``run_time`` (``60s``, ``30m``), or on SIGTERM."""
    return subprocess.Popen(  # noqa: S603 - locust, headless, our own locustfile
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "reliability" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            run_time,
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            prefix,
            "--only-summary",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def counted(prefix: str) -> tuple[dict[str, str], dict[str, int]]:
    """The totals row of a finished swarm, and how often each error occurred."""
    with open(f"{prefix}_stats.csv", newline="") as stats:
        totals = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    with open(f"{prefix}_failures.csv", newline="") as failures:
        errors = {row["Error"]: int(row["Occurrences"]) for row in csv.DictReader(failures)}
    return totals, errors
