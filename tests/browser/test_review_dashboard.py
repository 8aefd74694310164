"""In a real browser: the QA dashboard shows its figures at once and its repeat-contacts figure, loaded apart
through htmx, fills in after the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.permissions.sample_org import build_sample_org
from tests.review.helpers import make_conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-browser-1"


def test_dashboard_fills_in_repeat_contacts(page: Page, live_server, fast_passwords):
    build_sample_org(password=PASSWORD)
    for n in range(3):  # one customer three times, another once: 2 of 4 contacts are repeats
        make_conversation("S007", day=3, customer={"id": "c-repeat"}, cid=f"bd{n}")
    make_conversation("S007", day=4, customer={"id": "c-once"}, cid="bd9")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")
    page.goto(live_server.url + "/qa/review/dashboard/?date_from=2026-11-01&date_to=2026-11-30")
    expect(page.locator("#chart-trend")).to_be_visible()
    repeat = page.locator("#dash-repeat")
    expect(repeat).to_contain_text("50.0%")
    expect(repeat).to_contain_text("1")
