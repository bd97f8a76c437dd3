"""What each change bought: every comparison runs on generated data, the new way gives the old way's
answer where it is a read, and the section lists each. No timing is asserted."""

import pytest

from benchmarks.changes import measure, section
from benchmarks.generate import generate
from benchmarks.pages import Cast
from core.pagination import CappedPaginator
from teams.selectors import patient_list
from training.models import Competency
from training.seed import competencies_ensure

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]


def test_each_change_is_timed_beside_the_way_it_replaced():
    competencies_ensure(Competency)
    generate(0.002, report=lambda line: None)
    cast = Cast.find()

    changes = measure(cast, rounds=1)

    assert len(changes) == 6
    assert all(change.before_ms > 0 and change.after_ms > 0 for change in changes)
    rendered = section(changes)
    assert all(f"| {change.what} | {change.before} |" in rendered for change in changes)
    # The search reads the same patients in the same order either way, and the capped count is exact
    # below its cap.
    searched = patient_list(user=cast.admin, q="Ok")
    assert list(searched) == list(searched.order_by("family_name", "given_name", "id"))
    everyone = patient_list(user=cast.admin)
    assert CappedPaginator(everyone, 25).count == everyone.count()
