"""Fixtures for the Assessment app: the sample organisation, a small bank and an open exam."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from tests.permissions.sample_org import build_sample_org

from servicecoach.exams import services
from servicecoach.exams.engine.questions import (
    Blank,
    Essay,
    FillInBlank,
    KeyPoint,
    MultipleChoice,
    Option,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from servicecoach.exams.models import PaperKind


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english():
    """Service messages are checked in English (pages follow the language middleware: Chinese first)."""
    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    return build_sample_org()


def single(key: str, topic: str = "投诉处理", difficulty: str = "easy", stem: str | None = None) -> SingleChoice:
    return SingleChoice(key=key, stem=stem or f"{key}：客户来电投诉物流延误，首先应当？", topic=topic,
                        difficulty=difficulty, explanation="先安抚情绪。",
                        options=(Option(id="A", text="安抚情绪并致歉", correct=True), Option(id="B", text="直接转接"),
                                 Option(id="C", text="挂断电话")))


@pytest.fixture
def bank(db):
    """Ten single-choice questions on two topics, and one of each other type."""
    questions = {}
    for i in range(6):
        questions[f"s{i}"] = services.question_create(actor=None, question=single(f"s{i}", "投诉处理", "easy"))
    for i in range(4):
        questions[f"p{i}"] = services.question_create(actor=None, question=single(f"p{i}", "产品知识", "medium"))
    others = [
        MultipleChoice(key="mc", stem="哪些是礼貌用语？", topic="服务礼仪", points=Decimal(2),
                       options=(Option(id="A", text="您好", correct=True), Option(id="B", text="请稍等", correct=True),
                                Option(id="C", text="喂"))),
        TrueFalse(key="tf", stem="客户情绪激动时可以挂断电话。", topic="服务礼仪", answer=False),
        FillInBlank(key="fb", stem="服务热线是 ____。", topic="产品知识", blanks=(Blank(accepted=("95588",)),)),
        ShortAnswer(key="sa", stem="投诉处理的步骤？", topic="投诉处理", points=Decimal(4),
                    key_points=(KeyPoint(id="k1", text="致歉", phrasings=("道歉",)), KeyPoint(id="k2", text="记录问题"))),
        Essay(key="es", stem="谈谈你对优质服务的理解。", topic="服务礼仪", points=Decimal(10)),
    ]
    for q in others:
        questions[q.key] = services.question_create(actor=None, question=q)
    return questions


@pytest.fixture
def fixed_paper(bank):
    chosen = [bank[k] for k in ("s0", "mc", "tf", "fb", "sa", "es")]
    return services.paper_save(actor=None, paper=None, title="固定试卷", kind=PaperKind.FIXED,
                               fixed=[(q, None) for q in chosen])


@pytest.fixture
def make_exam(org):
    def make(paper, **fields):
        now = timezone.now()
        values = dict(title="岗前理论考试", paper=paper, opens_at=now - timedelta(hours=1),
                      closes_at=now + timedelta(days=1), duration_minutes=60, attempts_allowed=1,
                      shuffle_questions=True, shuffle_options=True, layout="one_page", mc_policy="all_or_nothing",
                      pass_percent=Decimal(60))
        values.update(fields)
        people = values.pop("people", [org.people["agent"], org.teammate, org.outsider])
        units = values.pop("units", [])
        return services.exam_save(actor=None, exam=None, people=people, units=units, **values)

    return make
