"""Onboarding plans: the template text, dated weekly goals in working days, ticking tasks off, who falls behind,
and who sees which plan."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from servicecoach.org.models import AuditEntry
from servicecoach.programmes import selectors, services
from servicecoach.programmes.models import PlanTask

TEXT = """week 1: 熟悉流程和工具
- task: 阅读服务流程手册
- lesson: 工单系统入门
- check: 流程测验
week 2: 独立处理简单咨询
- task: 独立处理 20 个简单咨询
week 3: 参与复杂案例复盘
- task: 参加两次复杂案例复盘
- check: 案例分析考核
"""


@pytest.fixture
def template(people):
    return services.onboarding_template_save(actor=people.manager.user, name="客服新人三周带教", description="",
                                             text=TEXT)


def test_template_text_becomes_weekly_goals_with_tasks(template):
    goals = list(template.goals.prefetch_related("tasks"))
    assert [(g.week, g.title) for g in goals] == [(1, "熟悉流程和工具"), (2, "独立处理简单咨询"), (3, "参与复杂案例复盘")]
    assert [(t.kind, t.title) for t in goals[0].tasks.all()] == [
        ("task", "阅读服务流程手册"), ("lesson", "工单系统入门"), ("check", "流程测验")]
    assert services.template_text(template).splitlines()[0] == "week 1: 熟悉流程和工具"


def test_bad_template_lines_are_named_and_nothing_is_saved(people):
    with pytest.raises(ValidationError) as caught:
        services.onboarding_template_save(actor=None, name="坏模板", description="",
                                          text="- task: 先有任务\nweek 1: 目标\n- quiz: 测验\n随便写的\nweek 1: 重复")
    errors = caught.value.message_dict["text"]
    assert [int(re.search(r"\d+", e).group()) for e in errors] == [1, 3, 4, 5]  # the line of each problem
    from servicecoach.programmes.models import OnboardingTemplate
    assert not OnboardingTemplate.objects.exists()


def test_goal_dates_count_working_days_across_national_day(db):
    # Monday Sep 29 2025: week 1 is Sep 29, 30, Oct 9, 10 and Saturday Oct 11 (a make-up workday).
    assert services.goal_dates(date(2025, 9, 29), 1) == (date(2025, 9, 29), date(2025, 10, 11))
    assert services.goal_dates(date(2025, 9, 29), 2) == (date(2025, 10, 13), date(2025, 10, 17))
    # A start on a Sunday that is not a working day begins on Monday.
    assert services.goal_dates(date(2025, 11, 2), 1) == (date(2025, 11, 3), date(2025, 11, 7))


def test_starting_a_new_hire_produces_dated_goals_and_is_audited(people, template):
    plan = services.onboarding_start(actor=people.manager.user, template=template, person=people.agent,
                                     start_date=date(2025, 9, 29))
    goals = list(plan.goals.all())
    assert [(g.week, g.starts_on, g.due_on) for g in goals] == [
        (1, date(2025, 9, 29), date(2025, 10, 11)), (2, date(2025, 10, 13), date(2025, 10, 17)),
        (3, date(2025, 10, 20), date(2025, 10, 24))]
    assert PlanTask.objects.filter(goal__plan=plan).count() == 6
    assert AuditEntry.objects.filter(object_type="programmes.onboardingplan", object_id=str(plan.pk)).exists()
    with pytest.raises(ValidationError):
        services.onboarding_start(actor=None, template=template, person=people.agent, start_date=date(2025, 9, 29))


def test_ticking_needs_evidence_and_a_check_needs_its_result(people, template):
    plan = services.onboarding_start(actor=None, template=template, person=people.agent, start_date=date(2025, 9, 29))
    task, lesson, check = PlanTask.objects.filter(goal__plan=plan, goal__week=1)
    with pytest.raises(ValidationError):
        services.plan_task_tick(actor=None, task=task, done=True, evidence="")
    with pytest.raises(ValidationError):
        services.plan_task_tick(actor=None, task=check, done=True, evidence="80 分", result="")
    services.plan_task_tick(actor=None, task=task, done=True, evidence="已读完并做了笔记")
    services.plan_task_tick(actor=None, task=lesson, done=True)
    services.plan_task_tick(actor=None, task=check, done=True, evidence="80 分", result="passed")
    progress = selectors.plan_progress(plan, today=date(2025, 10, 14))
    assert (progress["done"], progress["task_count"], progress["percent"]) == (3, 6, 50)
    assert (progress["checks"], progress["checks_passed"]) == (1, 1)
    assert progress["current"].week == 2 and progress["overdue"] == []


def test_overdue_goals_put_a_new_hire_first_among_those_falling_behind(people, template):
    late = services.onboarding_start(actor=None, template=template, person=people.agent, start_date=date(2025, 9, 29))
    services.onboarding_start(actor=None, template=template, person=people.agent2, start_date=date(2025, 10, 20))
    rows = selectors.plan_overview(user=people.manager.user, today=date(2025, 10, 20))
    assert rows[0]["plan"] == late and [g.week for g in rows[0]["overdue"]] == [1, 2]
    behind = selectors.plan_overview(user=people.manager.user, behind_only=True, today=date(2025, 10, 20))
    assert [r["plan"] for r in behind] == [late]


def test_who_sees_which_plan(people, template, make_person):
    plan = services.onboarding_start(actor=None, template=template, person=people.agent, start_date=date(2025, 9, 29))
    other = services.onboarding_start(actor=None, template=template, person=people.outsider,
                                      start_date=date(2025, 9, 29))
    services.certification_request(actor=None, person=people.mentor, criteria_met=list(services.MENTOR_CRITERIA))
    cert = people.mentor.mentor_certifications.get()
    services.certification_decide(actor=people.manager.user, certification=cert, approve=True)
    services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.outsider, start_date=date(2025, 9, 29),
                           probation_end=date(2025, 12, 29))

    def visible(person):
        return set(selectors.plans_visible_to(person.user))

    assert visible(people.manager) == {plan, other}
    assert visible(people.supervisor) == {plan}  # the agent's team, not the outsider's
    assert visible(people.agent) == {plan}
    assert visible(people.mentor) == {other}  # their mentee only
    assert visible(people.trainer) == set()
    assert selectors.can_tick_plan(people.mentor.user, other) and not selectors.can_tick_plan(people.supervisor.user, plan)


def test_plan_pages(people, template):
    plan = services.onboarding_start(actor=None, template=template, person=people.agent, start_date=date(2025, 9, 29))
    task = PlanTask.objects.filter(goal__plan=plan).first()
    agent = Client()
    agent.force_login(people.agent.user)
    response = agent.post(reverse("programmes:task-tick", args=[plan.pk, task.pk]), {"done": "on", "evidence": "读完"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at and task.evidence == "读完"
    supervisor = Client()
    supervisor.force_login(people.supervisor.user)
    assert supervisor.get(reverse("programmes:plan-detail", args=[plan.pk])).status_code == 200
    assert supervisor.post(reverse("programmes:task-tick", args=[plan.pk, task.pk]), {"done": ""}).status_code == 403
    page = supervisor.get(reverse("programmes:plan-list") + "?behind=1").content.decode()
    assert people.agent.name in page  # started in 2025: every goal is overdue now
    home = supervisor.get(reverse("home")).content.decode()
    assert 'id="panel-programmes_falling_behind"' in home and people.agent.name in home
    outsider = Client()
    outsider.force_login(people.outsider.user)
    assert outsider.get(reverse("programmes:plan-detail", args=[plan.pk])).status_code == 404


def test_template_form_reports_the_line(people):
    client = Client()
    client.force_login(people.manager.user)
    response = client.post(reverse("programmes:template-create"), {"name": "x", "text": "week one: 目标"})
    assert response.status_code == 200
    assert "第 1 行" in response.context["form"].errors["text"][0]


def test_overview_reads_a_fixed_number_of_queries(people, template, make_person, django_assert_max_num_queries):
    for _n in range(6):
        services.onboarding_start(actor=None, template=template, person=make_person(), start_date=date(2025, 9, 29))
    with django_assert_max_num_queries(8):
        rows = selectors.plan_overview(user=people.manager.user, today=date(2025, 10, 20))
    assert len(rows) == 6 and all(r["task_count"] == 6 for r in rows)


def test_the_overview_page_is_paginated_and_keeps_the_behind_filter(people, template, make_person):
    from servicecoach.programmes.views_onboarding import PLAN_PAGE_SIZE

    for _n in range(PLAN_PAGE_SIZE + 2):
        services.onboarding_start(actor=None, template=template, person=make_person(login=False),
                                  start_date=date(2025, 9, 29))
    client = Client()
    client.force_login(people.manager.user)
    first = client.get(reverse("programmes:plan-list"), {"behind": "1"})
    assert len(first.context["rows"]) == PLAN_PAGE_SIZE and first.context["page"].paginator.count == PLAN_PAGE_SIZE + 2
    second = client.get(reverse("programmes:plan-list"), {"behind": "1", "page": "2"})
    assert len(second.context["rows"]) == 2


def test_overview_agrees_with_the_per_plan_progress(people, template, make_person):
    """plan_overview (plain rows, few queries) against plan_progress (one plan, model instances)."""
    import random

    rng = random.Random(7)
    for _n in range(5):
        plan = services.onboarding_start(actor=None, template=template, person=make_person(login=False),
                                         start_date=date(2025, 9, 29) + timedelta(days=rng.randint(0, 20)))
        for task in PlanTask.objects.filter(goal__plan=plan):
            if rng.random() < 0.5:
                services.plan_task_tick(actor=None, task=task, done=True, evidence="e",
                                        result=rng.choice(["passed", "failed"]) if task.kind == "check" else "")
    today = date(2025, 10, 22)
    for row in selectors.plan_overview(user=people.manager.user, today=today):
        ref = selectors.plan_progress(row["plan"], today)
        for key in ("task_count", "done", "percent", "checks", "checks_passed", "finished"):
            assert row[key] == ref[key], key
        assert [g.week for g in row["overdue"]] == [g.week for g in ref["overdue"]]
        assert (row["current"] and row["current"].week) == (ref["current"] and ref["current"].week)
