"""In a real browser: a reviewer reviews a conversation from their queue; an appeal goes from the agent
through the supervisor to the QA lead's final decision; a QA lead runs a calibration session."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.permissions.sample_org import build_sample_org
from tests.review.helpers import make_conversation, marks_full

from servicecoach.org import services as org_services
from servicecoach.org.models import Role
from servicecoach.review import services
from servicecoach.review.models import Appeal, AppealStatus, CalibrationSession, Review, ReviewStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-browser-1"


@pytest.fixture
def org(fast_passwords, live_server):
    sample = build_sample_org(password=PASSWORD)
    lead = org_services.person_create(actor=None, employee_no="S020", name="质检组长 吴昊", unit=sample.company)
    org_services.role_grant(actor=None, person=lead, role=Role.QA_REVIEWER, unit=sample.company)
    org_services.person_set_login(actor=None, person=lead, username="qa_lead", password=PASSWORD)
    reviewer2 = org_services.person_create(actor=None, employee_no="S021", name="质检员 郑爽",
                                           unit=sample.units["training"])
    org_services.role_grant(actor=None, person=reviewer2, role=Role.QA_REVIEWER)
    sample.lead, sample.reviewer2, sample.base = lead, reviewer2, live_server.url
    return sample


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(base + "/")


def fill_blank_items(page: Page, review) -> None:
    """Items the machine does not score (manual items) start blank: give them their full points."""
    for item in review.items.filter(applicable=True, earned__isnull=True, red_line=False):
        page.locator(f"#item-{item.position} input[type=number]").fill(f"{item.points:g}")


def test_reviewer_reviews_a_conversation_from_the_queue(page: Page, org):
    review = services.review_assign(actor=None, conversation=make_conversation(cid="br-1"),
                                    reviewer=org.people["qa_reviewer"])
    item = review.items.filter(applicable=True, red_line=False, bonus=False).order_by("position").first()
    log_in(page, org.base, "qa_reviewer")
    page.goto(org.base + "/qa/review/")
    page.locator("#queue").get_by_role("link", name="复核", exact=True).click()
    expect(page).to_have_url(re.compile(r"/qa/review/reviews/\d+/edit/"))
    fill_blank_items(page, review)
    row = page.locator(f"#item-{item.position}")
    row.locator("input[type=number]").fill("0")
    page.get_by_role("button", name="提交复核").click()
    expect(page.locator(f"#item-{item.position} .item-errors").first).to_contain_text("请选择问题类型")
    row = page.locator(f"#item-{item.position}")
    row.locator("select[name$=problem_type]").select_option("attitude")
    row.locator("select[name$=severity]").select_option("severe")
    page.get_by_role("button", name="提交复核").click()
    expect(page).to_have_url(re.compile(rf"/qa/review/reviews/{review.pk}/$"))
    expect(page.locator("#review-items")).to_contain_text("服务态度 · 严重")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.score < 100


def test_appeal_from_agent_to_final_decision(page: Page, org):
    review = services.review_assign(actor=None, conversation=make_conversation(cid="br-2"),
                                    reviewer=org.people["qa_reviewer"])
    marks = marks_full(review)
    item = review.items.filter(applicable=True, red_line=False, bonus=False).order_by("position").first()
    marks[item.position] = {"earned": 0, "problem_type": "knowledge", "severity": "general"}
    review = services.review_save(actor=None, review=review, version=0, marks=marks, submit=True)
    before = review.score

    log_in(page, org.base, "agent")
    page.goto(f"{org.base}/qa/review/reviews/{review.pk}/")
    page.locator("#main").get_by_role("link", name="申诉", exact=True).click()
    page.get_by_label(re.compile(re.escape(item.label))).check()
    page.fill("textarea[name=comment]", "客户问题已解决，不应扣分")
    page.get_by_role("button", name="提交申诉").click()
    expect(page.locator("#appeal-status")).to_contain_text("待主管处理")

    appeal = Appeal.objects.get()
    log_in(page, org.base, "supervisor")
    page.goto(f"{org.base}/qa/review/appeals/{appeal.pk}/")
    page.get_by_label("转交质检组长").check()
    page.get_by_role("button", name="提交处理意见").click()
    expect(page.locator("#appeal-status")).to_contain_text("待质检组长裁定")

    log_in(page, org.base, "qa_lead")
    page.goto(f"{org.base}/qa/review/appeals/")
    page.get_by_role("link", name="处理", exact=True).click()
    page.get_by_label("同意：按下方分数修改").check()
    page.fill("textarea[name=comment]", "录音证实已解决")
    page.get_by_role("button", name="提交处理意见").click()
    expect(page.locator("#appeal-status")).to_contain_text("已同意")
    expect(page.locator("#appeal-steps li")).to_have_count(3)
    review.refresh_from_db()
    assert appeal.__class__.objects.get().status == AppealStatus.ACCEPTED and review.score > before


def test_calibration_session_from_creation_to_report(page: Page, org):
    make_conversation(cid="br-cal-1")
    log_in(page, org.base, "qa_lead")
    page.goto(org.base + "/qa/review/calibration/new/")
    page.fill("input[name=title]", "十一月校准")
    page.select_option("select[name=expert]", str(org.lead.pk))
    page.get_by_label(str(org.people["qa_reviewer"])).check()
    page.get_by_label(str(org.reviewer2)).check()
    page.fill("textarea[name=conversations]", "br-cal-1")
    page.get_by_role("button", name="创建场次").click()
    expect(page).to_have_url(re.compile(r"/qa/review/calibration/\d+/$"))
    expect(page.locator("#calibration-progress tbody tr")).to_have_count(3)

    # the expert scores in the browser; the two reviewers through the service (one of them differs by 5)
    page.locator("#my-calibration").get_by_role("link", name="复核", exact=True).click()
    fill_blank_items(page, Review.objects.get(kind="calibration", reviewer=org.lead))
    page.get_by_role("button", name="提交复核").click()
    expect(page).to_have_url(re.compile(r"/qa/review/reviews/\d+/$"))
    for person, loss in ((org.people["qa_reviewer"], 0), (org.reviewer2, 5)):
        review = Review.objects.get(kind="calibration", reviewer=person)
        marks = marks_full(review)
        item = review.items.filter(applicable=True, bonus=False, red_line=False, points__gte=5).order_by("position") \
            .first()
        marks[item.position] = {"earned": item.points - loss, "problem_type": "attitude", "severity": "minor"}
        services.review_save(actor=None, review=review, version=0, marks=marks, submit=True)

    page.goto(org.base + "/qa/review/calibration/")
    page.get_by_role("link", name="十一月校准").click()
    page.get_by_role("button", name="关闭场次").click()
    expect(page).to_have_url(re.compile(r"/report/$"))
    rows = page.locator("#calibration-reviewers tbody tr")
    expect(rows).to_have_count(2)
    report = services.calibration_report(CalibrationSession.objects.get())
    deviation = {r["reviewer"].pk: r["overall"] for r in report["reviewers"]}
    assert deviation[org.reviewer2.pk] > deviation[org.people["qa_reviewer"].pk]
    expect(rows.filter(has_text="郑爽")).to_contain_text(str(deviation[org.reviewer2.pk]))
