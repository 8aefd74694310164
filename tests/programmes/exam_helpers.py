"""A small exam taken through the exams app's own services, for the needs report and the training record."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from servicecoach.exams import services as exam_services
from servicecoach.exams.engine.questions import Option, SingleChoice
from servicecoach.exams.models import PaperKind


def _single(key: str, topic: str) -> SingleChoice:
    return SingleChoice(key=key, stem=f"{key}：客户来电投诉物流延误，首先应当？", topic=topic, difficulty="easy",
                        options=(Option(id="A", text="安抚情绪并致歉", correct=True), Option(id="B", text="直接转接")))


def sat_exam(people_answers: dict, *, title: str = "岗前理论考试", release: bool = True):
    """Two questions on 投诉处理 and two on 产品知识; ``people_answers`` maps a person to the set of topics they
    answer correctly (the others wrong). Every attempt is submitted and marked. Returns the exam."""
    stamp = timezone.now().strftime("%H%M%S%f")
    questions = [exam_services.question_create(actor=None, question=_single(f"{prefix}{i}-{stamp}", topic))
                 for prefix, topic in (("c", "投诉处理"), ("p", "产品知识")) for i in range(2)]
    paper = exam_services.paper_save(actor=None, paper=None, title=f"试卷 {stamp}", kind=PaperKind.FIXED,
                                     fixed=[(q, None) for q in questions])
    now = timezone.now()
    exam = exam_services.exam_save(
        actor=None, exam=None, people=list(people_answers), units=[], title=title, paper=paper,
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), duration_minutes=60,
        attempts_allowed=1, shuffle_questions=False, shuffle_options=False, layout="one_page",
        mc_policy="all_or_nothing", pass_percent=Decimal(60))
    for person, right_topics in people_answers.items():
        attempt = exam_services.attempt_start(exam=exam, person=person)
        for item in attempt.items.select_related("version__question"):
            answer = "A" if item.version.question.topic in right_topics else "B"
            exam_services.answer_save(attempt=attempt, position=item.position, answer=answer, client_time=1)
        exam_services.attempt_submit(attempt=attempt)
    if release:
        exam_services.exam_release(actor=None, exam=exam)
    return exam
