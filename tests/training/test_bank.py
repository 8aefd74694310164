"""Copying question-bank questions (exams app) into a lesson's own quiz."""

from __future__ import annotations

from django.urls import reverse

from servicecoach.exams import services as exam_services
from servicecoach.exams.engine.questions import Essay, MultipleChoice, Option, SingleChoice, TrueFalse
from servicecoach.org.models import Role
from servicecoach.training import services
from servicecoach.training.models import QuestionKind, QuizQuestion


def _bank():
    single = exam_services.question_create(actor=None, question=SingleChoice(
        key="bank-greet", stem="接起电话先说什么？", topic="礼仪", explanation="先问候",
        options=(Option(id="a", text="您好", correct=True), Option(id="b", text="喂"))))
    multiple = exam_services.question_create(actor=None, question=MultipleChoice(
        key="bank-privacy", stem="哪些是个人信息？", topic="隐私",
        options=(Option(id="a", text="手机号", correct=True), Option(id="b", text="地址", correct=True),
                 Option(id="c", text="天气"))))
    statement = exam_services.question_create(actor=None, question=TrueFalse(
        key="bank-tf", stem="可以打断客户。", answer=False))
    essay = exam_services.question_create(actor=None, question=Essay(key="bank-essay", stem="谈谈服务意识。"))
    return [q.versions.get(number=q.version) for q in (single, multiple, statement, essay)]


def test_choice_questions_are_copied_and_others_named(course):
    added, skipped = services.quiz_questions_from_bank(actor=None, lesson=course.plain, versions=_bank())
    assert added == 3
    assert len(skipped) == 1 and "bank-essay" in skipped[0]
    copied = {q.bank_key: q for q in QuizQuestion.objects.filter(quiz__lesson=course.plain)}
    assert set(copied) == {"bank-greet", "bank-privacy", "bank-tf"}
    greet = copied["bank-greet"]
    assert (greet.kind, greet.text, greet.explanation) == (QuestionKind.SINGLE, "接起电话先说什么？", "先问候")
    assert [(c.text, c.correct) for c in greet.choices.all()] == [("您好", True), ("喂", False)]
    assert [c.text for c in copied["bank-privacy"].choices.filter(correct=True)] == ["手机号", "地址"]
    assert [(c.text, c.correct) for c in copied["bank-tf"].choices.all()] == [("正确", False), ("错误", True)]


def test_copying_twice_adds_nothing(course):
    versions = _bank()
    services.quiz_questions_from_bank(actor=None, lesson=course.plain, versions=versions)
    added, skipped = services.quiz_questions_from_bank(actor=None, lesson=course.plain, versions=versions)
    assert added == 0 and len(skipped) == 4
    assert QuizQuestion.objects.filter(quiz__lesson=course.plain).count() == 3


def test_trainer_copies_through_the_page(client, make_person, course):
    versions = _bank()
    trainer = make_person(Role.TRAINER)
    client.force_login(trainer.user)
    url = reverse("training:lesson-bank", args=[course.plain.pk])
    page = client.get(url + "?topic=礼仪").content.decode()
    assert "接起电话先说什么" in page and "哪些是个人信息" not in page and "谈谈服务意识" not in page
    client.post(url, {"question": [str(versions[0].question.pk)]})
    assert list(QuizQuestion.objects.filter(quiz__lesson=course.plain).values_list("bank_key", flat=True)) == [
        "bank-greet"]
    page = client.get(url).content.decode()
    assert "已在测验中" in page
