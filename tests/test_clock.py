"""The suite's moved clock (``pytest --clock``, tests/conftest.py): which instant a given time names,
and that a session run with it reads that instant."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from .conftest import CLOCK, clock_instant

LONDON = ZoneInfo("Europe/London")


def test_a_local_time_is_read_in_the_clinics_zone_summer_or_winter():
    assert clock_instant("2028-12-31T23:30", LONDON) == datetime(2028, 12, 31, 23, 30, tzinfo=UTC)
    assert clock_instant("2027-07-05T00:30", LONDON) == datetime(2027, 7, 4, 23, 30, tzinfo=UTC)


def test_an_offset_is_taken_as_given():
    assert clock_instant("2027-03-28T01:30+00:00", LONDON) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert clock_instant("2027-10-31T01:30+01:00", LONDON) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "why"),
    [("2027-03-28T01:30", "never happens"), ("2027-10-31T01:30", "happens twice"), ("Monday", "Invalid")],
)
def test_a_time_the_clocks_skip_or_repeat_or_no_time_at_all_is_refused(text, why):
    with pytest.raises(pytest.UsageError, match=why):
        clock_instant(text, LONDON)


@pytest.mark.under_a_moved_clock
def test_under_a_moved_clock_the_code_reads_that_instant_ticking_on(request):
    instant = request.config.stash[CLOCK][0]
    # Moved there when the session began, and running since (a moved run takes a minute or two).
    assert instant <= timezone.now() < instant + timedelta(hours=1)
