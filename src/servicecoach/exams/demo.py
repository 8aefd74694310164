"""Demo data of the Assessment app on the demo organisation (org/demo.py): a bank of 40 questions
imported through the Excel template, a blueprint paper, a theory exam for 天猫旗舰店客服组 with
four candidates' attempts (one essay left in the marking queue), scenario cards, a practical
rubric and an assessment scored by the trainer and the shop's supervisor, with composite grades,
advice and feedback (one sent, the others due). Idempotent: everything is found again by title or
key; the questions by their content fingerprint (re-importing adds nothing)."""

from __future__ import annotations

import io
import random
from datetime import timedelta
from decimal import Decimal

import openpyxl
from django.db import transaction
from django.utils import timezone

from servicecoach.exams import services
from servicecoach.exams.engine import importers
from servicecoach.exams.models import Assessment, Attempt, Exam, Paper, PracticalRubric, ScenarioCard
from servicecoach.org.models import OrgUnit, Person, User

EXAM_TITLE = "2026年11月新员工岗前理论考试"
PAPER_TITLE = "新员工岗前理论试卷（蓝图）"
ASSESSMENT_TITLE = "2026年11月新员工综合考核"
RUBRIC_TITLE = "投诉处理实操考核评分表"

_S, _M, _T, _F, _A, _E = "单选题", "多选题", "判断题", "填空题", "简答题", "论述题"

# 题型, 题目, A..D, 正确答案, 解析, 知识点/模块, 难度, 分值, 标签
QUESTIONS = [
    (_S, "客户来电投诉物流延误，首先应当？", "安抚情绪并致歉", "直接转接物流部门", "解释不是我们的责任", "请客户稍后再打", "A", "先处理情绪，再处理事情。", "投诉处理", "易", "tag:物流"),
    (_S, "客户要求投诉升级时，客服应？", "拒绝升级", "记录诉求并按流程提交升级", "让客户自行联系主管", "挂断电话", "B", "按升级流程处理，不推诿。", "投诉处理", "中", ""),
    (_S, "首问负责制是指？", "第一个接待客户的人负责跟进到底", "由主管负责", "由最后处理的人负责", "由客户选择负责人", "A", "", "投诉处理", "易", ""),
    (_S, "投诉工单的首次回访时限一般为？", "24小时内", "3天内", "一周内", "无要求", "A", "公司规定24小时内首次回访。", "投诉处理", "中", "时效"),
    (_S, "客户情绪激动并辱骂客服时，正确做法是？", "以牙还牙", "保持冷静，提醒文明沟通并继续协助", "直接挂断", "沉默不语", "B", "", "投诉处理", "中", ""),
    (_S, "处理投诉时“复述确认”的目的是？", "拖延时间", "确保理解客户诉求无误", "让客户重复", "记录通话时长", "B", "", "投诉处理", "易", ""),
    (_S, "以下哪项不是投诉处理的基本步骤？", "倾听", "致歉", "争辩", "解决", "C", "", "投诉处理", "易", ""),
    (_S, "7天无理由退货的起算时间是？", "下单时", "签收次日", "发货时", "付款时", "B", "自签收次日起计算。", "售后政策", "中", "退货"),
    (_S, "商品出现质量问题，退货运费由谁承担？", "客户", "商家", "快递公司", "平台", "B", "", "售后政策", "易", "运费"),
    (_S, "价保服务的期限一般为？", "3天", "7天", "15天", "30天", "B", "", "售后政策", "中", ""),
    (_S, "订单查询时，应首先核实客户的？", "家庭住址", "订单号或注册手机号", "身份证号", "银行卡号", "B", "只核实必要信息，保护隐私。", "系统操作", "易", "隐私"),
    (_S, "工单系统中“挂起”状态表示？", "已完结", "等待客户或其他部门反馈", "已删除", "已升级", "B", "", "系统操作", "中", ""),
    (_S, "旗舰店主推的扫地机器人续航时间约为？", "30分钟", "90分钟", "180分钟", "300分钟", "C", "", "产品知识", "中", ""),
    (_S, "空气净化器滤网建议更换周期为？", "1个月", "3-6个月", "2年", "无需更换", "B", "", "产品知识", "易", ""),
    (_S, "以下哪款产品支持以旧换新？", "全部家电产品", "仅手机", "活动页标注的指定产品", "不支持", "C", "以活动页为准。", "产品知识", "难", ""),
    (_S, "电话接通后的标准开场白应包含？", "公司名称、工号和问候语", "只说“喂”", "直接询问订单号", "客户姓名", "A", "", "服务礼仪", "易", "开场白"),
    (_M, "以下哪些属于服务礼貌用语？", "您好", "请稍等", "喂，说话", "感谢您的耐心等待", "ABD", "", "服务礼仪", "易", ""),
    (_M, "处理投诉时应做到？", "耐心倾听", "及时致歉", "推卸责任", "给出解决方案", "ABD", "", "投诉处理", "中", ""),
    (_M, "以下哪些情况可以申请退货？", "商品质量问题", "7天内未拆封", "定制商品", "发错货", "ABD", "定制商品不适用无理由退货。", "售后政策", "中", ""),
    (_M, "工单记录必须包含？", "客户诉求", "处理过程", "客服个人评价", "处理结果", "ABD", "", "系统操作", "中", ""),
    (_M, "保护客户隐私的做法包括？", "不在公开场合复述完整手机号", "只核实必要信息", "把客户信息发到个人微信", "通话录音按规定保存", "ABD", "", "服务礼仪", "难", "隐私"),
    (_M, "扫地机器人常见故障包括？", "无法回充", "边刷缠绕", "屏幕碎裂", "吸力下降", "ABD", "", "产品知识", "难", ""),
    (_T, "客户情绪激动时，客服可以先挂断电话冷静一下。", "", "", "", "", "错误", "任何情况下不得主动挂断客户电话。", "服务礼仪", "易", ""),
    (_T, "向客户承诺无法兑现的事项可以提高满意度。", "", "", "", "", "错误", "", "投诉处理", "易", ""),
    (_T, "质量问题退货的运费由商家承担。", "", "", "", "", "正确", "", "售后政策", "易", ""),
    (_T, "工单处理完毕后无需回访。", "", "", "", "", "错误", "", "系统操作", "中", ""),
    (_T, "标准开场白必须报出工号。", "", "", "", "", "正确", "", "服务礼仪", "易", ""),
    (_T, "价保期内商品降价，客户可申请退还差价。", "", "", "", "", "正确", "", "售后政策", "中", ""),
    (_F, "公司客服热线是 ____。", "", "", "", "", "400-800-1234;4008001234", "", "产品知识", "易", ""),
    (_F, "投诉工单应在 ____ 小时内首次回访。", "", "", "", "", "24;二十四", "", "投诉处理", "易", ""),
    (_F, "7天无理由退货自 ____ 次日起计算。", "", "", "", "", "签收", "", "售后政策", "中", ""),
    (_F, "空气净化器滤网建议每 ____ 个月更换。", "", "", "", "", "3-6;3到6;三到六", "", "产品知识", "中", ""),
    (_A, "简述投诉处理的基本步骤。", "", "", "", "", "倾听(1)|致歉;道歉(1)|记录;登记(1)|解决;方案(1)|回访(1)", "", "投诉处理", "中", ""),
    (_A, "客户要求退货但已超过7天，应如何处理？", "", "", "", "", "解释政策;说明规定|质量问题;检测|替代方案;换货;维修", "", "售后政策", "难", ""),
    (_A, "如何在通话中保护客户隐私？", "", "", "", "", "核实必要信息|不复述完整;脱敏|按规定保存", "", "服务礼仪", "中", ""),
    (_A, "工单“挂起”后应做哪些跟进？", "", "", "", "", "设置提醒|联系相关部门;协调|告知客户进度", "", "系统操作", "难", ""),
    (_E, "结合实际案例，谈谈如何把一次投诉转化为客户的信任。", "", "", "", "", "", "", "投诉处理", "难", ""),
    (_E, "你认为优质客户服务最重要的三个要素是什么？请说明理由。", "", "", "", "", "", "", "服务礼仪", "中", ""),
    (_S, "客户咨询发票开具，应引导其？", "在订单详情页申请电子发票", "到线下门店", "联系快递员", "无法开具", "A", "", "系统操作", "易", "发票"),
    (_S, "扫地机器人的质保期为？", "半年", "1年", "2年", "终身", "B", "", "产品知识", "中", ""),
]

POINTS = {_S: "2", _M: "3", _T: "1", _F: "2", _A: "5", _E: "10"}


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = importers.EXCEL_SHEET
    ws.append(importers.EXCEL_COLUMNS)
    for qtype, stem, a, b, c, d, answer, explanation, topic, difficulty, tags in QUESTIONS:
        ws.append([qtype, stem, a, b, c, d, "", "", answer, explanation, topic, difficulty, POINTS[qtype],
                   tags.removeprefix("tag:")])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


BLUEPRINT = [
    {"topic": "投诉处理", "difficulty": "", "qtype": "single_choice", "count": 4, "points_each": None},
    {"topic": "", "difficulty": "", "qtype": "single_choice", "count": 0, "points_each": None},
    {"topic": "产品知识", "difficulty": "", "qtype": "single_choice", "count": 2, "points_each": None},
    {"topic": "售后政策", "difficulty": "", "qtype": "single_choice", "count": 2, "points_each": None},
    {"topic": "", "difficulty": "", "qtype": "multiple_choice", "count": 3, "points_each": None},
    {"topic": "", "difficulty": "", "qtype": "true_false", "count": 4, "points_each": None},
    {"topic": "", "difficulty": "", "qtype": "fill_in_blank", "count": 2, "points_each": None},
    {"topic": "", "difficulty": "", "qtype": "short_answer", "count": 2, "points_each": None},
    {"topic": "", "difficulty": "", "qtype": "essay", "count": 1, "points_each": None},
]

CARDS = [
    ("fault-angry", "产品故障且客户情绪激动", "客户购买的扫地机器人第二次出现无法回充，来电语气激动，要求立即退货。",
     "暴躁、反复打断，威胁要给差评", "安抚情绪并致歉\n核实订单与故障现象\n说明检测/换货政策\n给出处理时限并记录工单", ["投诉"]),
    ("logistics-delay", "物流延误投诉", "客户的订单超过承诺时效3天未送达，客户要求赔偿。",
     "焦急、不满，但愿意沟通", "致歉并查询物流轨迹\n联系物流跟进\n按规则申请补偿\n承诺回访时间", ["投诉"]),
    ("price-protect", "降价后申请价保", "客户购买5天后商品降价200元，要求退差价。", "理性，但对规则有疑问",
     "确认价保期限\n指导申请流程\n告知到账时间", ["售后"]),
    ("wrong-item", "发错货", "客户收到的颜色与订单不符，急需使用。", "着急，语气尚可",
     "致歉\n核实订单\n安排换货并优先发出\n告知退回方式与运费承担", ["投诉", "售后"]),
    ("invoice", "发票开具咨询", "客户需要为公司报销开具专票。", "平和", "说明开票类型\n指导在订单页申请\n核对抬头税号", ["咨询"]),
]

RUBRIC = ("open | 使用标准开场白 | 10 | 优=10 公司名称、工号、问候完整; 良=7 缺一项; 差=3 未使用\n"
          "calm | 安抚客户情绪 | 20 | 优=20 共情到位; 良=14 有安抚但生硬; 差=6 未安抚\n"
          "verify | 核实信息准确 | 20 | 优=20 信息完整准确; 良=14 有遗漏; 差=6 错误\n"
          "solve | 正确查询并告知处理进度 | 30 | 优=30 方案正确且时限明确; 良=21 方案基本正确; 差=9 方案错误\n"
          "close | 规范结束并记录工单 | 20 | 优=20 复述确认并完整记录; 良=14 记录不完整; 差=6 未记录")


@transaction.atomic
def demo_load() -> str:
    admin = User.objects.filter(username="admin").first()
    trainer = Person.objects.filter(user__username="trainer").first()
    supervisor = Person.objects.filter(user__username="supervisor").first()
    shop = OrgUnit.objects.filter(code="HX-EC-TM").first()
    if trainer is None or supervisor is None or shop is None:
        return "exams: the demo organisation is missing; nothing loaded"
    report = services.bank_import(actor=admin, fmt="excel", data=_workbook(), filename="演示题库.xlsx")
    if report.problems:
        raise ValueError("demo bank: " + "; ".join(report.problems))

    paper = Paper.objects.filter(title=PAPER_TITLE).first()
    if paper is None:
        paper = services.paper_save(actor=admin, paper=None, title=PAPER_TITLE, kind="blueprint",
                                    description="每位考生随机抽题，题型与知识点分布相同。",
                                    quotas=[q for q in BLUEPRINT if q["count"]])
    now = timezone.now()
    exam = Exam.objects.filter(title=EXAM_TITLE).first()
    if exam is None:
        exam = services.exam_save(
            actor=admin, exam=None, people=[], units=[shop], title=EXAM_TITLE, paper=paper,
            opens_at=now - timedelta(days=7), closes_at=now + timedelta(days=7), duration_minutes=60,
            attempts_allowed=1, shuffle_questions=True, shuffle_options=True, layout="one_page",
            mc_policy="proportional", pass_percent=Decimal(60))
    candidates = list(Person.objects.filter(unit=shop, status="active").exclude(user__username__in=["agent"])
                      .exclude(pk=supervisor.pk).order_by("employee_no")[:4])
    attempts_made = 0
    for n, person in enumerate(candidates):
        if Attempt.objects.filter(exam=exam, person=person).exists():
            continue
        _take(exam, person, skill=0.95 - 0.15 * n, rng=random.Random(n), trainer=trainer, mark_essay=n < 3)
        attempts_made += 1

    cards = 0
    for key, title, situation, role, handling, tags in CARDS:
        if not ScenarioCard.objects.filter(key=key).exists():
            services.scenario_card_save(actor=admin, card=None, key=key, title=title, situation=situation,
                                        customer_role=role, expected_handling=handling, tags=tags, active=True)
            cards += 1
    rubric = PracticalRubric.objects.filter(title=RUBRIC_TITLE).first() or services.rubric_save(
        actor=admin, rubric=None, title=RUBRIC_TITLE, items=services.rubric_items_from_text(RUBRIC))
    assessment = Assessment.objects.filter(title=ASSESSMENT_TITLE).first()
    if assessment is None:
        assessment = services.assessment_save(
            actor=admin, assessment=None, people=candidates, units=[], assessors=[trainer, supervisor],
            title=ASSESSMENT_TITLE, held_on=timezone.localdate() - timedelta(days=6), theory_exam=exam, rubric=rubric,
            card_tags=["投诉"], margin_share=Decimal("0.20"), weight_theory=Decimal("0.30"),
            weight_practical=Decimal("0.50"), weight_overall=Decimal("0.20"), rounding="none")
        levels = ["优", "良", "优", "良", "差"]
        for n, candidate in enumerate(assessment.candidates.select_related("person")):
            services.scenario_draw(actor=admin, candidate=candidate)
            for k, assessor in enumerate((trainer, supervisor)):
                values = {item: levels[(n + i + k * (n % 2)) % len(levels)]
                          for i, item in enumerate(("open", "calm", "verify", "solve", "close"))}
                services.panel_scores_save(assessor=assessor, candidate=candidate, values=values)
            services.conduct_save(actor=admin, candidate=candidate, attendance_rate=Decimal(1) - Decimal(n) / 20,
                                  participation=[Decimal(5 - n % 2), Decimal(4)], teamwork=[Decimal(4), Decimal(5 - n % 3)])
        services.assessment_compute(assessment=assessment)
        first = assessment.candidates.order_by("person__employee_no").first()
        if first is not None and first.computed_at:
            services.feedback_send(actor=admin, candidate=first, text="\n".join(a["zh"] for a in first.advice)
                                   or "整体表现良好，请继续保持。")
    linked = _programme_assessment(admin, paper, rubric, trainer, supervisor)
    return (f"exams: {len(report.created)} questions added ({len(report.duplicates)} already there), "
            f"{attempts_made} attempts, {cards} scenario cards; exam “{EXAM_TITLE}”, assessment “{ASSESSMENT_TITLE}”"
            + linked)


PROGRAMME_EXAM_TITLE = "新员工入职培训结业理论考试"
PROGRAMME_ASSESSMENT_TITLE = "新员工入职培训结业考核"


def _programme_assessment(admin, paper, rubric, trainer, supervisor) -> str:
    """With the programmes demo loaded: a theory exam for everyone in the new-hire programme and a closing
    assessment linked to it, whose candidates' attendance is taken from the programme's classroom sessions."""
    from servicecoach.exams.models import AssessmentCandidate
    from servicecoach.exams.selectors import programme_attendance
    from servicecoach.programmes.demo import PROGRAMME
    from servicecoach.programmes.models import Programme

    programme = Programme.objects.filter(title=PROGRAMME).first()
    if programme is None:
        return ""
    if Assessment.objects.filter(title=PROGRAMME_ASSESSMENT_TITLE).exists():
        return f"; programme exam and assessment for “{PROGRAMME}” already there"
    now = timezone.now()
    exam = services.exam_save(
        actor=admin, exam=None, people=[], units=[], programmes=[programme], title=PROGRAMME_EXAM_TITLE, paper=paper,
        opens_at=now + timedelta(days=14), closes_at=now + timedelta(days=15), duration_minutes=60,
        attempts_allowed=1, shuffle_questions=True, shuffle_options=True, layout="one_page", mc_policy="proportional",
        pass_percent=Decimal(60))
    assessment = services.assessment_save(
        actor=admin, assessment=None, people=[], units=[], assessors=[trainer, supervisor], programme=programme,
        title=PROGRAMME_ASSESSMENT_TITLE, held_on=programme.end_date, theory_exam=exam, rubric=rubric,
        card_tags=["投诉"], margin_share=Decimal("0.20"), weight_theory=Decimal("0.30"),
        weight_practical=Decimal("0.50"), weight_overall=Decimal("0.20"), rounding="none")
    from_programme = 0
    for candidate in AssessmentCandidate.objects.filter(assessment=assessment).select_related("person", "assessment"):
        if programme_attendance(candidate.person, programme) is not None:
            services.conduct_save(actor=admin, candidate=candidate, attendance_rate=None, from_programme=True,
                                  participation=[Decimal(4), Decimal(4)], teamwork=[Decimal(4), Decimal(5)])
            from_programme += 1
    return (f"; exam “{PROGRAMME_EXAM_TITLE}” for “{PROGRAMME}” and assessment “{PROGRAMME_ASSESSMENT_TITLE}” "
            f"({from_programme} candidates' attendance from the programme)")


ANSWERS = {
    "short_answer": ["先倾听客户，再致歉，记录问题并给出方案，最后回访", "解释政策，确认是否质量问题，提供换货或维修",
                     "只核实必要信息", "设置提醒并告知客户进度"],
    "essay": ["把投诉当作改进的机会：及时响应、真诚致歉、给出超出预期的方案，并持续回访。"],
}


def _take(exam: Exam, person: Person, *, skill: float, rng: random.Random, trainer: Person, mark_essay: bool) -> None:
    """A candidate answers: right with probability ``skill``; submitted and marked automatically."""
    attempt = services.attempt_start(exam=exam, person=person, now=timezone.now() - timedelta(days=2))
    for item in attempt.items.select_related("version"):
        data = item.version.data
        right = rng.random() < skill
        t = data["type"]
        if t == "single_choice":
            ids = [o["id"] for o in data["options"]]
            correct = [o["id"] for o in data["options"] if o["correct"]][0]
            answer = correct if right else rng.choice([i for i in ids if i != correct])
        elif t == "multiple_choice":
            correct = sorted(o["id"] for o in data["options"] if o["correct"])
            answer = correct if right else correct[:-1]
        elif t == "true_false":
            answer = data["answer"] if right else not data["answer"]
        elif t == "fill_in_blank":
            answer = [b["accepted"][0] if right else "不知道" for b in data["blanks"]]
        else:
            answer = rng.choice(ANSWERS[t])
        services.answer_save(attempt=attempt, position=item.position, answer=answer, client_time=1,
                             now=attempt.started_at + timedelta(minutes=5))
    attempt = services.attempt_submit(attempt=attempt, now=attempt.started_at + timedelta(minutes=40))
    for item in attempt.items.filter(status="needs_review"):
        services.item_review(actor=trainer.user, item=item, adjustment=Decimal(1), reason="表述不同但要点基本正确")
    if mark_essay:
        for item in attempt.items.filter(status="pending"):
            services.item_mark_essay(actor=trainer.user, item=item, levels={"score": str(6 + rng.randint(0, 3))})
