"""Review demo data on top of the quality demo (quality/demo.py): a weekly random plan and a targeted
plan with their runs, part of the reviews submitted with problems marked (so the dashboard has
something to show), an appeal of the demo agent waiting for the demo supervisor, a published case and
a calibration session half done.

Idempotent: nothing is added once the demo plans exist. Everything goes through review.services."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from servicecoach.org.models import OrgUnit, Person, User
from servicecoach.quality.models import Conversation
from servicecoach.review import services
from servicecoach.review.models import (
    AssignMode,
    PlanKind,
    ProblemType,
    Recurrence,
    Review,
    ReviewStatus,
    SamplingPlan,
    Severity,
)

WEEKLY = "每周随机抽检 10%"
TARGETED = "红线与低分定向抽检"


def _marks(review: Review, rng: random.Random) -> dict[int, dict]:
    """A reviewer's plausible marks: mostly the automatic ones, now and then a point taken."""
    marks = {}
    for item in review.items.all():
        if not item.applicable:
            marks[item.position] = {"na": True}
            continue
        if item.red_line:
            marks[item.position] = {"violated": item.violated, "problem_type": "compliance", "severity": "severe"}
            continue
        earned = item.earned if item.earned is not None else item.points
        if not item.bonus and earned >= item.points and rng.random() < 0.08:
            earned = 0.0
        mark = {"earned": earned}
        if earned < item.points and not item.bonus:
            mark["problem_type"] = rng.choice(ProblemType.values)
            mark["severity"] = rng.choices(Severity.values, weights=[5, 3, 1])[0]
            mark["comment"] = "演示：复核扣分"
        marks[item.position] = mark
    return marks


def demo_load() -> str:
    if SamplingPlan.objects.filter(name__in=[WEEKLY, TARGETED]).exists():
        return "review: demo plans already there"
    company = OrgUnit.objects.filter(code="HX").first()
    qa = {p.employee_no: p for p in Person.objects.filter(employee_no__in=["HX0004", "HX0005", "HX0006"])}
    if company is None or len(qa) < 3 or not Conversation.objects.exists():
        return "review: no demo organisation or conversations (load them first)"
    zhao, ma, xu = qa["HX0004"], qa["HX0005"], qa["HX0006"]
    admin = User.objects.filter(username="admin").first()
    today = timezone.localdate()
    rng = random.Random(2026)
    with transaction.atomic():
        weekly = services.plan_save(actor=admin, plan=None, fields={
            "name": WEEKLY, "unit": company, "kind": PlanKind.RANDOM, "percent": 10, "recurrence": Recurrence.WEEKLY,
            "assign_mode": AssignMode.WEIGHTED}, reviewers=[(zhao, 2), (xu, 1)])
        targeted = services.plan_save(actor=admin, plan=None, fields={
            "name": TARGETED, "unit": company, "kind": PlanKind.TARGETED, "targets": ["red_line", "low_score"],
            "score_below": 70, "limit": 30, "recurrence": Recurrence.ONCE,
            "date_from": today - timedelta(days=31), "date_to": today - timedelta(days=8)},
            reviewers=[(zhao, 1), (ma, 1)])
        targeted_run = services.plan_run(actor=admin, plan=targeted, today=today).run
        weekly_run = services.plan_run(actor=admin, plan=weekly, today=today).run
        submitted = 0
        # the targeted plan's reviews are done (they feed the dashboard); the weekly ones wait in the queues
        for review in Review.objects.filter(run=targeted_run).order_by("pk"):
            reviewer_user = review.reviewer.user
            services.review_open(review=review, user=reviewer_user)
            Review.objects.filter(pk=review.pk).update(
                opened_at=timezone.now() - timedelta(minutes=rng.randint(4, 15)))
            services.review_save(actor=reviewer_user, review=review, version=review.version,
                                 marks=_marks(review, rng), comment="演示复核", submit=True)
            submitted += 1
        agent = Person.objects.filter(user__username="agent").first()
        appeal_note = ""
        if agent is not None:
            conversation = Conversation.objects.filter(agent=agent).exclude(reviews__isnull=False).order_by(
                "-started_at").first()
            if conversation is not None:
                review = services.review_assign(actor=admin, conversation=conversation, reviewer=zhao)
                marks = _marks(review, random.Random(1))
                item = next(i for i in review.items.all() if i.applicable and not i.red_line and not i.bonus)
                marks[item.position] = {"earned": 0, "problem_type": "communication", "severity": "general",
                                        "comment": "未确认客户问题已解决"}
                review = services.review_save(actor=zhao.user, review=review, version=0, marks=marks, submit=True)
                services.appeal_create(actor=agent.user, review=review, item_ids=[item.pk],
                                       comment="客户在会话末尾已确认问题解决，请复核。")
                appeal_note = ", 1 appeal waiting for the supervisor"
                case = services.case_save(actor=zhao.user, review=review, data={
                    "title": "物流延误投诉的安抚与跟进", "outcome": "good",
                    "background": f"客户（{conversation.customer_id or '会员'}）反映快递多日未到，情绪激动。",
                    "problem": "物流延误，客户担心包裹丢失。",
                    "handling": "客服先致歉安抚，再查询物流并催促站点，给出预计送达时间。",
                    "result": "客户接受处理方案，会话满意度良好。"})
                services.case_publish(actor=zhao.user, case=case)
        picks = list(Conversation.objects.exclude(reviews__isnull=False).filter(agent__isnull=False)
                     .order_by("-started_at")[:2])
        if picks:
            session = services.session_create(actor=admin, title="十一月质检校准", expert=zhao,
                                              participants=[ma, xu], conversations=picks)
            for review in session.reviews.filter(reviewer__in=[zhao, ma]):
                services.review_save(actor=review.reviewer.user, review=review, version=0,
                                     marks=_marks(review, rng), submit=True)
    waiting = Review.objects.exclude(status=ReviewStatus.SUBMITTED).count()
    return (f"review: 2 plans, {targeted_run.picked + weekly_run.picked} conversations sampled, {submitted} reviews "
            f"submitted, {waiting} waiting in queues{appeal_note}, 1 case, 1 calibration session")
