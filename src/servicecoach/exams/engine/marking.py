"""Automatic marking with an explanation for every mark (pure Python).

Answers are plain values in the *original* option ids (see blueprint.OptionShuffle to map the
letters a candidate saw back to them):

=================  ==========================================
single choice      the chosen option id (str) or None
multiple choice    the chosen option ids (iterable of str)
true/false         True / False / None
fill in the blank  one string per blank (sequence of str)
short answer       the text (str)
essay              the text (str): marked by hand -> "pending"
=================  ==========================================

Multiple-choice partial-credit policies (``MultipleChoicePolicy``):

* ``all_or_nothing``: full points when the chosen set equals the correct set, else 0.
* ``proportional``: (correct chosen - wrong chosen) / number of correct options, floored at 0;
  each wrong choice cancels one right one, so ticking every box earns nothing unless every
  option is correct.
* ``moodle_fractions``: Moodle's "multiple answers" grading: the sum of the chosen options'
  fractions, clamped to [0, 1]. Options without an explicit fraction get +1/k when correct and
  -1/k when wrong (k = number of correct options).

Scores are Decimal, quantised to 0.01 points (round half up), so totals add up exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .blueprint import PaperItem
from .questions import (
    Essay,
    FillInBlank,
    MultipleChoice,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)

CENT = Decimal("0.01")


class MultipleChoicePolicy(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    PROPORTIONAL = "proportional"
    MOODLE_FRACTIONS = "moodle_fractions"


class MarkStatus(StrEnum):
    MARKED = "marked"
    NEEDS_REVIEW = "needs_review"
    PENDING = "pending"


class ReviewPolicy(StrEnum):
    """When an automatically marked short answer is sent to a reviewer."""

    ALWAYS = "always"
    WHEN_INCOMPLETE = "when_incomplete"  # some key point not found in a non-empty answer
    NEVER = "never"


@dataclass(frozen=True, kw_only=True)
class Mark:
    question_key: str
    score: Decimal | None  # None while pending (essay not yet marked)
    max_score: Decimal
    status: MarkStatus
    explanation: tuple[str, ...]
    auto_score: Decimal | None = None  # the machine's score before a reviewer's adjustment

    @property
    def fraction(self) -> Decimal | None:
        return None if self.score is None else self.score / self.max_score


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _clamp01(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value))


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def mark(
    question: Question,
    answer: object,
    *,
    policy: MultipleChoicePolicy = MultipleChoicePolicy.ALL_OR_NOTHING,
    review: ReviewPolicy = ReviewPolicy.WHEN_INCOMPLETE,
    points: Decimal | None = None,
) -> Mark:
    """Mark one answer. ``points`` overrides the question's points (a paper drawn from a
    blueprint may weigh it differently). Raises TypeError when the answer has the wrong shape."""
    if points is not None and points != question.points:
        if points <= 0:
            raise ValueError(f"question {question.key!r}: points must be positive, got {points}")
        question = replace(question, points=points)
    if isinstance(question, SingleChoice):
        return mark_single_choice(question, answer)
    if isinstance(question, MultipleChoice):
        return mark_multiple_choice(question, answer, policy=policy)
    if isinstance(question, TrueFalse):
        return mark_true_false(question, answer)
    if isinstance(question, FillInBlank):
        return mark_fill_in_blank(question, answer)
    if isinstance(question, ShortAnswer):
        return mark_short_answer(question, answer, review=review)
    if isinstance(question, Essay):
        return Mark(
            question_key=question.key,
            score=None,
            max_score=question.points,
            status=MarkStatus.PENDING,
            explanation=("essay: marked by hand against the rubric",),
        )
    raise TypeError(f"no marking for {type(question).__name__}")


def _result(question: Question, fraction: Decimal, lines: list[str]) -> Mark:
    score = q2(question.points * fraction)
    lines.append(f"score {_fmt(score)} / {_fmt(question.points)}")
    return Mark(
        question_key=question.key,
        score=score,
        max_score=question.points,
        status=MarkStatus.MARKED,
        explanation=tuple(lines),
        auto_score=score,
    )


def mark_single_choice(question: SingleChoice, answer: object) -> Mark:
    if answer is not None and not isinstance(answer, str):
        raise TypeError(
            f"question {question.key!r}: single choice answer must be an option id, got {answer!r}"
        )
    (correct,) = question.correct_ids
    if answer is None:
        return _result(question, Decimal(0), [f"no option chosen; correct: {correct}"])
    if answer not in {o.id for o in question.options}:
        return _result(
            question, Decimal(0), [f"chose {answer!r}, which is not an option; correct: {correct}"]
        )
    ok = answer == correct
    return _result(
        question, Decimal(ok), [f"chose {answer}; correct: {correct}" + ("" if ok else " (wrong)")]
    )


def _choice_set(question: MultipleChoice, answer: object) -> frozenset[str]:
    if answer is None:
        return frozenset()
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        raise TypeError(
            f"question {question.key!r}: multiple choice answer must be a collection of option ids, got {answer!r}"
        )
    return frozenset(answer)


def mark_multiple_choice(question: MultipleChoice, answer: object, *, policy: MultipleChoicePolicy) -> Mark:
    chosen = _choice_set(question, answer)
    known = {o.id for o in question.options}
    unknown = sorted(chosen - known)
    chosen = chosen & known
    correct = question.correct_ids
    right, wrong = chosen & correct, chosen - correct
    lines = [
        f"chose {','.join(sorted(chosen)) or 'nothing'}; correct: {','.join(sorted(correct))}",
    ]
    if unknown:
        lines.append(f"ignored ids that are not options: {','.join(unknown)}")
    if policy is MultipleChoicePolicy.ALL_OR_NOTHING:
        ok = chosen == correct
        lines.append("policy all-or-nothing: " + ("exact match" if ok else "not an exact match"))
        return _result(question, Decimal(ok), lines)
    if policy is MultipleChoicePolicy.PROPORTIONAL:
        raw = Decimal(len(right) - len(wrong)) / Decimal(len(correct))
        fraction = max(Decimal(0), raw)
        lines.append(
            f"policy proportional: ({len(right)} right - {len(wrong)} wrong) / {len(correct)} correct"
            f" = {_fmt(q2(raw * 100))}%" + (", floored at 0" if raw < 0 else "")
        )
        return _result(question, fraction, lines)
    if policy is MultipleChoicePolicy.MOODLE_FRACTIONS:
        k = Decimal(len(correct))
        parts = []
        total = Decimal(0)
        for opt in question.options:
            if opt.id not in chosen:
                continue
            f = opt.fraction if opt.fraction is not None else (1 / k if opt.correct else -1 / k)
            total += f
            parts.append(f"{opt.id} {_fmt(q2(f * 100))}%")
        fraction = _clamp01(total)
        lines.append(
            f"policy moodle fractions: {' + '.join(parts) or 'nothing chosen'} = {_fmt(q2(total * 100))}%"
            + (f", clamped to {_fmt(q2(fraction * 100))}%" if fraction != total else "")
        )
        return _result(question, fraction, lines)
    raise ValueError(f"unknown multiple choice policy {policy!r}")


def mark_true_false(question: TrueFalse, answer: object) -> Mark:
    if answer is not None and not isinstance(answer, bool):
        raise TypeError(
            f"question {question.key!r}: true/false answer must be True, False or None, got {answer!r}"
        )
    want = "true" if question.answer else "false"
    if answer is None:
        return _result(question, Decimal(0), [f"not answered; correct: {want}"])
    ok = answer == question.answer
    return _result(question, Decimal(ok), [f"answered {'true' if answer else 'false'}; correct: {want}"])


def mark_fill_in_blank(question: FillInBlank, answer: object) -> Mark:
    if isinstance(answer, str):
        answer = [answer]
    if answer is None:
        answer = []
    if not isinstance(answer, Sequence):
        raise TypeError(f"question {question.key!r}: fill in the blank answer must be a list of strings")
    norm = question.normalisation
    total_weight = sum((b.weight for b in question.blanks), Decimal(0))
    earned = Decimal(0)
    lines = []
    for i, blank in enumerate(question.blanks):
        given = answer[i] if i < len(answer) and answer[i] is not None else ""
        accepted = {norm.apply(a) for a in blank.accepted}
        ok = bool(given.strip()) and norm.apply(str(given)) in accepted
        if ok:
            earned += blank.weight
        lines.append(
            f"blank {i + 1}: {given!r} "
            + ("accepted" if ok else f"not accepted (accepted: {' / '.join(blank.accepted)})")
        )
    if len(answer) > len(question.blanks):
        lines.append(f"ignored {len(answer) - len(question.blanks)} extra answer(s)")
    return _result(question, earned / total_weight, lines)


def key_points_found(question: ShortAnswer, text: str) -> list[tuple[str, str | None]]:
    """(key point id, the phrasing found or None) for each key point, in order."""
    norm = question.normalisation
    haystack = norm.apply(text)
    found = []
    for kp in question.key_points:
        hit = next((p for p in kp.all_phrasings if p.strip() and norm.apply(p) in haystack), None)
        found.append((kp.id, hit))
    return found


def mark_short_answer(question: ShortAnswer, answer: object, *, review: ReviewPolicy) -> Mark:
    if answer is None:
        answer = ""
    if not isinstance(answer, str):
        raise TypeError(f"question {question.key!r}: short answer must be text, got {answer!r}")
    total_weight = sum((kp.weight for kp in question.key_points), Decimal(0))
    earned = Decimal(0)
    lines = []
    missing = 0
    for kp, (_, hit) in zip(question.key_points, key_points_found(question, answer)):
        if hit is not None:
            earned += kp.weight
            lines.append(f"key point {kp.id} ({kp.text}, weight {_fmt(kp.weight)}): found as {hit!r}")
        else:
            missing += 1
            lines.append(f"key point {kp.id} ({kp.text}, weight {_fmt(kp.weight)}): not found")
    result = _result(question, earned / total_weight, lines)
    needs = review is ReviewPolicy.ALWAYS or (
        review is ReviewPolicy.WHEN_INCOMPLETE and missing > 0 and answer.strip() != ""
    )
    if needs:
        why = "always reviewed" if review is ReviewPolicy.ALWAYS else f"{missing} key point(s) not found"
        return replace(
            result,
            status=MarkStatus.NEEDS_REVIEW,
            explanation=(*result.explanation, f"needs review: {why}; the wording may differ from the key"),
        )
    return result


def apply_review(mark_: Mark, *, adjustment: Decimal, reviewer: str, reason: str) -> Mark:
    """A reviewer's adjustment on top of the automatic score, clamped to [0, max]; the automatic
    score stays in ``auto_score`` and the explanation records who changed what and why."""
    if mark_.score is None:
        raise ValueError(f"question {mark_.question_key!r}: cannot adjust a pending mark; mark it first")
    if not reason.strip():
        raise ValueError(f"question {mark_.question_key!r}: a review adjustment needs a reason")
    base = mark_.auto_score if mark_.auto_score is not None else mark_.score
    new = q2(min(mark_.max_score, max(Decimal(0), base + adjustment)))
    note = f"reviewed by {reviewer}: {'+' if adjustment >= 0 else ''}{_fmt(adjustment)} ({reason})"
    if new != base + adjustment:
        note += f", clamped to {_fmt(new)}"
    return replace(
        mark_,
        score=new,
        status=MarkStatus.MARKED,
        explanation=(*mark_.explanation, note, f"final score {_fmt(new)} / {_fmt(mark_.max_score)}"),
    )


def mark_essay(
    question: Essay, *, levels: dict[str, str], marker: str, points: Decimal | None = None
) -> Mark:
    """Hand marking against the rubric: ``levels`` maps criterion id -> chosen level label.
    Without a rubric, pass {"score": "<points>"}. When the paper gives the essay other
    ``points`` than the question's, the rubric score is scaled to them."""
    lines = []
    if not question.rubric:
        raw = levels.get("score")
        if raw is None:
            raise ValueError(f"question {question.key!r}: no rubric, so give {{'score': points}}")
        score = Decimal(raw)
        if not 0 <= score <= question.points:
            raise ValueError(f"question {question.key!r}: score {raw} is outside 0..{question.points}")
        lines.append(f"marked by {marker}: {_fmt(score)}")
    else:
        missing = [c.id for c in question.rubric if c.id not in levels]
        if missing:
            raise ValueError(f"question {question.key!r}: no level chosen for criterion {missing[0]!r}")
        unknown = sorted(set(levels) - {c.id for c in question.rubric})
        if unknown:
            raise ValueError(f"question {question.key!r}: {unknown[0]!r} is not a criterion of the rubric")
        score = Decimal(0)
        for c in question.rubric:
            level = next((lv for lv in c.levels if lv.label == levels[c.id]), None)
            if level is None:
                raise ValueError(
                    f"question {question.key!r}: criterion {c.id!r} has no level {levels[c.id]!r}"
                    f" (levels: {', '.join(lv.label for lv in c.levels)})"
                )
            score += level.points
            lines.append(f"{c.title}: {level.label} = {_fmt(level.points)} / {_fmt(c.max_points)}")
        lines.append(f"marked by {marker}")
    maximum = question.points
    if points is not None and points != question.points:
        lines.append(
            f"scaled from {_fmt(score)} / {_fmt(question.points)} to the paper's {_fmt(points)} points"
        )
        score = score * points / question.points
        maximum = points
    score = q2(score)
    lines.append(f"score {_fmt(score)} / {_fmt(maximum)}")
    return Mark(
        question_key=question.key,
        score=score,
        max_score=maximum,
        status=MarkStatus.MARKED,
        explanation=tuple(lines),
        auto_score=None,
    )


@dataclass(frozen=True, kw_only=True)
class PaperMarks:
    """A whole paper marked: the total counts marked questions only; ``complete`` is False
    while essays are pending or short answers wait for review."""

    marks: tuple[Mark, ...]
    score: Decimal
    max_score: Decimal
    pending: int
    needs_review: int
    by_topic: dict[str, tuple[Decimal, Decimal]]  # topic -> (earned, maximum) of marked questions

    @property
    def complete(self) -> bool:
        return self.pending == 0 and self.needs_review == 0


def mark_paper(
    items: Sequence[PaperItem],
    questions: Mapping[str, Question],
    answers: Mapping[str, object],
    *,
    policy: MultipleChoicePolicy = MultipleChoicePolicy.ALL_OR_NOTHING,
    review: ReviewPolicy = ReviewPolicy.WHEN_INCOMPLETE,
) -> PaperMarks:
    """Mark every item of a paper with the paper's points; ``answers`` maps question key to
    the answer in original option ids (an unanswered question is absent or None)."""
    marks = []
    for item in items:
        question = questions.get(item.question_key)
        if question is None:
            raise KeyError(
                f"paper position {item.position}: question {item.question_key!r} is not in the bank given"
            )
        if question.version != item.version:
            raise ValueError(
                f"paper position {item.position}: question {item.question_key!r} is version {question.version},"
                f" the paper holds version {item.version}: mark against the version the candidate saw"
            )
        marks.append(
            mark(question, answers.get(item.question_key), policy=policy, review=review, points=item.points)
        )
    return summarise_marks(marks, {m.question_key: questions[m.question_key].topic for m in marks})


def summarise_marks(marks: Sequence[Mark], topics: Mapping[str, str]) -> PaperMarks:
    """Totals of marks (e.g. after reviews and essay marking replaced some of them)."""
    by_topic: dict[str, tuple[Decimal, Decimal]] = {}
    score = Decimal(0)
    for m in marks:
        if m.status is MarkStatus.MARKED and m.score is not None:
            score += m.score
            earned, maximum = by_topic.get(topics.get(m.question_key, ""), (Decimal(0), Decimal(0)))
            by_topic[topics.get(m.question_key, "")] = (earned + m.score, maximum + m.max_score)
    return PaperMarks(
        marks=tuple(marks),
        score=score,
        max_score=sum((m.max_score for m in marks), Decimal(0)),
        pending=sum(m.status is MarkStatus.PENDING for m in marks),
        needs_review=sum(m.status is MarkStatus.NEEDS_REVIEW for m in marks),
        by_topic=by_topic,
    )
