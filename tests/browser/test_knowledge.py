"""In a real browser: an agent searches the knowledge base in Chinese, opens the answer with the matched words
highlighted, then fills a script template's placeholders and copies the result to the clipboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from servicecoach.knowledge import search as knowledge_search
from servicecoach.knowledge import services
from servicecoach.org import services as org_services
from servicecoach.org.models import Role, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def knowledge(fast_passwords, live_server, settings, tmp_path):
    settings.KNOWLEDGE_INDEX_DIR = tmp_path / "index"
    knowledge_search.forget_process_index()
    unit = org_services.unit_create(actor=None, name="售后服务组", code="KB-AFT", kind=UnitKind.TEAM)
    agent = org_services.person_create(actor=None, employee_no="KB001", name="张婷", unit=unit)
    org_services.role_grant(actor=None, person=agent, role=Role.AGENT)
    org_services.person_set_login(actor=None, person=agent, username="kb-agent", password="kb-pass-1")
    services.article_create(kind="faq", title="退款多久到账？", author=None, category="退款",
                            fields={"answer": "退款会原路退回，一般1-3个工作日到账。", "similar": ["退款还没到"]})
    services.article_create(kind="faq", title="发票怎么开？", author=None, category="发票",
                            fields={"answer": "在订单详情页申请电子发票。"})
    services.article_create(kind="script", title="退款安抚话术", author=None, category="退款",
                            fields={"opening": "{客户称呼}您好，您的订单{订单号}的退款已经提交。",
                                    "closing": "{客户称呼}，还有什么可以帮您？"})
    yield live_server
    knowledge_search.forget_process_index()


def test_agent_searches_reads_highlighted_answer_and_copies_filled_script(page: Page, knowledge):
    base = knowledge.url
    page.goto(base + "/kb/")
    page.fill("input[name=username]", "kb-agent")
    page.fill("input[name=password]", "kb-pass-1")
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/kb/$"))
    # the URL changes before the page has loaded: typing before htmx has set up the live search is lost
    page.wait_for_load_state("load")

    page.fill("#id_q", "钱什么时候退回来")
    first = page.locator(".kb-result").first
    expect(first.locator("h3")).to_contain_text("退款多久到账")  # results came live, without submitting
    first.locator("h3 a").click()
    expect(page).to_have_url(re.compile(r"/kb/articles/\d+/\?q="))
    marks = page.locator("main mark").all_inner_texts()
    assert "退回" in marks and "到账" in marks, marks

    page.goto(base + "/kb/?q=退款安抚")
    page.locator(".kb-result", has_text="退款安抚话术").get_by_role("link", name="填写并复制").click()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.get_by_label("客户称呼").fill("张先生")
    page.get_by_label("订单号").fill("SC2081")
    expect(page.locator(".script-text").first).to_have_text("张先生您好，您的订单SC2081的退款已经提交。")
    page.get_by_role("button", name="全部复制").click()
    expect(page.get_by_role("button", name="已复制")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "张先生您好，您的订单SC2081的退款已经提交。\n\n张先生，还有什么可以帮您？"
