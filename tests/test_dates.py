"""Text written in Python says dates the product's one way, in the clinic's time zone."""

from datetime import UTC, date, datetime

from core.dates import day, day_month, moment


def test_dates_in_words_have_no_leading_zero(settings):
    assert day(date(2026, 11, 2)) == "2 Nov 2026"
    assert day_month(date(2026, 11, 2)) == "2 Nov"


def test_a_moment_is_written_in_the_clinics_time(settings):
    settings.TIME_ZONE = "Europe/London"
    summer = datetime(2026, 7, 3, 23, 30, tzinfo=UTC)  # already 4 July in London (BST)
    assert day(summer) == "4 Jul 2026"
    assert moment(summer) == "4 Jul 2026, 00:30"
    assert moment(summer, weekday=True) == "Sat 4 Jul 2026, 00:30"
