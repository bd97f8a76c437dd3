"""Playwright driving the machine's real headless Chromium against pytest-django's live server.

Without Chromium the browser tests skip with one line saying how to install it;
under CI (CI=true) a missing browser is a failure.
"""

import os
import shutil

import pytest
from django.core.cache import cache

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser():
    executable = _chromium_path()
    if executable is None:
        message = "Chromium not found: install it with `apt-get install chromium` (or set CHROMIUM_PATH)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread while the browser lives;
    # the ORM calls the tests make between browser steps are still plain synchronous
    # calls, so Django's async guard is lifted for this module only.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Every browser here comes from 127.0.0.1: the patient pages' per-address rate limit (kept in the
    cache) would otherwise count one test's requests against the next, and a late test would be told
    to wait."""
    cache.clear()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    def sign_in_as(username: str, password: str):
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return page

    return sign_in_as
