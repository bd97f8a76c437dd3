"""`make verify`'s report: one row per promise and the load, and a failure is never reported as a pass.
(The promise tests themselves run in this suite; the load runs in `make verify` only.)"""

from pathlib import Path

from reliability.__main__ import PROMISES, Check, markdown


def test_the_report_lists_every_check_and_says_when_one_failed():
    checks = [Check("access", 10, 0), Check("load", 100, 2, "50 users for 60 s: 2 errors")]
    report = markdown(checks)
    assert "| access | 10 | 10 | 0 |  |" in report
    assert "| load | 100 | 98 | 2 | 50 users for 60 s: 2 errors |" in report
    assert "**Something failed.**" in report
    assert "**All passed.**" in markdown([Check("access", 10, 0)])
    assert "**Something failed.**" in markdown([Check("nothing ran", 0, 0)])


def test_every_promise_names_test_files_that_exist():
    root = Path(__file__).resolve().parent.parent
    for name, paths in PROMISES.items():
        assert paths, name
        assert all((root / path).exists() for path in paths), name
