"""The comparison of server set-ups: each set-up really runs as named (its worker processes counted),
answers every request as a user expects, and lands in the table. A second each; no timing asserted."""

import pytest

from benchmarks.generate import generate
from benchmarks.pages import Cast
from benchmarks.setups import Setup, compare, section
from training.models import Competency
from training.seed import competencies_ensure

pytestmark = [pytest.mark.bench, pytest.mark.process, pytest.mark.django_db(transaction=True)]


def test_each_set_up_runs_with_its_own_workers_and_answers_every_request():
    competencies_ensure(Competency)
    generate(0.002, report=lambda line: None)
    setups = [
        Setup("sync, 3 workers", ("--worker-class", "sync", "--workers", "3", "--threads", "1")),
        Setup("the Procfile's, with the pool", (), (("DATABASE_POOL", "true"),)),
    ]

    results = compare(
        Cast.find(),
        seconds=1,
        setups=setups,
        compared=("/healthz", "API patient list"),
        connections=2,
        warmup=0,
    )

    assert [r.workers for r in results] == [3, 2]
    for result in results:
        assert set(result.loads) == {"/healthz", "API patient list"}
        for name, load in result.loads.items():
            assert load.requests > 0 and load.failed(result.calls[name].expected) == 0, (result.setup, name)
    table = section(results)
    assert "| sync, 3 workers | 3 |" in table and "| the Procfile's, with the pool | 2 |" in table
