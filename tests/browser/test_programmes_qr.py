"""In a real browser: the room page shows the day's code with its QR code (inline SVG); the address the QR
code holds opens the sign-in page with the code filled in, and one click signs the participant in."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicecoach.org import calendar
from servicecoach.org import services as org_services
from servicecoach.org.models import CalendarOverride, Role, UnitKind
from servicecoach.programmes import qr, services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-browser-qr"


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(base + "/")


def test_the_qr_address_signs_the_participant_in(page: Page, fast_passwords, live_server):
    today = timezone.localdate()
    CalendarOverride.objects.update_or_create(date=today, defaults={"is_working_day": True})
    company = org_services.unit_create(actor=None, name="华信优选", code="Q-HQ", kind=UnitKind.COMPANY)
    people = {}
    for key, role in (("manager", Role.TRAINING_MANAGER), ("trainer", Role.TRAINER), ("agent", Role.AGENT)):
        person = org_services.person_create(actor=None, employee_no=f"Q-{key}", name=f"扫码{key}", unit=company)
        org_services.role_grant(actor=None, person=person, role=role)
        org_services.person_set_login(actor=None, person=person, username=f"q_{key}", password=PASSWORD)
        people[key] = person
    programme = services.programme_create(actor=None, title="扫码签到演练", kind="new_hire", start_date=today,
                                          end_date=calendar.add_working_days(today, 5), owner=people["manager"])
    start = min(timezone.localtime().time().replace(second=0, microsecond=0), time(23, 0))
    session = services.session_schedule(
        actor=people["manager"].user, programme=programme, title="扫码签到班", trainer=people["trainer"],
        start_date=today, end_date=today, day_start=start, day_end=time(23, 59), venue="3 楼", capacity=5,
        participants=[(people["agent"], "new_hire")], override_reason="浏览器测试：当天开班")
    base = live_server.url

    _log_in(page, base, "q_trainer")
    page.goto(f"{base}/programmes/sessions/{session.pk}/code/")
    code = page.locator(".sign-in-code").inner_text().strip()
    expect(page.locator("svg.sign-in-qr")).to_be_visible()
    url = page.locator(".sign-in-url").inner_text().strip()
    assert url == base + qr.sign_in_path(session.pk, code)
    page.locator("form[action$='/accounts/logout/'] button[type=submit]").click()

    _log_in(page, base, "q_agent")
    page.goto(url)  # what the phone opens after scanning
    expect(page.locator("#id_code")).to_have_value(code)
    page.locator("form button[type=submit].btn-primary").click()
    expect(page).to_have_url(re.compile(rf"/programmes/sessions/{session.pk}/$"))
    expect(page.locator(".alert-success")).to_contain_text("已签到")
