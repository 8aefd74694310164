"""Automatic marking (servicecoach.exams.engine.marking): every type, every policy, explanations."""

from __future__ import annotations

from dataclasses import replace as dc_replace
from decimal import Decimal

import pytest

from servicecoach.exams.engine.blueprint import Blueprint, Quota, draw_paper
from servicecoach.exams.engine.marking import (
    MarkStatus,
    MultipleChoicePolicy,
    ReviewPolicy,
    apply_review,
    mark,
    mark_essay,
    mark_paper,
    summarise_marks,
)
from servicecoach.exams.engine.questions import (
    Blank,
    Essay,
    FillInBlank,
    KeyPoint,
    MultipleChoice,
    Normalisation,
    Option,
    RubricCriterion,
    RubricLevel,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)

D = Decimal
P = MultipleChoicePolicy


@pytest.fixture
def single():
    return SingleChoice(
        key="s1",
        stem="首先应当？",
        points=D(2),
        options=(
            Option(id="A", text="致歉", correct=True),
            Option(id="B", text="转接"),
            Option(id="C", text="挂断"),
        ),
    )


@pytest.fixture
def multi():
    # correct: A, B, C (k = 3); wrong: D, E
    return MultipleChoice(
        key="m1",
        stem="哪些是礼貌用语？",
        points=D(3),
        options=(
            Option(id="A", text="您好", correct=True),
            Option(id="B", text="请稍等", correct=True),
            Option(id="C", text="感谢来电", correct=True),
            Option(id="D", text="喂"),
            Option(id="E", text="不知道"),
        ),
    )


def test_single_choice(single):
    right = mark(single, "A")
    assert (right.score, right.max_score, right.status) == (D(2), D(2), MarkStatus.MARKED)
    assert "chose A; correct: A" in right.explanation[0]
    wrong = mark(single, "B")
    assert wrong.score == 0 and "(wrong)" in wrong.explanation[0]
    assert mark(single, None).score == 0
    assert "not an option" in mark(single, "Z").explanation[0]
    with pytest.raises(TypeError, match="single choice answer must be an option id"):
        mark(single, ["A"])


def test_true_false():
    q = TrueFalse(key="t", stem="可以挂断客户电话", answer=False)
    assert mark(q, False).score == 1
    assert mark(q, True).score == 0
    assert mark(q, None).explanation[0] == "not answered; correct: false"
    with pytest.raises(TypeError):
        mark(q, "false")


@pytest.mark.parametrize(
    ("chosen", "policy", "expected"),
    [
        ({"A", "B", "C"}, P.ALL_OR_NOTHING, D(3)),
        ({"A", "B"}, P.ALL_OR_NOTHING, D(0)),
        ({"A", "B", "C", "D"}, P.ALL_OR_NOTHING, D(0)),
        # proportional: (right - wrong) / 3, floored at 0
        ({"A", "B", "C"}, P.PROPORTIONAL, D(3)),
        ({"A", "B"}, P.PROPORTIONAL, D(2)),
        ({"A"}, P.PROPORTIONAL, D(1)),
        ({"A", "B", "D"}, P.PROPORTIONAL, D(1)),  # (2 - 1) / 3 * 3
        ({"A", "D", "E"}, P.PROPORTIONAL, D(0)),  # (1 - 2) / 3 < 0 -> 0
        ({"A", "B", "C", "D", "E"}, P.PROPORTIONAL, D(1)),  # (3 - 2) / 3
        (set(), P.PROPORTIONAL, D(0)),
        # moodle fractions without explicit fractions: +1/3 each right, -1/3 each wrong
        ({"A", "B"}, P.MOODLE_FRACTIONS, D(2)),
        ({"A", "D", "E"}, P.MOODLE_FRACTIONS, D(0)),
        ({"A", "B", "C", "D"}, P.MOODLE_FRACTIONS, D(2)),
    ],
)
def test_multiple_choice_policies(multi, chosen, policy, expected):
    m = mark(multi, chosen, policy=policy)
    assert m.score == expected
    assert m.explanation[-1] == f"score {expected} / 3"


def test_moodle_fractions_use_the_options_fractions_and_clamp():
    q = MultipleChoice(
        key="m2",
        stem="s",
        points=D(4),
        options=(
            Option(id="A", text="a", correct=True, fraction=D("0.5")),
            Option(id="B", text="b", correct=True, fraction=D("0.5")),
            Option(id="C", text="c", fraction=D(-1)),
        ),
    )
    assert mark(q, {"A"}, policy=P.MOODLE_FRACTIONS).score == D(2)
    assert mark(q, {"A", "B"}, policy=P.MOODLE_FRACTIONS).score == D(4)
    clamped = mark(q, {"A", "C"}, policy=P.MOODLE_FRACTIONS)
    assert clamped.score == 0
    assert "A 50% + C -100% = -50%, clamped to 0%" in clamped.explanation[1]


def test_multiple_choice_explanations_name_the_policy(multi):
    prop = mark(multi, {"A", "D", "E"}, policy=P.PROPORTIONAL)
    assert (
        prop.explanation[1] == "policy proportional: (1 right - 2 wrong) / 3 correct = -33.33%, floored at 0"
    )
    aon = mark(multi, {"A"}, policy=P.ALL_OR_NOTHING)
    assert aon.explanation[1] == "policy all-or-nothing: not an exact match"
    assert "ignored ids that are not options: Z" in mark(multi, {"A", "Z"}).explanation
    with pytest.raises(TypeError, match="collection of option ids"):
        mark(multi, "AB")


def test_fill_in_blank_per_blank_with_normalisation():
    q = FillInBlank(
        key="f",
        stem="热线是___，受理时效___",
        points=D(4),
        blanks=(Blank(accepted=("95588",)), Blank(accepted=("24小时", "二十四小时"), weight=D(3))),
    )
    full = mark(q, ["９５５８８ ", "二十四小时"])
    assert full.score == D(4)
    part = mark(q, ["95588", "48小时"])
    assert part.score == D(1)  # weight 1 of 4
    assert "blank 2: '48小时' not accepted (accepted: 24小时 / 二十四小时)" in part.explanation
    assert mark(q, ["", "24小时"]).score == D(3)
    assert mark(q, None).score == 0
    assert "ignored 1 extra answer(s)" in mark(q, ["95588", "24小时", "x"]).explanation


def test_fill_in_blank_case_sensitive_when_configured():
    q = FillInBlank(
        key="f", stem="s", blanks=(Blank(accepted=("CRM",)),), normalisation=Normalisation(case=False)
    )
    assert mark(q, ["crm"]).score == 0
    assert mark(q, ["CRM"]).score == 1
    assert mark(FillInBlank(key="g", stem="s", blanks=(Blank(accepted=("CRM",)),)), ["crm"]).score == 1


@pytest.fixture
def short():
    return ShortAnswer(
        key="sa",
        stem="投诉处理的步骤？",
        points=D(10),
        key_points=(
            KeyPoint(id="K1", text="致歉", weight=D(2), phrasings=("道歉", "对不起")),
            KeyPoint(id="K2", text="记录问题", weight=D(1)),
            KeyPoint(id="K3", text="告知处理时限", weight=D(2), phrasings=("时效",)),
        ),
    )


def test_short_answer_scores_key_points_found(short):
    m = mark(short, "先向客户道歉，然后记录问题，最后告知处理时限")
    assert m.score == D(10) and m.status is MarkStatus.MARKED
    assert "key point K1 (致歉, weight 2): found as '道歉'" in m.explanation
    part = mark(short, "先说对不起，再记录问题")
    assert part.score == D(6)  # (2 + 1) / 5 * 10
    assert part.status is MarkStatus.NEEDS_REVIEW
    assert part.explanation[-1].startswith("needs review: 1 key point(s) not found")


def test_short_answer_review_policies(short):
    assert (
        mark(short, "", review=ReviewPolicy.WHEN_INCOMPLETE).status is MarkStatus.MARKED
    )  # blank: nothing to review
    assert mark(short, "道歉", review=ReviewPolicy.NEVER).status is MarkStatus.MARKED
    full = "致歉 记录问题 时效"
    assert mark(short, full, review=ReviewPolicy.ALWAYS).status is MarkStatus.NEEDS_REVIEW


def test_reviewer_adjustment_applies_on_top_and_clamps(short):
    auto = mark(short, "先说对不起，再记录问题")
    reviewed = apply_review(auto, adjustment=D(3), reviewer="王老师", reason="时限用了别的说法")
    assert reviewed.score == D(9) and reviewed.auto_score == D(6) and reviewed.status is MarkStatus.MARKED
    assert "reviewed by 王老师: +3 (时限用了别的说法)" in reviewed.explanation
    again = apply_review(reviewed, adjustment=D(-1), reviewer="李主管", reason="复核")
    assert again.score == D(5)  # adjustments are relative to the automatic score, not stacked
    over = apply_review(auto, adjustment=D(20), reviewer="王老师", reason="满分")
    assert over.score == D(10) and "clamped to 10" in over.explanation[-2]
    with pytest.raises(ValueError, match="needs a reason"):
        apply_review(auto, adjustment=D(1), reviewer="x", reason=" ")


def test_essay_is_pending_then_marked_against_rubric():
    q = Essay(
        key="e",
        stem="论述服务意识",
        points=D(10),
        rubric=(
            RubricCriterion(
                id="c1",
                title="观点",
                levels=(RubricLevel(label="优", points=D(6)), RubricLevel(label="中", points=D(3))),
            ),
            RubricCriterion(
                id="c2",
                title="表达",
                levels=(RubricLevel(label="优", points=D(4)), RubricLevel(label="差", points=D(1))),
            ),
        ),
    )
    pending = mark(q, "……")
    assert pending.status is MarkStatus.PENDING and pending.score is None
    with pytest.raises(ValueError, match="cannot adjust a pending mark"):
        apply_review(pending, adjustment=D(1), reviewer="x", reason="y")
    done = mark_essay(q, levels={"c1": "中", "c2": "优"}, marker="王老师")
    assert done.score == D(7) and done.status is MarkStatus.MARKED
    assert "观点: 中 = 3 / 6" in done.explanation
    with pytest.raises(ValueError, match="no level chosen for criterion 'c2'"):
        mark_essay(q, levels={"c1": "优"}, marker="x")
    with pytest.raises(ValueError, match="criterion 'c2' has no level '良'"):
        mark_essay(q, levels={"c1": "优", "c2": "良"}, marker="x")


def test_essay_without_rubric_takes_a_score():
    q = Essay(key="e", stem="s", points=D(5))
    assert mark_essay(q, levels={"score": "3.5"}, marker="x").score == D("3.5")
    with pytest.raises(ValueError, match="outside 0..5"):
        mark_essay(q, levels={"score": "6"}, marker="x")


def test_points_given_by_the_paper_override_the_questions(single, multi):
    assert mark(single, "A", points=D(5)).score == D(5)
    half = mark(multi, {"A"}, policy=P.PROPORTIONAL, points=D(6))
    assert (half.score, half.max_score) == (D(2), D(6))
    with pytest.raises(ValueError, match="points must be positive"):
        mark(single, "A", points=D(0))
    essay = Essay(key="e", stem="s", points=D(10))
    scaled = mark_essay(essay, levels={"score": "7"}, marker="x", points=D(20))
    assert (scaled.score, scaled.max_score) == (D(14), D(20))
    assert "scaled from 7 / 10 to the paper's 20 points" in scaled.explanation


def test_mark_paper_uses_the_papers_points_and_sums_by_topic(single, multi, short):
    bank = [
        dc_replace(single, topic="投诉处理"),
        dc_replace(multi, topic="服务规范"),
        dc_replace(short, topic="投诉处理"),
        Essay(key="e", stem="论述", topic="服务规范", points=D(10)),
    ]
    bp = Blueprint(quotas=(Quota(count=4),), total=4)
    paper = draw_paper(bank, bp, seed=1)
    by_key = {q.key: q for q in bank}
    result = mark_paper(
        paper.items,
        by_key,
        {"s1": "A", "m1": ["A", "B"], "sa": "道歉并记录问题，告知处理时限"},
        policy=P.PROPORTIONAL,
    )
    assert [m.question_key for m in result.marks] == [i.question_key for i in paper.items]
    assert result.score == D(2) + D(2) + D(10)  # essay pending, not counted
    assert result.max_score == D(2 + 3 + 10 + 10)
    assert (result.pending, result.needs_review, result.complete) == (1, 0, False)
    assert result.by_topic == {"投诉处理": (D(12), D(12)), "服务规范": (D(2), D(3))}
    essay_mark = mark_essay(by_key["e"], levels={"score": "6"}, marker="王老师")
    final = summarise_marks(
        [essay_mark if m.question_key == "e" else m for m in result.marks], {q.key: q.topic for q in bank}
    )
    assert final.complete and final.score == D(20) and final.by_topic["服务规范"] == (D(8), D(13))
    with pytest.raises(
        ValueError, match="the paper holds version 1: mark against the version the candidate saw"
    ):
        mark_paper(paper.items, {**by_key, "s1": dc_replace(by_key["s1"], version=2)}, {})
    with pytest.raises(KeyError, match="question 'e' is not in the bank given"):
        mark_paper(paper.items, {k: v for k, v in by_key.items() if k != "e"}, {})
