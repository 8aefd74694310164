"""Question dataclasses (servicecoach.exams.engine.questions): validation and fingerprints."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servicecoach.exams.engine.questions import (
    Blank,
    Difficulty,
    Essay,
    FillInBlank,
    KeyPoint,
    MultipleChoice,
    Normalisation,
    Option,
    QuestionError,
    QuestionType,
    RubricCriterion,
    RubricLevel,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)


def _sc(**kw):
    defaults = dict(
        key="q1",
        stem="客户来电投诉物流延误，首先应当？",
        topic="投诉处理",
        options=(Option(id="A", text="安抚情绪并致歉", correct=True), Option(id="B", text="直接转接")),
    )
    defaults.update(kw)
    return SingleChoice(**defaults)


def test_every_type_has_its_type_tag():
    assert _sc().type is QuestionType.SINGLE_CHOICE
    assert TrueFalse(key="t", stem="s").type is QuestionType.TRUE_FALSE
    assert Essay(key="e", stem="s").type is QuestionType.ESSAY
    assert FillInBlank(key="f", stem="s", blanks=(Blank(accepted=("a",)),)).type is QuestionType.FILL_IN_BLANK


def test_single_choice_needs_exactly_one_correct_option():
    _sc().validate()
    two = _sc(options=(Option(id="A", text="a", correct=True), Option(id="B", text="b", correct=True)))
    with pytest.raises(QuestionError, match="answer: needs exactly 1 correct option"):
        two.validate()


def test_choice_question_rules_name_the_field():
    with pytest.raises(QuestionError, match="options: needs at least 2 options"):
        _sc(options=(Option(id="A", text="a", correct=True),)).validate()
    with pytest.raises(QuestionError, match="duplicate option id 'A'"):
        _sc(options=(Option(id="A", text="a", correct=True), Option(id="A", text="b"))).validate()
    with pytest.raises(QuestionError, match="stem: must not be empty"):
        _sc(stem="  ").validate()
    with pytest.raises(QuestionError, match="points: must be positive"):
        _sc(points=Decimal(0)).validate()
    mc = MultipleChoice(
        key="m",
        stem="s",
        options=(Option(id="A", text="a", correct=True, fraction=Decimal(2)), Option(id="B", text="b")),
    )
    with pytest.raises(QuestionError, match="option A: fraction must be between -1 and 1"):
        mc.validate()


def test_fill_short_and_essay_rules():
    with pytest.raises(QuestionError, match="blanks: needs at least one blank"):
        FillInBlank(key="f", stem="s").validate()
    with pytest.raises(QuestionError, match="blank 1: needs at least one accepted answer"):
        FillInBlank(key="f", stem="s", blanks=(Blank(accepted=(" ",)),)).validate()
    with pytest.raises(QuestionError, match="key points: needs at least one"):
        ShortAnswer(key="s", stem="s").validate()
    rubric = (RubricCriterion(id="c1", title="结构", levels=(RubricLevel(label="好", points=Decimal(6)),)),)
    with pytest.raises(QuestionError, match="rubric: top levels add up to 6 but the question is worth 10"):
        Essay(key="e", stem="s", points=Decimal(10), rubric=rubric).validate()
    Essay(key="e", stem="s", points=Decimal(6), rubric=rubric).validate()


def test_difficulty_is_coerced_or_refused():
    assert TrueFalse(key="t", stem="s", difficulty="hard").difficulty is Difficulty.HARD
    with pytest.raises(QuestionError, match="difficulty: 'extreme' is not easy, medium or hard"):
        TrueFalse(key="t", stem="s", difficulty="extreme")


def test_fingerprint_ignores_metadata_whitespace_width_and_option_order():
    a = _sc()
    b = _sc(
        key="other",
        stem="  客户来电投诉物流延误，首先应当？ ",
        topic="另一个模块",
        difficulty=Difficulty.HARD,
        tags=("x",),
        explanation="解析",
        version=3,
        options=(Option(id="B", text="直接转接"), Option(id="A", text="安抚情绪并致歉 ", correct=True)),
    )
    assert a.fingerprint() == b.fingerprint()


def test_fingerprint_changes_with_content():
    a = _sc()
    assert a.fingerprint() != _sc(stem="另一题").fingerprint()
    swapped = _sc(
        options=(Option(id="A", text="安抚情绪并致歉"), Option(id="B", text="直接转接", correct=True))
    )
    assert a.fingerprint() != swapped.fingerprint()
    assert (
        TrueFalse(key="t", stem="s", answer=True).fingerprint()
        != TrueFalse(key="t", stem="s", answer=False).fingerprint()
    )
    # same stem, different type: different question
    assert TrueFalse(key="t", stem="s").fingerprint() != Essay(key="t", stem="s").fingerprint()
    kp1 = ShortAnswer(key="s", stem="s", key_points=(KeyPoint(id="K1", text="致歉"),))
    kp2 = ShortAnswer(key="s", stem="s", key_points=(KeyPoint(id="K1", text="致歉", phrasings=("道歉",)),))
    assert kp1.fingerprint() != kp2.fingerprint()


def test_normalisation_options():
    assert Normalisation().apply("  ＡＢＣ　１２３  ") == "abc 123"
    assert Normalisation(case=False).apply("Abc") == "Abc"
    assert Normalisation(width=False, case=False).apply("ＡＢ") == "ＡＢ"
    assert Normalisation(trim=False, spaces=False).apply(" a  b ") == " a  b "
    assert Normalisation(trim=True, spaces=False).apply(" a  b ") == "a  b"
    assert Normalisation(trim=False, spaces=True).apply("  a   b ") == " a b "
