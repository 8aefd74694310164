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


def test_the_page_submits_at_time_out_with_the_saved_answers(page: Page, exam):
    base, exam = exam
    from servicecoach.org.models import Person

    attempt = services.attempt_start(exam=exam, person=Person.objects.get(user__username="agent"))
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=6))
    log_in(page, base, "agent")
    page.goto(f"{base}/exams/attempts/{attempt.pk}/take/")
    page.locator("input[name=q2][value=false]").check()
    expect(page.locator("#save-status")).to_have_text("答案已全部保存")
    # nobody presses submit: at zero the page submits by itself and shows the attempt
    expect(page).to_have_url(re.compile(rf"/exams/attempts/{attempt.pk}/$"), timeout=15_000)
    attempt.refresh_from_db()
    assert attempt.status != AttemptStatus.IN_PROGRESS
    assert attempt.items.get(position=2).answer is False


def test_panel_scores_a_practical_exam_and_the_candidate_sees_grade_and_advice(page: Page, exam):
    import datetime
    from decimal import Decimal

    from servicecoach.exams.models import AssessmentCandidate
    from servicecoach.org.models import Person

    base, exam = exam
    agent = Person.objects.get(user__username="agent")
    trainer, supervisor = Person.objects.get(user__username="trainer"), Person.objects.get(user__username="supervisor")
    attempt = services.attempt_start(exam=exam, person=agent)
    for position, answer in ((1, "A"), (2, False), (3, "先致歉，再记录问题")):
        services.answer_save(attempt=attempt, position=position, answer=answer, client_time=1)
    services.attempt_submit(attempt=attempt)  # all found: 3 / 3
    rubric = services.rubric_save(actor=None, rubric=None, title="实操评分表", items=services.rubric_items_from_text(
        "open | 使用标准开场白 | 10 | 优=10 完整; 良=7 基本; 差=3 未使用\ncalm | 安抚客户情绪 | 10 | 优=10; 良=6; 差=2"))
    services.scenario_card_save(actor=None, card=None, key="fault", title="产品故障且情绪激动", situation="扫地机器人无法回充",
                                customer_role="情绪激动", expected_handling="安抚", tags=[], active=True)
    assessment = services.assessment_save(
        actor=None, assessment=None, people=[agent], units=[], assessors=[trainer, supervisor], title="新员工考核",
        held_on=datetime.date(2026, 11, 20), theory_exam=exam, rubric=rubric, card_tags=[],
        margin_share=Decimal("0.2"), weight_theory=Decimal("0.3"), weight_practical=Decimal("0.5"),
        weight_overall=Decimal("0.2"), rounding="none")
    candidate = AssessmentCandidate.objects.get(assessment=assessment)
    services.scenario_draw(actor=None, candidate=candidate)
    services.panel_scores_save(assessor=trainer, candidate=candidate, values={"open": "优", "calm": "差"})
    services.conduct_save(actor=None, candidate=candidate, attendance_rate=Decimal(1), participation=[Decimal(5)],
                          teamwork=[Decimal(5)])

    log_in(page, base, "supervisor")  # the second assessor of the panel
    page.goto(f"{base}/exams/candidates/{candidate.pk}/score/")
    expect(page.locator("body")).to_contain_text("扫地机器人无法回充")
    page.select_option("select[name=item_open]", "良")
    page.select_option("select[name=item_calm]", "差")
    page.get_by_role("button", name="保存我的评分").click()
    expect(page.locator(".alert-success")).to_contain_text("你的评分已保存")
    services.assessment_release(actor=None, assessment=assessment)

    page.context.clear_cookies()
    log_in(page, base, "agent")
    page.goto(f"{base}/exams/mine/")
    page.get_by_role("link", name="新员工考核").click()
    # theory 100 x 0.3 + practical (8.5 + 2) / 20 = 52.5 x 0.5 + overall 100 x 0.2 = 76.25: 合格
    expect(page.locator("#band")).to_have_text("合格")
    expect(page.locator("#advice")).to_contain_text("安抚客户情绪")
