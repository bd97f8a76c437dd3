"""The instrument pages in real Chromium (issue 19): the list warns that TSK-11 can never flag, a clinic
admin follows the link, sets a cut-off with its source, and the warning is gone; the PCS page lists its
cut-offs and change thresholds with their sources; axe on each page as shown."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from screening.batteries import batteries_ensure
from screening.models import Battery, InstrumentSetting

from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/tasks/shots")


def _shot(page, what: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"i19-thresholds-{what}.png"), full_page=True)


def test_a_clinician_reads_the_sources_of_the_pcs_thresholds(page, sign_in, clinician):
    batteries_ensure(Battery)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("physio", PASSWORD)
    page.goto("/instruments/PCS/")
    table = page.get_by_role("table", name="Every cut-off and change threshold of PCS")
    expect(table.get_by_role("row", name="MCID 11 points for a baseline of 30 or more")).to_contain_text(
        "Monticone M"
    )
    expect(table.get_by_role("row", name="Reliable change 12.8 points")).to_contain_text("Fernandes L")
    expect(table.get_by_role("row", name="Clinical range")).to_contain_text("Sullivan MJL")
    _shot(page, "pcs")
    assert_no_serious_violations(page, context="clinician: PCS instrument page with sources")


def test_a_clinic_admin_ends_a_silent_instrument_from_the_instruments_page(page, sign_in, clinic_admin):
    batteries_ensure(Battery)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("admin", PASSWORD)
    page.goto("/instruments/")
    warning = page.get_by_role("note").filter(
        has_text="Can never flag a patient until the clinic sets a cut-off"
    )
    expect(warning).to_contain_text("TSK-11")
    _shot(page, "list-silent")
    assert_no_serious_violations(page, context="clinic admin: instruments list with a silent instrument")

    warning.get_by_role("link", name="TSK-11").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tampa Scale for Kinesiophobia (11 items)")
    expect(
        page.get_by_text("TSK-11 can never flag a patient until the clinic sets a cut-off.")
    ).to_be_visible()
    _shot(page, "tsk11-silent")
    assert_no_serious_violations(page, context="clinic admin: TSK-11 page, silent")

    page.get_by_role("link", name="Set a cut-off for TSK-11").click()
    expect(page.get_by_text("Can never flag a patient until a cut-off is set here: TSK-11")).to_be_visible()
    page.get_by_label("High cutoff").fill("26")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Say where these values come from")).to_be_visible()
    page.get_by_label("Source").fill("Clinic audit 2026: 412 MSK patients, 75th percentile")
    page.get_by_role("button", name="Save", exact=True).click()
    assert InstrumentSetting.objects.get(instrument="TSK-11").high_cutoff == 26

    page.goto("/instruments/TSK-11/")
    expect(page.get_by_text("can never flag a patient", exact=False)).to_have_count(0)
    expect(page.get_by_role("row", name="Flag (clinic) high when total ≥ 26")).to_contain_text(
        "Clinic audit 2026: 412 MSK patients"
    )
    _shot(page, "tsk11-clinic-cutoff")
    assert_no_serious_violations(page, context="clinic admin: TSK-11 page with the clinic's cut-off")


def _pcs_answers(total: int) -> dict[str, int]:
    answers, left = {}, total
    for number in range(1, 14):
        answers[str(number)] = min(4, left)
        left -= answers[str(number)]
    return answers


def test_a_result_and_the_overview_say_which_mcid_judged_a_pcs_change(page, sign_in, clinician, patient):
    from datetime import timedelta

    from django.utils import timezone

    from tests.screening.factories import record

    batteries_ensure(Battery)
    page.set_viewport_size({"width": 1280, "height": 900})
    now = timezone.now()
    record(patient, clinician, code="PCS", answers=_pcs_answers(40), administered_at=now - timedelta(days=42))
    later = record(patient, clinician, code="PCS", answers=_pcs_answers(27), timepoint="milestone")
    sign_in("physio", PASSWORD)
    page.goto(later.get_absolute_url())
    expect(page.get_by_text("reliable recovery").first).to_be_visible()
    expect(
        page.get_by_text("MCID 11 for a baseline of 30 or more (Monticone 2022); reliable change 12.8").first
    ).to_be_visible()
    _shot(page, "pcs-result")
    assert_no_serious_violations(page, context="clinician: PCS result with the MCID applied")

    page.goto(patient.get_absolute_url())
    expect(page.get_by_text("MCID 11 for a baseline of 30 or more (Monticone 2022)").first).to_be_visible()
    _shot(page, "pcs-overview")
    assert_no_serious_violations(page, context="clinician: overview with the MCID applied")
