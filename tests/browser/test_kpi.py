"""In a real browser: the demo supervisor enters a complaint count in the team's grid (saved by htmx as the
cell is left), scores the month and opens an agent's scorecard, where the item is explained."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from servicecoach.kpi import demo as kpi_demo
from servicecoach.kpi.models import AgentInput, Period
from servicecoach.org.demo import demo_load as org_demo_load
from servicecoach.org.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(fast_passwords, live_server):
    org_demo_load()
    kpi_demo.demo_load()
    return live_server


def test_supervisor_enters_a_value_scores_and_reads_the_explanation(page: Page, demo):
    base = demo.url
    agent = User.objects.get(username="agent").person
    period = Period.objects.get(month="2026-10")
    runs_before = period.runs.count()

    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", "demo1234")
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(base + "/")

    page.goto(f"{base}/kpi/periods/{period.pk}/")
    page.get_by_role("link", name=re.compile(agent.unit.name)).click()
    expect(page.locator("h1")).to_contain_text(agent.unit.name)
    late = page.locator(f"tr[data-person='{agent.pk}'] td[data-figure='late_arrivals']")
    late.locator("input").fill("1.5")
    late.locator("input").press("Tab")
    expect(page.locator(f"tr[data-person='{agent.pk}'] td[data-figure='late_arrivals'] [role=alert]")).to_contain_text(
        "整数")  # refused, with the reason, in the cell

    cell = page.locator(f"tr[data-person='{agent.pk}'] td[data-figure='complaints']")
    cell.locator("input").fill("3")
    cell.locator("input").press("Tab")
    expect(page.locator(f"tr[data-person='{agent.pk}'] td[data-figure='complaints'].saved")).to_be_visible()
    assert AgentInput.objects.get(period=period, person=agent).figures["complaints"] == 3

    page.goto(f"{base}/kpi/periods/{period.pk}/")
    page.locator("#score-month").click()
    expect(page).to_have_url(re.compile(rf"/kpi/periods/{period.pk}/results/$"))
    assert period.runs.count() == runs_before + 1

    page.get_by_role("link", name=agent.name).click()
    row = page.locator("tr[data-item='service_attitude']")
    expect(row).to_contain_text("投诉或差评")
    expect(row).to_contain_text("3")
    expect(page.locator("#result-total")).to_be_visible()


def test_supervisor_enters_the_labour_cost_and_compares_teams(page: Page, demo):
    from servicecoach.kpi.models import TeamCost

    base = demo.url
    agent = User.objects.get(username="agent").person
    period = Period.objects.get(month="2026-10")
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", "demo1234")
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(base + "/")

    page.goto(f"{base}/kpi/periods/{period.pk}/teams/{agent.unit.pk}/")
    page.fill("input[name=labour_cost]", "-5")
    page.get_by_role("button", name="保存人力成本").click()
    expect(page.locator("#team-cost .errorlist")).to_contain_text("必须是不小于 0 的金额")
    page.fill("input[name=labour_cost]", "¥12,345")
    page.get_by_role("button", name="保存人力成本").click()
    expect(page.locator("input[name=labour_cost]")).to_have_value("12345.00")
    assert TeamCost.objects.get(period=period, unit=agent.unit).labour_cost == 12345

    page.goto(f"{base}/kpi/analysis/?month=2026-10")
    expect(page.locator("#team-comparison tr", has_text=agent.unit.name)).to_contain_text("¥12345")
    for chart in ("#chart-money", "#chart-efficiency", "#chart-daily"):
        expect(page.locator(f"{chart} .main-svg").first).to_be_visible()
