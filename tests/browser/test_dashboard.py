"""The admin's dashboard in real Chromium: filter, drill down, export in the background, download."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from adherence import rollups
from adherence.models import Session

from ..factories import PASSWORD
from .axe import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"


def test_admin_filters_drills_down_and_downloads_a_background_export(
    page,
    sign_in,
    settings,
    celery_worker_process,
    clinic_admin,
    clinician,
    outsider,
    patient,
    south_patient,
    north,
):
    settings.EXPORT_IN_BACKGROUND_ABOVE = 0
    for who, by, status in ((patient, clinician, "attended"), (south_patient, outsider, "missed")):
        Session.objects.create(
            patient=who,
            clinician=by,
            discipline=by.discipline,
            status=status,
            starts_at=timezone.now() - timedelta(days=2),
        )
    rollups.refresh()  # as the beat does every minute
    sign_in("admin", PASSWORD)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Adherence and outcomes")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.get_by_label("Team", exact=True).select_option(label="North MSK")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name="Attendance 100%: the patients behind it").click()
    expect(page.get_by_role("link", name="Okafor, Amelia")).to_be_visible()
    expect(page.get_by_text("Evans, George")).to_have_count(0)

    page.get_by_role("link", name="Download CSV").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("link", name="Download CSV").click(timeout=60_000)
    content = Path(download_info.value.path()).read_text()
    assert patient.mrn in content and south_patient.mrn not in content


def test_the_sections_from_the_raw_rows_arrive_after_the_page_and_the_long_ones_when_opened(
    page, sign_in, clinic_admin, clinician, outsider, patient, south_patient
):
    """Issue 23: the page shows the roll-ups' figures at once; reviews and the competent share arrive as
    soon as it is shown; the table per clinician and the sessions by kind are worked out when opened."""
    for who, by, status in ((patient, clinician, "attended"), (south_patient, outsider, "missed")):
        Session.objects.create(
            patient=who,
            clinician=by,
            discipline=by.discipline,
            status=status,
            starts_at=timezone.now() - timedelta(days=2),
        )
    rollups.refresh()
    sign_in("admin", PASSWORD)
    page.goto("/dashboard/")
    reviews = page.get_by_role("region", name="From a screening flag to the care plan")
    expect(reviews.get_by_text("No review was resolved or due in these weeks.")).to_be_visible()
    share = page.get_by_role("region", name="Psychological work delivered by competent owners")
    expect(share.get_by_text("No psychological responsibility was active or done")).to_be_visible()

    clinicians = page.get_by_role("region", name="By primary clinician")
    expect(clinicians.get_by_role("row")).to_have_count(0)
    page.get_by_text("Show each primary clinician's figures").click()
    expect(clinicians.get_by_role("row", name="Priya Shah")).to_contain_text("100%")
    expect(clinicians.get_by_role("row", name=str(outsider))).to_contain_text("0%")
    clinicians.get_by_role("row", name="Priya Shah").get_by_role("link", name="100%").click()
    expect(page.get_by_role("link", name="Okafor, Amelia")).to_be_visible()

    page.go_back()
    page.get_by_text("Work out the figures by how sessions are held").click()
    modality = page.locator("table#by-modality")
    expect(modality.get_by_role("row", name="In person")).to_contain_text("50%")
    assert_no_serious_violations(page, context="admin: dashboard with its sections opened")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-opened.png"), full_page=True)
