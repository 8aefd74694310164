"""Demo data of the programmes app, on the demo organisation of org/demo.py (华信优选):

- a new-hire programme with two classroom sessions: one held two weeks ago (agenda, attendance, notes,
  daily feedback) and one coming up (agenda built, equipment partly checked, notice sent: the demo agent
  张婷 finds it under "My notices");
- the onboarding template "客服新人三周带教" with three new hires on it, one of them falling behind;
- the demo mentor 王丽娟 certified, mentoring two new hires (1:1 logs, shadowing notes), with a past mentee
  who stayed past probation; a pending certification for 董丹;
- a training-needs survey of 电商运营部 with self-assessments and supervisors' input.

Dates follow today's date so the demo always looks current. Idempotent: each part is created only when its
programme, template, certification or survey (matched by title or person) does not exist yet.
"""

from __future__ import annotations

from datetime import time

from django.db import transaction
from django.utils import timezone

from servicecoach.org import calendar
from servicecoach.org.models import OrgUnit, Person, User
from servicecoach.programmes import services
from servicecoach.programmes.models import (
    MentorCertification,
    NeedsSurvey,
    OnboardingTemplate,
    PlanTask,
    Programme,
)
from servicecoach.programmes.selectors import session_days

PROGRAMME = "2026年第四季度新员工培训"
TEMPLATE = "客服新人三周带教"
SURVEY = "电商运营部 2027 年培训需求调研"
TEMPLATE_TEXT = """week 1: 熟悉服务流程和工具
- task: 阅读《客户服务流程手册》并完成笔记
- lesson: 工单系统入门
- task: 旁听资深客服接待 20 个会话
- check: 服务流程测验
week 2: 独立处理简单咨询
- task: 独立处理 30 个简单咨询（物流、发票、尺码）
- task: 每天与导师复盘 3 个会话
- check: 主管抽查 5 个会话
week 3: 参与复杂案例复盘
- task: 参加两次投诉案例复盘会
- task: 写一份案例分析
- check: 案例分析考核
"""
TOPICS = [("公司文化与服务礼仪", 60), ("服务流程与话术规范", 150), ("工单系统与 CRM 操作", 150),
          ("数据安全与隐私", 60), ("情绪安抚与投诉处理", 120), ("角色扮演演练", 150)]

COMING_TOPICS = [("情绪安抚与投诉处理", 150), ("投诉案例复盘", 120), ("角色扮演演练", 240), ("结业考核", 120)]


def _person(no: int) -> Person:
    return Person.objects.get(employee_no=f"HX{no:04d}")


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _programme(manager: User | None) -> tuple[Programme, int]:
    programme = Programme.objects.filter(title=PROGRAMME).first()
    if programme is not None:
        return programme, 0
    today = timezone.localdate()
    new_hires = [_person(n) for n in (28, 33, 40, 11)]  # 张婷, 罗晨, 宋佳, 唐欣
    programme = services.programme_create(
        actor=manager, title=PROGRAMME, kind="new_hire", owner=_person(2),
        start_date=calendar.add_working_days(today, -20), end_date=calendar.add_working_days(today, 25),
        description="新员工入职培训：公司文化、服务流程、系统操作、投诉处理和角色扮演，结业考核合格后上岗。",
        participants=[*new_hires, _person(37)])
    trainer = _person(3)
    # A session held two weeks ago: scheduled in time back then.
    start = calendar.add_working_days(today, -10)
    past = services.session_schedule(
        actor=manager, programme=programme, title="入职第一阶段：服务流程与系统操作", trainer=trainer,
        start_date=start, end_date=calendar.add_working_days(start, 1), day_start=time(9), day_end=time(17, 30),
        venue="杭州总部 5 楼培训室 A", capacity=12, assessment="第二天下午：服务流程笔试（60 分钟，80 分合格）",
        what_to_bring="笔记本电脑、工牌、笔记本", today=calendar.add_working_days(start, -5),
        participants=[(p, "new_hire") for p in new_hires[:3]] + [(_person(37), "retrainee")])
    services.agenda_save(actor=manager, session=past, blocks=services.agenda_build(session=past, topics=TOPICS[:4]))
    day1, day2 = session_days(past)
    services.attendance_record(actor=manager, session=past, day=day1, marks={
        _person(28).pk: ("present", ""), _person(33).pk: ("late", "地铁故障，迟到 15 分钟"),
        _person(40).pk: ("present", ""), _person(37).pk: ("present", "")})
    services.attendance_record(actor=manager, session=past, day=day2, marks={
        _person(28).pk: ("present", ""), _person(33).pk: ("present", ""),
        _person(40).pk: ("excused", "病假（已提交证明）"), _person(37).pk: ("present", "")})
    services.participation_note_add(actor=manager, session=past, person=_person(28), day=day1, times_spoken=5,
                                    note="角色扮演中能主动确认客户需求，语气亲切。")
    services.participation_note_add(actor=manager, session=past, person=_person(33), day=day2, times_spoken=1,
                                    note="小组练习发言少，工单系统操作不熟练，建议安排导师辅导。")
    for no, ratings, comment in ((28, (5, 4, 4), "案例很实用"), (33, (4, 2, 3), "系统操作讲得太快了"),
                                 (40, (4, 3, 2), "案例和我们店铺的实际情况不太贴近"), (37, (5, 4, 5), "")):
        services.feedback_submit(person=_person(no), session=past, day=day1, content_rating=ratings[0],
                                 pace_rating=ratings[1], relevance_rating=ratings[2], comment=comment, today=day2)
    # The coming session: 4 working days ahead (notice in time), agenda built, notice sent.
    start = calendar.add_working_days(today, 4)
    coming = services.session_schedule(
        actor=manager, programme=programme, title="入职第二阶段：投诉处理与角色扮演", trainer=trainer,
        start_date=start, end_date=calendar.add_working_days(start, 1), day_start=time(9), day_end=time(17, 30),
        venue="杭州总部 5 楼培训室 B", capacity=12,
        assessment="结业考核：角色扮演实操（评委打分）+ 理论测试，综合 80 分合格",
        what_to_bring="笔记本电脑、耳麦、第一阶段笔记", today=today,
        participants=[(p, "new_hire") for p in new_hires] + [(_person(37), "retrainee")])
    services.agenda_save(actor=manager, session=coming,
                         blocks=services.agenda_build(session=coming, topics=COMING_TOPICS))
    for check in coming.equipment.filter(item__in=["projector", "network"]):
        services.equipment_toggle(actor=manager, check=check)
    services.session_send_notice(actor=manager, session=coming, today=today)
    return programme, 2


def _onboarding(manager: User | None) -> tuple[int, list]:
    if OnboardingTemplate.objects.filter(name=TEMPLATE).exists():
        return 0, []
    today = timezone.localdate()
    template = services.onboarding_template_save(actor=manager, name=TEMPLATE, text=TEMPLATE_TEXT,
                                                 description="新员工入职前三周的带教目标：流程和工具、简单咨询、复杂案例。")
    plans = []
    # 张婷: started 8 working days ago, week 1 done; 罗晨: 12 working days ago, week 1 unfinished (behind);
    # 宋佳: started 3 working days ago.
    for no, back, done_weeks in ((28, 8, {1}), (33, 12, set()), (40, 3, set())):
        plan = services.onboarding_start(actor=manager, template=template, person=_person(no),
                                         start_date=calendar.add_working_days(today, -back))
        for task in PlanTask.objects.filter(goal__plan=plan).order_by("goal__week", "id"):
            if task.goal.week in done_weeks or (no == 33 and task.title.startswith("阅读")):
                result = "passed" if task.kind == "check" else ""
                services.plan_task_tick(actor=manager, task=task, done=True, evidence="已完成，导师确认",
                                        result=result)
        plans.append(plan)
    return 1, plans


def _mentoring(manager: User | None) -> int:
    mentor = _person(27)  # 王丽娟, login "mentor"
    if MentorCertification.objects.filter(person=mentor).exists():
        return 0
    today = timezone.localdate()
    cert = services.certification_request(actor=manager, person=mentor, criteria_met=list(services.MENTOR_CRITERIA),
                                          note="天猫店客服组资深客服，连续两季度质检优秀。")
    services.certification_decide(actor=manager, certification=cert, approve=True, note="同意")
    services.certification_request(actor=manager, person=_person(13), criteria_met=["tenure", "quality", "training"],
                                   note="待主管推荐。")
    # A past mentee who stayed past probation: 杨帆 (hired 2024-04-15, left 2026-06-30).
    past = _person(30)
    probation_end = calendar.add_working_days(past.hire_date, 60)
    assignment = services.mentor_assign(actor=manager, mentor=mentor, mentee=past, start_date=past.hire_date,
                                        probation_end=probation_end)
    services.mentor_assignment_end(actor=manager, assignment=assignment, ended_on=probation_end)
    for no, back in ((28, 8), (33, 12)):
        start = calendar.add_working_days(today, -back)
        assignment = services.mentor_assign(actor=manager, mentor=mentor, mentee=_person(no), start_date=start,
                                            probation_end=calendar.add_working_days(start, 60))
        services.shadowing_log(actor=manager, assignment=assignment, observed_on=calendar.add_working_days(start, 1),
                               senior=_person(29), observed="李娜接待一位催发货的客户：先致歉，再查物流，给出明确时间。",
                               learned="先安抚情绪再解决问题；承诺的时间要留余量。")
        services.one_on_one_log(actor=manager, assignment=assignment, met_on=calendar.add_working_days(start, 4),
                                questions="退换货规则记不全；遇到情绪激动的客户会紧张。",
                                advice="把退换货规则做成便签；先复述客户诉求再回答。",
                                next_steps="下周独立处理退换货咨询，每天复盘 3 个会话。")
    return 1


def _needs(manager: User | None) -> int:
    if NeedsSurvey.objects.filter(title=SURVEY).exists():
        return 0
    today = timezone.localdate()
    survey = services.survey_create(actor=manager, title=SURVEY, unit=OrgUnit.objects.get(code="HX-EC"),
                                    skills=["退换货政策", "情绪安抚", "大促期间的话术", "工单系统", "数据安全与隐私"],
                                    closes_on=calendar.add_working_days(today, 10))
    skills = survey.skills
    answers = {
        28: [4, 5, 4, 3, 2], 29: [2, 3, 4, 1, 2], 31: [3, 4, 5, 2, 2], 33: [5, 4, 4, 4, 3], 35: [2, 3, 3, 2, 1],
        37: [4, 5, 3, 3, 2], 40: [5, 5, 4, 4, 2],
    }
    for no, values in answers.items():
        services.survey_answer(actor=manager, survey=survey, source="self", respondent=_person(no),
                               ratings=dict(zip(skills, values, strict=True)))
    for no, values in ((26, [4, 5, 5, 2, 3]), (34, [3, 4, 5, 2, 3])):  # the two shops' supervisors
        services.survey_answer(actor=manager, survey=survey, source="supervisor", respondent=_person(no),
                               ratings=dict(zip(skills, values, strict=True)))
    return 1


@transaction.atomic
def demo_load() -> str:
    manager = _user("manager")
    _programme_obj, sessions = _programme(manager)
    templates, plans = _onboarding(manager)
    mentors = _mentoring(manager)
    surveys = _needs(manager)
    return (f"programmes: {sessions} sessions, {templates} onboarding template with {len(plans)} new hires, "
            f"{mentors} mentor certified, {surveys} needs survey created")
