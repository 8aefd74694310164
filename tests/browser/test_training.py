"""In a real browser: an agent opens "my learning", studies the micro-lesson it points to, passes its quiz, and
sees the path's progress go up."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from servicecoach.org import services as org_services
from servicecoach.org.models import Role, UnitKind
from servicecoach.training import services
from servicecoach.training.models import LessonProgress, ModuleTopic, QuestionKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner(fast_passwords, live_server):
    unit = org_services.unit_create(actor=None, name="售前组", code="B-PRE", kind=UnitKind.TEAM)
    person = org_services.person_create(actor=None, employee_no="B001", name="张婷", unit=unit)
    org_services.role_grant(actor=None, person=person, role=Role.AGENT)
    org_services.person_set_login(actor=None, person=person, username="learner", password="pw-12345")
    course = services.course_create(actor=None, code="B-GEN", title="服务礼仪")
    module = services.module_create(actor=None, course=course, title="礼貌用语", topic=ModuleTopic.ETIQUETTE)
    micro = services.lesson_create(actor=None, module=module, title="标准开场白", minutes=15, is_micro=True,
                                   body="<p>电话接起后先说：您好，华信优选客服为您服务。</p>")
    services.quiz_question_add(actor=None, lesson=micro, kind=QuestionKind.SINGLE, text="第一句话应当是？",
                               choices=[("您好，华信优选客服为您服务", True), ("喂，哪位？", False)])
    services.quiz_question_add(actor=None, lesson=micro, kind=QuestionKind.TRUE_FALSE, text="可以不报工号。",
                               choices=[("", False)])
    services.lesson_create(actor=None, module=module, title="结束语", body="感谢来电。", minutes=10)
    services.course_set_published(actor=None, course=course, published=True)
    path = services.path_create(actor=None, code="B-PATH", title="新人必修")
    services.path_course_add(actor=None, path=path, course=course)
    services.enrol(actor=None, person=person, path=path)
    return person, micro


def test_agent_studies_a_micro_lesson_passes_its_quiz_and_progress_updates(page: Page, live_server, learner):
    person, micro = learner
    page.goto(live_server.url + "/learning/")
    page.fill("input[name=username]", "learner")
    page.fill("input[name=password]", "pw-12345")
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/learning/")
    expect(page.locator("h1")).to_have_text("我的学习")
    path_card = page.locator(".card", has_text="新人必修")
    expect(path_card.locator(".progress-row").first).to_contain_text("0%")

    page.locator("#next-lesson").click()
    expect(page.locator("h1")).to_have_text("标准开场白")
    expect(page.locator(".lesson-body")).to_contain_text("华信优选客服为您服务")
    page.locator("#finish-reading").click()
    expect(page).to_have_url(re.compile(rf"/learning/lessons/{micro.pk}/quiz/$"))

    page.get_by_label("您好，华信优选客服为您服务").check()
    page.locator("fieldset", has_text="可以不报工号").get_by_label("错误").check()
    page.locator("#submit-quiz").click()
    expect(page.locator("#quiz-result")).to_contain_text("以 100% 通过")

    page.get_by_role("link", name="返回我的学习").click()
    expect(path_card.locator(".progress-row").first).to_contain_text("50%")
    expect(page.locator("#next-lesson")).to_have_text("结束语")
    assert LessonProgress.objects.get(person=person, lesson=micro).status == "completed"
