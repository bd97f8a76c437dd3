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
