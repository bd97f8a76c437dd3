"""The busy hour as a smoke test: on a tiny generated clinic, against the Procfile's gunicorn, worker and
beat, a few staff sign in and work and a few patients answer their links. Every kind of request is
answered without an error, each link once, and the report carries them all. No timing assertions."""

import pytest

from adherence import rollups
from benchmarks import busyhour
from benchmarks.generate import generate
from checkins.models import CheckIn, Reminder, Schedule
from routing.models import RoutingRule
from training.models import Competency
from training.seed import competencies_ensure

pytestmark = [pytest.mark.bench, pytest.mark.process, pytest.mark.django_db(transaction=True)]


def test_a_short_busy_hour_answers_every_kind_of_request_and_every_link_once():
    competencies_ensure(Competency)
    RoutingRule.objects.update(is_active=False)
    generate(0.002, report=lambda line: None)
    rollups.refresh()

    result = busyhour.run(minutes=0.2, users=3, links=5, think=(0.1, 0.3))

    assert (result.users, result.links) == (3, 5)
    answered = {kind.name: kind for kind in result.kinds}
    assert set(answered) == set(busyhour.ORDER)
    assert all(kind.count for kind in answered.values())
    assert result.errors == 0, [(kind.name, kind.errors) for kind in result.kinds if kind.errors]
    assert answered[busyhour.SIGN_IN].count == 3
    assert answered["check-in page"].count == answered["check-in submit"].count == 5
    assert result.answered == 5  # one check-in stored through each link
    assert result.died == []
    assert result.cpu_s[busyhour.GUNICORN] > 0 and result.cpu_s[busyhour.LOAD] > 0
    assert set(result.cpu_s) == {
        busyhour.GUNICORN,
        busyhour.WORKER,
        busyhour.BEAT,
        busyhour.POSTGRES,
        busyhour.LOAD,
    }
    # The links and what came through them are gone again: the data set stays as generated.
    assert not (CheckIn.objects.filter(reminder__isnull=False).exists() or Reminder.objects.exists())
    assert not Schedule.objects.exists()

    report = busyhour.markdown(result)
    assert report.startswith("## The busy hour")
    assert all(f"| {name} |" in report for name in busyhour.ORDER)
    assert "Check-ins stored through the links:** 5 of 5" in report
