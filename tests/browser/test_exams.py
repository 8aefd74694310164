"""In a real browser: a candidate takes an exam; answers are saved as given, survive a reload and a lost
connection (queued on the device, re-sent), the candidate submits; then a trainer marks the short answer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.permissions.sample_org import build_sample_org

from servicecoach.exams import services
from servicecoach.exams.engine.questions import KeyPoint, Option, ShortAnswer, SingleChoice, TrueFalse
from servicecoach.exams.models import Attempt, AttemptStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-browser-1"


@pytest.fixture
def exam(fast_passwords, live_server):
    org = build_sample_org(password=PASSWORD)
    questions = [
        SingleChoice(key="b1", stem="客户来电投诉物流延误，首先应当？", topic="投诉处理",
                     options=(Option(id="A", text="安抚情绪并致歉", correct=True), Option(id="B", text="直接转接"))),
        TrueFalse(key="b2", stem="可以向客户承诺无法兑现的事项。", topic="服务规范", answer=False),
        ShortAnswer(key="b3", stem="投诉处理的步骤？", topic="投诉处理",
                    key_points=(KeyPoint(id="k1", text="致歉"), KeyPoint(id="k2", text="记录问题"))),
    ]
    rows = [services.question_create(actor=None, question=q) for q in questions]
    paper = services.paper_save(actor=None, paper=None, title="浏览器试卷", kind="fixed", fixed=[(q, None) for q in rows])
    now = timezone.now()
    exam = services.exam_save(actor=None, exam=None, people=[org.people["agent"]], units=[], title="岗前理论考试",
                              paper=paper, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=3),
                              duration_minutes=60, attempts_allowed=1, shuffle_questions=False, shuffle_options=False,
                              layout="one_page", mc_policy="all_or_nothing", pass_percent=60)
    return live_server.url, exam


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(base + "/")


def test_candidate_answers_survive_reload_and_lost_connection_then_trainer_marks(page: Page, exam):
    base, exam = exam
    log_in(page, base, "agent")
    page.goto(base + "/exams/mine/")
    page.get_by_role("button", name="开始考试").click()
    expect(page).to_have_url(re.compile(r"/exams/attempts/\d+/take/"))
    saved = page.locator("#save-status")

    page.locator("input[name=q1][value=A]").check()
    page.locator("textarea[name=q3]").fill("先向客户致歉")
    expect(saved).to_have_text("答案已全部保存")
    page.reload()
    expect(page.locator("input[name=q1][value=A]")).to_be_checked()
    expect(page.locator("textarea[name=q3]")).to_have_value("先向客户致歉")

    # The connection drops: the answer waits on the device, survives a reload and is sent again.
    page.context.set_offline(True)
    page.locator("input[name=q2][value=false]").check()
    expect(saved).to_contain_text("网络已断开")
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("input[name=q2][value=false]")).to_be_checked()
    expect(saved).to_have_text("答案已全部保存")
    attempt = Attempt.objects.get()
    assert attempt.items.get(position=2).answer is False

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交卷").click()
    expect(page).to_have_url(re.compile(rf"/exams/attempts/{attempt.pk}/$"))
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 2  # the short answer waits for review

    page.context.clear_cookies()
    log_in(page, base, "trainer")
    page.goto(base + "/exams/marking/")
    page.get_by_role("link", name="评分").first.click()
    expect(page.locator("body")).to_contain_text("✗ 记录问题")
    page.fill("input[name=adjustment]", "1")
    page.fill("input[name=reason]", "提到了致歉，步骤基本正确")
    page.get_by_role("button", name="保存评分").click()
    expect(page.locator(".alert-success")).to_contain_text("评分已保存")
    attempt.refresh_from_db()
    # the short answer: 0.5 automatic (one key point of two) + 1, kept within its 1 point
    assert attempt.status == AttemptStatus.MARKED and attempt.score == 3
