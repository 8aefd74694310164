"""Helpers shared by the training tests."""

from __future__ import annotations

from servicecoach.training import services
from servicecoach.training.models import QuestionKind


def add_single(lesson, text="问题", right="对", wrong=("错",)):
    return services.quiz_question_add(actor=None, lesson=lesson, kind=QuestionKind.SINGLE, text=text,
                                      choices=[(right, True)] + [(w, False) for w in wrong])


def right_answers(lesson) -> dict[int, list[int]]:
    """The correct answers of a lesson's quiz, in the shape quiz_submit takes."""
    return {q.pk: [c.pk for c in q.choices.all() if c.correct] for q in lesson.quiz.questions.all()}


def wrong_answers(lesson) -> dict[int, list[int]]:
    return {q.pk: [next(c.pk for c in q.choices.all() if not c.correct)] for q in lesson.quiz.questions.all()}
