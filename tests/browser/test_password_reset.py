"""In a real browser: a person who forgot their password asks for a link, opens it from the mail (the
locmem outbox), sets a new password and logs in with it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from servicecoach.org import services
from servicecoach.org.models import Role, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Chun-feng-2026"


@pytest.fixture
def person(fast_passwords):
    unit = services.unit_create(actor=None, name="售后组", code="AFT", kind=UnitKind.TEAM)
    person = services.person_create(actor=None, employee_no="B001", name="王丽娟", unit=unit,
                                    email="wang.lijuan@example.cn")
    services.role_grant(actor=None, person=person, role=Role.AGENT)
    services.person_set_login(actor=None, person=person, username="wanglijuan", password="Old-pass-2025")
    return person


def test_reset_by_mail_then_log_in_with_the_new_password(page: Page, live_server, person):
    base = live_server.url
    page.goto(base + "/accounts/login/")
    page.get_by_role("link", name="忘记密码？").click()
    page.fill("input[name=email]", "wang.lijuan@example.cn")
    page.get_by_role("button", name="发送链接").click()
    expect(page.locator("h1")).to_have_text("请查收邮件")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wang.lijuan@example.cn"]
    link = re.search(r"https?://\S+/accounts/password/reset/\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("设置新密码")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.get_by_role("button", name="设置密码").click()
    expect(page.locator("h1")).to_have_text("密码已设置")

    page.get_by_role("link", name="登录").click()
    page.fill("input[name=username]", "wanglijuan")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(base + "/")
