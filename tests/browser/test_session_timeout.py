"""The idle warning in real Chromium: it appears before the deadline, "Stay signed in" keeps the session,
and a page left alone signs itself out."""

import re

import pytest
from playwright.sync_api import expect

from ..factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_idle_warning_keeps_or_ends_the_session(page, sign_in, settings, clinician):
    # The page's deadline is SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS = 10 s; the warning shows 8 s ahead.
    settings.SESSION_COOKIE_AGE = 70
    settings.SESSION_RENEW_SECONDS = 60
    settings.SESSION_WARNING_SECONDS = 8
    sign_in(clinician.username, PASSWORD)
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=6_000)
    expect(warning).to_contain_text("You will be signed out for inactivity in")
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/patients/$"))
    # Left alone, the page signs out by itself when its deadline comes.
    expect(page).to_have_url(re.compile(r"/login/"), timeout=15_000)
    page.goto("/patients/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/patients/"))
