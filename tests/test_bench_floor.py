"""The floor in the benchmark: wrk loads the bare Django floor and a few of our requests through the
Procfile's gunicorn, every answer is the one a user expects, and the report shows each request's share
of its floor from the same run. A second each at two connections; no timing is asserted."""

import pytest
from django.db import connection

from benchmarks.floor.views import TABLE
from benchmarks.floors import INSERT, PLAIN, QUERY, load_table, section
from benchmarks.generate import generate
from benchmarks.pages import Cast
from benchmarks.report import markdown
from screening.models import Screening
from training.models import Competency
from training.seed import competencies_ensure

pytestmark = [pytest.mark.bench, pytest.mark.process, pytest.mark.django_db(transaction=True)]

# One request against each floor; the pages need collectstatic's manifest, which the suite does not build.
REQUESTS = ("/healthz", "API patient list", "API screening POST")


def test_the_floor_and_our_requests_answer_under_wrk_and_each_share_is_of_the_same_run():
    competencies_ensure(Competency)
    generate(0.002, report=lambda line: None)
    screenings_before = Screening.objects.count()

    table = load_table(Cast.find(), seconds=1, connections=(2,), only=REQUESTS, warmup=0)

    assert set(table.floors) == {PLAIN, QUERY, INSERT}
    assert [row.call.name for row in table.rows] == list(REQUESTS)
    loads = [(table.floor_calls[kind], floor[2]) for kind, floor in table.floors.items()]
    loads += [(row.call, row.loads[2]) for row in table.rows]
    for call, load in loads:
        assert load.requests > 0 and load.rps > 0, call.name
        assert load.statuses == {call.expected: load.requests}, call.name
        assert load.failed(call.expected) == 0 and not any(load.errors.values()), call.name

    # Each POST stored a fresh row: at least one per 201 counted (a last one may land as wrk stops).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608 - our constant
        (floor_rows,) = cursor.fetchone()
    assert floor_rows >= table.floors[INSERT][2].statuses[201]
    posts = next(row for row in table.rows if row.call.name == "API screening POST")
    assert Screening.objects.count() - screenings_before >= posts.loads[2].statuses[201]

    for row in table.rows:
        assert row.floor is table.floors[row.call.floor]
        assert row.share(2) == row.loads[2].rps / table.floors[row.call.floor][2].rps
    assert {row.call.name: row.call.floor for row in table.rows} == {
        "/healthz": PLAIN,
        "API patient list": QUERY,
        "API screening POST": INSERT,
    }

    report = markdown([], scale=0.002, generation=None, rounds=1, floor=table)
    assert section(table) in report
    floors = report.split("## Against the floor")[1]
    for kind, floor in table.floors.items():
        assert f"| {kind} | " in floors and f"| {floor[2].rps:,.0f} |" in floors
    for row in table.rows:
        line = next(line for line in floors.splitlines() if line.startswith(f"| {row.call.name} |"))
        assert f"| {row.loads[2].rps:,.0f} |" in line
        assert f"| {row.share(2):.0%} |" in line
        assert line.endswith(("| yes |", "| **no** |"))


def test_a_request_below_its_share_is_written_with_its_figure_limit_and_fix():
    from benchmarks.floors import Call, FloorTable, Row
    from benchmarks.wrk import Load

    def load(rps: float) -> Load:
        return Load("x", 8, rps, 1.0, 2.0, 3.0, int(rps), {}, {200: int(rps)})

    floor = {8: load(1000)}
    table = FloorTable(seconds=1, connections=(8,), floors={QUERY: floor})
    table.floor_calls[QUERY] = Call(QUERY, QUERY, "/query/")
    table.rows = [
        Row(Call("API patient list", QUERY, "/api/v1/patients/"), {8: load(100)}, floor),
        Row(Call("patient overview (2 years of history)", QUERY, "/patients/1/"), {8: load(400)}, floor),
    ]
    rendered = section(table)
    assert "### API patient list: 10% at 8 of its floor, against ≥ 35%" in rendered
    assert "**What limits it.**" in rendered and "**What would close it.**" in rendered
    assert "### patient overview" not in rendered  # 40 % met its 35 %
