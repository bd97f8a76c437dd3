"""`make verify`'s report: one row per promise and the load, and a failure is never reported as a pass.
(The promise tests themselves run in this suite; the load runs in `make verify` only.)"""

from pathlib import Path

from reliability import Check
from reliability.__main__ import PROMISES, markdown


def test_the_report_lists_every_check_and_says_when_one_failed():
    checks = [Check("access", 10, 0), Check("load", 100, 2, "50 users for 60 s: 2 errors")]
    report = markdown(checks)
    assert "| access | 10 | 10 | 0 |  |" in report
    assert "| load | 100 | 98 | 2 | 50 users for 60 s: 2 errors |" in report
    assert "**Something failed.**" in report
    assert "**All passed.**" in markdown([Check("access", 10, 0)])
    assert "**Something failed.**" in markdown([Check("nothing ran", 0, 0)])


def test_every_promise_names_test_files_that_exist():
    """A promise names test files, or single tests in them (``file::test``): each must exist."""
    root = Path(__file__).resolve().parent.parent
    for name, paths in PROMISES.items():
        assert paths, name
        for path in paths:
            file, _, test = path.partition("::")
            assert (root / file).exists(), (name, path)
            assert not test or f"def {test}(" in (root / file).read_text(), (name, path)


def test_the_load_sends_forms_back_as_a_browser_would_and_they_save(login, clinician, patient):
    from careplans.models import CarePlan
    from reliability.forms import PLAN, Forms
    from screening.models import Screening

    from .careplans.factories import make_plan

    client = login(clinician)
    entry = f"/patients/{patient.pk}/screenings/new/?instrument=GAD-7"
    form = Forms(client.get(entry).content.decode()).having("timepoint")
    assert form is not None and "csrfmiddlewaretoken" in form
    assert client.post(entry, form).status_code == 302
    assert Screening.objects.get(patient=patient).total == 0  # the first answer of every item

    plan = make_plan(patient, clinician)
    found = PLAN.search(client.get(f"/patients/{patient.pk}/plan/", follow=True).content.decode())
    assert found is not None
    edit = found.group(1) + "edit/"
    form = Forms(client.get(edit).content.decode()).having("version")
    assert form is not None
    assert client.post(edit, form | {"summary_social": "Pacing discussed"}).status_code == 302
    assert CarePlan.objects.get(pk=plan.pk).summary_social == "Pacing discussed"
