"""In a real browser: a training manager schedules a classroom session (refused 2 working days ahead, accepted
3 working days ahead), sends the notice, and the participant finds it on their home page."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicecoach.org import calendar
from servicecoach.org import services as org_services
from servicecoach.org.models import Role, UnitKind
from servicecoach.programmes import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-browser-1"


@pytest.fixture
def setup(fast_passwords, live_server):
    company = org_services.unit_create(actor=None, name="华信优选", code="B-HQ", kind=UnitKind.COMPANY)
    team = org_services.unit_create(actor=None, name="天猫店", code="B-TM", kind=UnitKind.SHOP, parent=company)
    people = {}
    for key, name, role in (("manager", "林晓梅", Role.TRAINING_MANAGER), ("trainer", "陈思远", Role.TRAINER),
                            ("agent", "张婷", Role.AGENT)):
        person = org_services.person_create(actor=None, employee_no=f"B-{key}", name=name, unit=team)
        org_services.role_grant(actor=None, person=person, role=role)
        org_services.person_set_login(actor=None, person=person, username=f"b_{key}", password=PASSWORD)
        people[key] = person
    today = timezone.localdate()
    programme = services.programme_create(actor=None, title="新员工培训", kind="new_hire", start_date=today,
                                          end_date=calendar.add_working_days(today, 30), owner=people["manager"])
    return live_server.url, people, programme


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(base + "/")


def fill_session(page: Page, people, start) -> None:
    page.fill("#id_title", "投诉处理培训班")
    page.select_option("#id_trainer", str(people["trainer"].pk))
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", start.isoformat())
    page.fill("#id_day_start", "09:00")
    page.fill("#id_day_end", "17:30")
    page.fill("#id_venue", "5 楼培训室 A")
    page.fill("#id_capacity", "10")
    page.select_option("#id_new_hires", [str(people["agent"].pk)])
    page.locator("form button[type=submit].btn-primary").click()


def test_manager_schedules_at_three_working_days_and_the_participant_sees_the_notice(page: Page, setup):
    base, people, programme = setup
    today = timezone.localdate()
    log_in(page, base, "b_manager")
    page.goto(f"{base}/programmes/{programme.pk}/sessions/new/")
    fill_session(page, people, calendar.add_working_days(today, 2))
    earliest = calendar.add_working_days(today, 3).isoformat()
    expect(page.locator(".field.has-error")).to_contain_text(earliest)  # refused: names the earliest start
    fill_session(page, people, calendar.add_working_days(today, 3))
    expect(page).to_have_url(re.compile(r"/programmes/sessions/\d+/$"))
    expect(page.locator("h1")).to_have_text("投诉处理培训班")
    page.locator("#send-notice").click()
    expect(page.locator(".alert-success")).to_contain_text("2")  # the agent and the trainer
    page.locator("form[action$='/accounts/logout/'] button[type=submit]").click()

    log_in(page, base, "b_agent")
    panel = page.locator("#panel-programmes_notices")
    expect(panel).to_contain_text("投诉处理培训班")
    expect(panel).to_contain_text("未读")
    panel.locator("a", has_text="投诉处理培训班").click()
    expect(page.locator(".notice-body")).to_contain_text("5 楼培训室 A")
    expect(page.locator(".notice-body")).to_contain_text(earliest)


def test_participant_signs_in_with_the_code_and_gives_feedback_the_trainer_sees_both(page: Page, setup):
    base, people, programme = setup
    today = timezone.localdate()
    if not calendar.is_working_day(today):
        pytest.skip("today is a day off: a session cannot run today")
    now = timezone.localtime()
    start = min(now.time().replace(second=0, microsecond=0), time(23, 0))
    session = services.session_schedule(
        actor=people["manager"].user, programme=programme, title="签到演练班", trainer=people["trainer"],
        start_date=today, end_date=today, day_start=start, day_end=time(23, 59), venue="5 楼培训室 B", capacity=5,
        participants=[(people["agent"], "new_hire")], override_reason="浏览器测试：当天开班")

    log_in(page, base, "b_trainer")
    page.goto(f"{base}/programmes/sessions/{session.pk}/code/")
    code = page.locator(".sign-in-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    page.locator("form[action$='/accounts/logout/'] button[type=submit]").click()

    log_in(page, base, "b_agent")
    page.goto(f"{base}/programmes/sessions/{session.pk}/")
    page.locator("a", has_text="签到").first.click()
    page.fill("#id_code", code)
    page.locator("form button[type=submit].btn-primary").click()
    expect(page.locator(".alert-success")).to_contain_text("已签到")
    page.locator("a", has_text="提交当日反馈").click()
    for field, value in (("content_rating", "4"), ("pace_rating", "2"), ("relevance_rating", "3")):
        page.check(f"input[name={field}][value='{value}']")
    page.fill("#id_comment", "系统操作讲得太快了")
    page.locator("form button[type=submit].btn-primary").click()
    expect(page.locator(".alert-success")).to_contain_text("反馈")
    page.locator("form[action$='/accounts/logout/'] button[type=submit]").click()

    log_in(page, base, "b_trainer")
    page.goto(f"{base}/programmes/sessions/{session.pk}/attendance/")
    expect(page.locator("table").nth(1)).to_contain_text("张婷")
    expect(page.locator("table").nth(1)).to_contain_text(re.compile("出勤|迟到"))
    page.goto(f"{base}/programmes/sessions/{session.pk}/feedback/summary/")
    expect(page.locator(".feedback-day")).to_contain_text("系统操作讲得太快了")
