"""No silent instrument: an instrument of a battery in use that can never flag a patient is named."""

import pytest

from screening.batteries import batteries_ensure
from screening.models import Battery, InstrumentSetting
from screening.selectors import silent_instruments

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard_batteries():
    batteries_ensure(Battery)


def codes() -> list[str]:
    return [instrument.code for instrument in silent_instruments()]


def test_tsk11_is_silent_until_the_clinic_sets_a_cutoff(standard_batteries):
    assert codes() == ["TSK-11"]


def test_tsk11_is_not_silent_once_the_clinic_sets_a_cutoff(standard_batteries):
    InstrumentSetting.objects.create(
        instrument="TSK-11", high_cutoff=26, source="Clinic audit 2026, our patients"
    )
    assert codes() == []


def test_a_clinic_setting_without_a_cutoff_leaves_it_silent(standard_batteries):
    InstrumentSetting.objects.create(instrument="TSK-11", mcid=4, source="Clinic audit 2026, our patients")
    assert codes() == ["TSK-11"]


def test_an_instrument_in_no_battery_is_not_listed():
    Battery.objects.all().delete()
    Battery.objects.create(name="Mood", instruments=["PHQ-9", "GAD-7"])
    assert codes() == []
    Battery.objects.create(name="Movement", instruments=["TSK-11"])
    assert codes() == ["TSK-11"]


def test_runs_two_queries(standard_batteries, django_assert_num_queries):
    with django_assert_num_queries(2):
        silent_instruments()
