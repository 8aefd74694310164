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
