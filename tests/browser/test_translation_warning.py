"""A clinician scheduling check-ins for a Polish-speaking patient is told which questionnaires cannot go
by link in Polish (no validated translation loaded), on the patient's page and on the schedule; a result
the patient answered in Polish says so. Each page passes axe."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from screening.batteries import batteries_ensure
from screening.models import Battery
from screening.services import translation_load
from screening.translations import shipped_translation, translation_read
from teams.models import Language

from ..factories import PASSWORD
from ..screening.factories import phq9, record
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/tasks/shots")


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i21-translations-{name}.png"), full_page=True)


def test_the_interpreter_warning_on_the_patients_page_and_the_schedule(page, sign_in, patient):
    batteries_ensure(Battery)
    polish_phq9 = translation_load(data=translation_read(shipped_translation("pl", "PHQ-9")), user=None)
    patient.language = Language.POLISH
    patient.save(update_fields=["language"])
    result = record(
        patient,
        None,
        answers=phq9(1, 1),
        source="patient",
        language="pl",
        wording_version=polish_phq9.wording_version,
    )
    sign_in("physio", PASSWORD)

    page.goto(patient.get_absolute_url())
    checkins = page.locator("#check-ins")
    expect(checkins.get_by_text("Questionnaires not sent by link in Polish")).to_be_visible()
    expect(
        checkins.get_by_text("No validated Polish PCS loaded: administer with an interpreter.")
    ).to_be_visible()
    expect(checkins.get_by_text("No validated Polish PHQ-9 loaded")).to_have_count(0)
    _shot(page, "overview")

    page.get_by_role("link", name="Set up check-ins").click()
    expect(page.get_by_role("heading", name="Check-in schedule")).to_be_visible()
    expect(
        page.get_by_text("No validated Polish GAD-7 loaded: administer with an interpreter.")
    ).to_be_visible()
    assert_no_serious_violations(page, context="clinician: check-in schedule, Polish-speaking patient")
    _shot(page, "schedule")

    page.goto(result.get_absolute_url())
    expect(
        page.get_by_text(
            f"Answered by the patient in Polish, wording {polish_phq9.wording_version}, Kokoszka 2016."
        )
    ).to_be_visible()
    assert_no_serious_violations(page, context="clinician: a result answered in Polish")
    _shot(page, "result")
