"""Demo data of courses and learning on the demo organisation (org/demo.py): a general course (service
etiquette, data security) and a specialist course (after-sales process, ticketing tool), each of micro-lessons
ending with a short quiz; the junior agents' learning path (the specialist course locked behind the general
one, automatic enrolment for new junior agents); every active agent enrolled, with some progress, two learners
overdue, and one lesson changed materially so that its re-reads show.

Idempotent: courses and the path are found again by code; enrolments are unique per person and path;
progress is only made up for people who have none yet.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from servicecoach.org.models import Person, PersonStatus, Role, RoleAssignment, User
from servicecoach.training import services
from servicecoach.training.models import (
    Course,
    Enrolment,
    LearningPath,
    Lesson,
    LessonProgress,
    ModuleTopic,
    QuestionKind,
    RereadTask,
)

S, M, TF = QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE

# course code, title, description, [(module title, topic, [(lesson title, minutes, standard, body, questions)])]
# a question: (kind, text, [(answer, correct)]) ; a true/false question: (TF, statement, is_true)
COURSES = [
    ("GEN-101", "服务礼仪与数据安全", "每位客服入职第一周必修：如何问候、倾听、致歉与结束对话，以及如何保护客户信息。", [
        ("服务礼仪", ModuleTopic.ETIQUETTE, [
            ("标准开场白与问候", 15, "STD-OPEN",
             "<h2>为什么开场白很重要</h2><p>客户在前 10 秒形成对服务的第一印象。标准开场白让客户知道："
             "<strong>谁在为他服务</strong>、<strong>可以得到什么帮助</strong>。</p>"
             "<h3>标准话术</h3><ul><li>电话：“您好，华信优选客服 <em>工号</em> 为您服务，请问有什么可以帮您？”</li>"
             "<li>在线：“您好，我是华信优选客服小华，很高兴为您服务～”</li></ul>"
             "<h3>常见错误</h3><ol><li>以“喂”开头</li><li>不报工号</li><li>客户进线 30 秒后才回应</li></ol>",
             [(S, "电话接起后的第一句话应当是？", [("您好，华信优选客服 1024 为您服务", True), ("喂，哪位？", False),
                                               ("请讲", False)]),
              (TF, "在线客服应在客户进线后 30 秒内首次回应。", True),
              (M, "标准开场白包含哪些要素？", [("问候语", True), ("工号或昵称", True), ("公司促销信息", False)])]),
            ("倾听、致歉与安抚情绪", 18, "STD-EMPATHY",
             "<p>客户情绪激动时，先处理情绪，再处理问题。</p><h3>三步法</h3><ol><li><strong>倾听</strong>：不打断，"
             "复述要点确认理解。</li><li><strong>致歉</strong>：为客户的不便致歉，而不是推卸责任。</li>"
             "<li><strong>承诺</strong>：说明下一步与时间点。</li></ol><p>禁用语：“这不是我们的问题”“你听我说”。</p>",
             [(S, "客户情绪激动时，第一步应当？", [("倾听并复述要点", True), ("立即解释公司规定", False),
                                               ("转接主管", False)]),
              (TF, "“这不是我们的问题”是可以使用的致歉用语。", False)]),
        ]),
        ("数据安全与隐私", ModuleTopic.DATA_SECURITY, [
            ("客户信息保护", 16, "STD-PRIVACY",
             "<p>客户的姓名、手机号、地址、订单信息都属于<strong>个人信息</strong>。</p><ul>"
             "<li>核实身份后才能透露订单信息；</li><li>手机号只读后四位；</li>"
             "<li>禁止把客户信息截图发到私人聊天工具。</li></ul>",
             [(S, "核实身份前，可以告诉来电者哪些信息？", [("不透露任何订单信息", True), ("完整收货地址", False),
                                                      ("完整手机号", False)]),
              (TF, "可以把客户订单截图发到私人微信群里讨论。", False)]),
        ]),
    ]),
    ("SPC-201", "售后服务流程与工单系统", "售后咨询组与店铺客服的专业课：退换货流程、工单的创建与流转。", [
        ("售后服务流程", ModuleTopic.PROCESS, [
            ("七天无理由退货流程", 20, "STD-RETURN",
             "<h2>适用范围</h2><p>签收后 7 天内、商品完好的订单。定制商品、生鲜除外。</p>"
             "<table><thead><tr><th>步骤</th><th>客服动作</th></tr></thead><tbody>"
             "<tr><td>1</td><td>核实订单与签收时间</td></tr><tr><td>2</td><td>确认商品状态</td></tr>"
             "<tr><td>3</td><td>在系统中发起退货并告知寄回地址</td></tr></tbody></table>",
             [(S, "七天无理由退货从何时开始计算？", [("签收次日", True), ("下单当天", False), ("发货当天", False)]),
              (M, "哪些商品不适用七天无理由退货？", [("定制商品", True), ("生鲜", True), ("普通服装", False)])]),
        ]),
        ("工单系统", ModuleTopic.TOOLS, [
            ("创建与流转工单", 15, "",
             "<p>无法在本次对话中解决的问题，必须创建工单。</p><ul><li>标题写清问题，正文写清客户诉求与已做处理；</li>"
             "<li>选择正确的问题分类，系统会自动分派；</li><li>承诺客户的回复时间须与工单时限一致。</li></ul>",
             [(TF, "所有无法当场解决的问题都需要创建工单。", True),
              (S, "工单正文应当包含？", [("客户诉求与已做处理", True), ("只写客户姓名", False),
                                      ("客服个人看法", False)])]),
        ]),
    ]),
]

PATH_CODE = "PATH-AGENT-JR"


def _build_course(code, title, description, modules, actor) -> Course:
    course = services.course_create(actor=actor, code=code, title=title, description=description)
    for module_title, topic, lessons in modules:
        module = services.module_create(actor=actor, course=course, title=module_title, topic=topic)
        for lesson_title, minutes, standard, body, questions in lessons:
            lesson = services.lesson_create(actor=actor, module=module, title=lesson_title, body=body,
                                            minutes=minutes, is_micro=True, standard_code=standard)
            for kind, text, answers in questions:
                choices = [("", answers)] if kind == TF else answers
                services.quiz_question_add(actor=actor, lesson=lesson, kind=kind, text=text, choices=choices)
    services.course_set_published(actor=actor, course=course, published=True)
    return course


def _pass(person: Person, lesson: Lesson) -> None:
    services.lesson_mark_read(person=person, lesson=lesson)
    answers = {q.pk: [c.pk for c in q.choices.all() if c.correct]
               for q in lesson.quiz.questions.prefetch_related("choices")}
    services.quiz_submit(person=person, lesson=lesson, answers=answers)


def _fail(person: Person, lesson: Lesson) -> None:
    answers = {q.pk: [next(c.pk for c in q.choices.all() if not c.correct)]
               for q in lesson.quiz.questions.prefetch_related("choices")}
    services.quiz_submit(person=person, lesson=lesson, answers=answers)


@transaction.atomic
def demo_load() -> str:
    actor = User.objects.filter(username="trainer").first() or User.objects.filter(username="admin").first()
    created_courses = 0
    courses = {}
    for code, title, description, modules in COURSES:
        course = Course.objects.filter(code=code).first()
        if course is None:
            course = _build_course(code, title, description, modules, actor)
            created_courses += 1
        courses[code] = course

    path = LearningPath.objects.filter(code=PATH_CODE).first()
    if path is None:
        path = services.path_create(actor=actor, code=PATH_CODE, title="初级客服必修路径", role=Role.AGENT,
                                    level="junior", auto_enrol=True, due_days=30,
                                    description="新入职初级客服 30 天内完成：先通用礼仪与数据安全，再售后流程与工单系统。")
        services.path_course_add(actor=actor, path=path, course=courses["GEN-101"], due_days=14)
        services.path_course_add(actor=actor, path=path, course=courses["SPC-201"],
                                 prerequisites=[courses["GEN-101"]], due_days=30)

    agents = list(Person.objects.filter(status=PersonStatus.ACTIVE, pk__in=RoleAssignment.objects.filter(
        role=Role.AGENT).values("person_id")).order_by("employee_no"))
    today = timezone.localdate()
    new_enrolments = 0
    for index, person in enumerate(agents):
        # two learners started long ago and are behind: the report shows them overdue
        started = today - datetime.timedelta(days=45 if index in (3, 9) else 3 + index % 10)
        new_enrolments += services.enrol(actor=actor, person=person, path=path, on=started)[1]

    lessons = list(Lesson.objects.filter(module__course=courses["GEN-101"]).order_by("module__position", "position"))
    specialist = list(Lesson.objects.filter(module__course=courses["SPC-201"])
                      .order_by("module__position", "position"))
    with_progress = 0
    for index, person in enumerate(agents):
        if LessonProgress.objects.filter(person=person).exists():
            continue
        if person.user is not None and person.user.username == "agent":
            _pass(person, lessons[0])  # the demo agent: one lesson done, the next one waiting
        elif index % 4 == 0:
            for lesson in lessons + specialist:
                _pass(person, lesson)
        elif index % 4 == 1:
            _fail(person, lessons[0])
            for lesson in lessons:
                _pass(person, lesson)
        elif index % 4 == 2 and index not in (3, 9):
            _pass(person, lessons[0])
            services.lesson_open(person=person, lesson=lessons[1])
        else:
            continue
        with_progress += 1

    privacy = lessons[-1]
    rereads = 0
    if privacy.version == 1 and LessonProgress.objects.filter(lesson=privacy, status="completed").exists():
        rereads = services.lesson_update(
            actor=actor, lesson=privacy, title=privacy.title,
            body=privacy.body + "<p><strong>新增：</strong>通话录音与聊天记录同样属于个人信息，导出须经主管审批。</p>",
            minutes=privacy.minutes, is_micro=True, standard_code=privacy.standard_code, material_change=True,
            note="2026 版隐私规范：录音与聊天记录的导出须审批")
        privacy.refresh_from_db()
        # a third of them have already re-read it and passed again, so the manager's list shows both states
        for task in RereadTask.objects.filter(lesson=privacy).select_related("person").order_by("person__employee_no")[::3]:
            _pass(task.person, privacy)
    enrolled = Enrolment.objects.filter(path=path).count()
    return (f"{created_courses} courses created ({Course.objects.count()} in all), path {path.code} with "
            f"{enrolled} learners ({new_enrolments} new), progress for {with_progress}, {rereads} re-read tasks")
