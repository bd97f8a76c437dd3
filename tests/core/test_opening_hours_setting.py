"""CLINIC_OPENING_HOURS and ALERT_ACK_MINUTES are read at start-up: a value that does not read stops it."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.process  # loads the settings in a python subprocess, as a server starting would


def _load(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import rehabcare.settings.base as s; "
            "print(s.CLINIC_OPENING_HOURS, s.ALERT_ACK_MINUTES, sep='|')",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


def test_the_defaults_are_weekdays_eight_to_six_and_an_hour():
    result = _load(CLINIC_OPENING_HOURS="", ALERT_ACK_MINUTES="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Mon-Fri 08:00-18:00|60"


def test_opening_hours_that_do_not_read_stop_start_up_saying_why():
    result = _load(CLINIC_OPENING_HOURS="Mon-Fri 18:00-08:00")
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: CLINIC_OPENING_HOURS: '18:00-08:00' in 'Mon-Fri 18:00-08:00' ends before"
        in (result.stderr)
    )


def test_minutes_to_acknowledge_must_be_a_positive_whole_number():
    result = _load(ALERT_ACK_MINUTES="0")
    assert result.returncode != 0
    assert "ALERT_ACK_MINUTES must be at least 1" in result.stderr
