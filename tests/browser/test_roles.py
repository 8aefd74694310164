"""In a real browser: the supervisor and the agent of the demo organisation log in, see their home page in
Chinese, switch to English, see what their role may see (and not what it may not), and log out."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from servicecoach.org.models import Person, User
from servicecoach.org.selectors import people_visible_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo1234"


@pytest.fixture
def demo(fast_passwords, live_server):
    call_command("load_demo", verbosity=0)
    return live_server


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(base_url + "/")


def switch_language(page: Page, code: str) -> None:
    page.locator(f".language-switch button[value={code}]").first.click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def log_out(page: Page, base_url: str) -> None:
    page.locator("form[action$='/accounts/logout/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(base_url + "/")  # signed out: the home page sends us to log in again
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/"))


def test_supervisor_sees_own_team_in_chinese_then_english(page: Page, demo):
    base = demo.url
    supervisor = User.objects.get(username="supervisor")
    visible = people_visible_to(supervisor)
    teammates = list(visible.exclude(user=supervisor).order_by("employee_no")[:3])
    outsiders = list(Person.objects.exclude(pk__in=visible.values("pk")).order_by("employee_no")[:3])
    assert teammates and outsiders, "the demo organisation needs people on both sides of the supervisor's scope"

    log_in(page, base, "supervisor")
    nav = page.locator("nav.nav")
    expect(page.locator("h1")).to_contain_text("欢迎")
    expect(nav).to_contain_text("首页")
    expect(nav).to_contain_text("人员")

    switch_language(page, "en")
    expect(page.locator("h1")).to_contain_text("Welcome")
    expect(nav).to_contain_text("Home")
    expect(nav).to_contain_text("People")

    nav.get_by_role("link", name="People").click()
    expect(page).to_have_url(re.compile(r"/org/people/"))
    main = page.locator("main")
    for person in teammates:
        expect(main).to_contain_text(person.employee_no)
    for person in outsiders:
        expect(main).not_to_contain_text(person.employee_no)
    # Another team's person, asked for directly: not found.
    response = page.goto(f"{base}/org/people/{outsiders[0].pk}/")
    assert response.status == 404

    page.goto(base + "/")
    log_out(page, base)


def test_agent_sees_own_home_only_in_chinese_then_english(page: Page, demo):
    base = demo.url
    agent = User.objects.get(username="agent")
    colleague = Person.objects.exclude(user=agent).filter(unit=agent.person.unit).first()
    assert colleague is not None

    log_in(page, base, "agent")
    expect(page.locator("h1")).to_contain_text("欢迎")
    expect(page.locator("nav.nav")).to_contain_text("首页")
    expect(page.locator("nav.nav")).not_to_contain_text("人员")
    # No way into the admin or the audit log from the agent's pages.
    expect(page.locator("a[href^='/admin/']")).to_have_count(0)
    expect(page.locator("a[href^='/org/audit/']")).to_have_count(0)

    switch_language(page, "en")
    expect(page.locator("h1")).to_contain_text("Welcome")
    expect(page.locator("nav.nav")).not_to_contain_text("People")

    # The people list, typed in by hand: refused, or (as the web pages do now) scoped to the agent alone.
    response = page.goto(base + "/org/people/")
    assert response.status in (200, 403, 404)
    expect(page.locator("html")).to_have_attribute("lang", "en")  # error pages follow the choice too
    if response.status == 200:
        expect(page.locator("main")).to_contain_text(agent.person.employee_no)
    expect(page.locator("main")).not_to_contain_text(colleague.employee_no)
    response = page.goto(f"{base}/org/people/{colleague.pk}/")
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text(colleague.name)

    page.goto(base + "/")
    log_out(page, base)
