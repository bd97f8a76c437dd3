"""`make bench` as a smoke test: the data set generates, every page answers, the table is produced, and
each page runs the same number of queries at two sizes of clinic. No timing assertions here."""

import pytest
from django.core.management import call_command

from adherence import rollups
from adherence.models import WeekRollup
from benchmarks.generate import Size, generate
from benchmarks.pages import Cast, measure
from benchmarks.report import markdown
from routing.models import RoutingRule
from teams.models import Patient
from training.models import Competency
from training.seed import competencies_ensure

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]


def _run(scale: float):
    # The same reference rows at both sizes, whatever a test before left: the competencies, and no routing
    # rule in use. Whether a rule fires on the measured screening depends on each generated patient's
    # history, which differs by size, and that would change the POST's queries for that reason alone; the
    # routing path's own query counts are pinned in tests/routing.
    competencies_ensure(Competency)
    RoutingRule.objects.update(is_active=False)
    generate(scale, report=lambda line: None)
    rollups.refresh()
    return {m.name: m for m in measure(Cast.find(), rounds=1, warmup=1)}


def test_the_benchmark_runs_at_two_scales_with_the_same_query_counts():
    small = _run(0.002)
    assert Patient.objects.filter(mrn__startswith="B").count() == Size.at(0.002).patients
    call_command("flush", interactive=False, verbosity=0)
    large = _run(0.01)
    assert Patient.objects.filter(mrn__startswith="B").count() == Size.at(0.01).patients == 1000
    assert WeekRollup.objects.filter(sessions_counted__gt=0).exists()

    for name, measurement in large.items():
        assert measurement.statuses <= {200, 201, 302}, (name, measurement.statuses)
        assert measurement.max_queries == small[name].max_queries, name
    report = markdown(list(large.values()), scale=0.01, generation=None, rounds=1)
    assert report.startswith("# Benchmarks")
    assert all(f"| {name} |" in report for name in large)


def test_the_bare_sql_floors_run_and_land_in_the_table():
    from benchmarks.bare import floors, live_floors
    from benchmarks.report import table

    results = _run(0.002)
    measured = {m.name: m for m in results.values()}
    for name, milliseconds in floors(Cast.find(), rounds=1).items():
        assert milliseconds > 0
        measured[name].bare_ms = milliseconds
    rendered = table(list(measured.values()))
    assert rendered.count("×") == 3
    assert set(live_floors(Cast.find(), rounds=1)) < set(measured)


def test_a_missed_target_is_written_with_its_figure_limit_and_fix():
    from benchmarks.pages import Measurement

    slow = Measurement("conference agenda (one team)", 250, times_ms=[400.0], queries=[22], bare_ms=100.0)
    fast = Measurement("login page", 250, times_ms=[2.0], queries=[0])
    report = markdown([slow, fast], scale=0.01, generation=None, rounds=1)
    missed = report.split("## Targets missed")[1]
    assert (
        "### conference agenda (one team): p95 400 ms against 250 ms (bare SQL 100 ms), 22 queries" in missed
    )
    assert "**What limits it.**" in missed and "**What would fix it.**" in missed
    assert "login page" not in missed
    assert "## Targets missed" not in markdown([fast], scale=0.01, generation=None, rounds=1)


def test_a_throughput_under_its_target_is_written_with_what_limits_it_and_what_would_close_it():
    from benchmarks.throughput import Throughput

    slow = Throughput("reminder dispatch (10,000 due at once)", 356, "reminders/s", 500, "in 28.1 s")
    fast = Throughput("screening POST through gunicorn (2 workers, 8 clients)", 160, "POST/s", 150, "in 15 s")
    report = markdown([], scale=0.01, generation=None, rounds=1, throughput=[slow, fast])
    section = report.split("## Throughput")[1]
    assert "### reminder dispatch (10,000 due at once): 356 reminders/s against 500" in section
    assert "**What limits it.** Each claimed reminder" in section and "**What would fix it.**" in section
    assert "Not analysed yet" not in section
    assert "### screening POST" not in section
