"""Playwright driving Debian's Chromium (/usr/bin/chromium) against pytest-django's live server.

Never ``playwright install``: the browser is the system's. Without /usr/bin/chromium the browser tests
skip with the reason, except under CI (env var CI set), where they fail: CI must run them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would then refuse database access
# from it ("You cannot call this from an async context"). The tests are synchronous code, so allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
MISSING = f"{CHROMIUM} is missing: apt-get install chromium (the browser tests drive Debian's Chromium)"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives Chromium a fresh temporary user-data directory, removed when it closes.
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies, so the default language) for each test."""
    context = browser.new_context(locale="en-US")  # the app must ignore the browser's language
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def fast_passwords(settings):
    """PBKDF2 is deliberately slow; the demo's ~40 logins need no strength in a test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
