"""Questions of every type as plain, immutable dataclasses (no Django).

Every question carries the same metadata (topic, difficulty, tags, explanation, points, version)
and the fields of its type. ``validate()`` names the first broken field; ``fingerprint()`` is a
stable hash of the *content* (type, stem, options and answer key) that importers and the web
layer use so that re-importing the same question never creates a duplicate.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    FILL_IN_BLANK = "fill_in_blank"
    SHORT_ANSWER = "short_answer"
    ESSAY = "essay"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


OBJECTIVE_TYPES = frozenset(
    {
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.TRUE_FALSE,
        QuestionType.FILL_IN_BLANK,
    }
)


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class QuestionError(ValueError):
    """A question that breaks a rule; the message names the field."""


@dataclass(frozen=True, kw_only=True)
class Normalisation:
    """How a typed answer and the accepted answers are compared (fill in the blank, key points).

    trim: strip leading/trailing white space; width: fold full-width forms (ＡＢＣ１２３，) to
    half-width (NFKC); case: ignore letter case; spaces: collapse runs of white space to one.
    """

    trim: bool = True
    width: bool = True
    case: bool = True
    spaces: bool = True

    def apply(self, text: str) -> str:
        if self.width:
            text = unicodedata.normalize("NFKC", text)
        if self.spaces:
            text = " ".join(text.split()) if self.trim else _collapse_inner(text)
        elif self.trim:
            text = text.strip()
        if self.case:
            text = text.casefold()
        return text


def _collapse_inner(text: str) -> str:
    out, previous_space = [], False
    for ch in text:
        if ch.isspace():
            if not previous_space:
                out.append(" ")
            previous_space = True
        else:
            out.append(ch)
            previous_space = False
    return "".join(out)


@dataclass(frozen=True, kw_only=True)
class Option:
    """A choice. ``fraction`` is the Moodle-style share of the points this option earns when
    chosen (may be negative); None means "derive it from ``correct``" (see marking)."""

    id: str
    text: str
    correct: bool = False
    fraction: Decimal | None = None
    feedback: str = ""


@dataclass(frozen=True, kw_only=True)
class Blank:
    """One blank: any accepted answer earns it; ``weight`` is its share of the question's points."""

    accepted: tuple[str, ...]
    weight: Decimal = Decimal(1)


@dataclass(frozen=True, kw_only=True)
class KeyPoint:
    """An expected key point of a short answer, found when any phrasing occurs in the answer."""

    id: str
    text: str
    weight: Decimal = Decimal(1)
    phrasings: tuple[str, ...] = ()

    @property
    def all_phrasings(self) -> tuple[str, ...]:
        return (self.text, *self.phrasings)


@dataclass(frozen=True, kw_only=True)
class RubricLevel:
    label: str
    points: Decimal
    descriptor: str = ""


@dataclass(frozen=True, kw_only=True)
class RubricCriterion:
    id: str
    title: str
    levels: tuple[RubricLevel, ...]

    @property
    def max_points(self) -> Decimal:
        return max((lv.points for lv in self.levels), default=Decimal(0))


@dataclass(frozen=True, kw_only=True)
class Question:
    """Fields shared by every type. ``key`` is the caller's identifier (bank id, import title)."""

    key: str
    stem: str
    topic: str = ""
    difficulty: Difficulty = Difficulty.MEDIUM
    tags: tuple[str, ...] = ()
    explanation: str = ""
    points: Decimal = Decimal(1)
    version: int = 1

    type: QuestionType = field(init=False, default=QuestionType.ESSAY)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "difficulty", Difficulty(self.difficulty))
        except ValueError:
            raise QuestionError(
                f"question {self.key!r}: difficulty: {self.difficulty!r} is not easy, medium or hard"
            ) from None

    def validate(self) -> None:
        if not self.stem.strip():
            raise QuestionError(f"question {self.key!r}: stem: must not be empty")
        if self.points <= 0:
            raise QuestionError(f"question {self.key!r}: points: must be positive, got {self.points}")
        if self.version < 1:
            raise QuestionError(f"question {self.key!r}: version: must be 1 or more")
        self._validate_type()

    def _validate_type(self) -> None:
        return None

    def _fail(self, where: str, rule: str) -> None:
        raise QuestionError(f"question {self.key!r}: {where}: {rule}")

    def content(self) -> dict:
        """What identifies the question's content (used by fingerprint); metadata excluded."""
        return {"type": self.type.value, "stem": _canon(self.stem)}

    def fingerprint(self) -> str:
        """sha256 of the canonical content: same type, stem, options and key => same fingerprint,
        whatever the white space, full-/half-width forms, option order or metadata."""
        blob = json.dumps(self.content(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _canon(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True, kw_only=True)
class _ChoiceQuestion(Question):
    options: tuple[Option, ...] = ()

    def option(self, option_id: str) -> Option:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)

    def _validate_options(self, min_correct: int, max_correct: int | None) -> None:
        if len(self.options) < 2:
            self._fail("options", f"needs at least 2 options, has {len(self.options)}")
        ids = [o.id for o in self.options]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            self._fail("options", f"duplicate option id {dup[0]!r}")
        for o in self.options:
            if not o.text.strip():
                self._fail(f"option {o.id}", "text must not be empty")
        n = len(self.correct_ids)
        if n < min_correct or (max_correct is not None and n > max_correct):
            want = f"exactly {min_correct}" if max_correct == min_correct else f"at least {min_correct}"
            self._fail("answer", f"needs {want} correct option(s), has {n}")

    def content(self) -> dict:
        data = super().content()
        data["options"] = sorted([_canon(o.text), bool(o.correct)] for o in self.options)
        return data


@dataclass(frozen=True, kw_only=True)
class SingleChoice(_ChoiceQuestion):
    type: QuestionType = field(init=False, default=QuestionType.SINGLE_CHOICE)

    def _validate_type(self) -> None:
        self._validate_options(1, 1)


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(_ChoiceQuestion):
    type: QuestionType = field(init=False, default=QuestionType.MULTIPLE_CHOICE)

    def _validate_type(self) -> None:
        self._validate_options(1, None)
        for o in self.options:
            if o.fraction is not None and not Decimal(-1) <= o.fraction <= Decimal(1):
                self._fail(f"option {o.id}", f"fraction must be between -1 and 1, got {o.fraction}")


@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    answer: bool = True
    type: QuestionType = field(init=False, default=QuestionType.TRUE_FALSE)

    def content(self) -> dict:
        return {**super().content(), "answer": self.answer}


@dataclass(frozen=True, kw_only=True)
class FillInBlank(Question):
    blanks: tuple[Blank, ...] = ()
    normalisation: Normalisation = Normalisation()
    type: QuestionType = field(init=False, default=QuestionType.FILL_IN_BLANK)

    def _validate_type(self) -> None:
        if not self.blanks:
            self._fail("blanks", "needs at least one blank")
        for i, b in enumerate(self.blanks, 1):
            if not any(a.strip() for a in b.accepted):
                self._fail(f"blank {i}", "needs at least one accepted answer")
            if b.weight <= 0:
                self._fail(f"blank {i}", f"weight must be positive, got {b.weight}")

    def content(self) -> dict:
        return {**super().content(), "blanks": [sorted(_canon(a) for a in b.accepted) for b in self.blanks]}


@dataclass(frozen=True, kw_only=True)
class ShortAnswer(Question):
    key_points: tuple[KeyPoint, ...] = ()
    normalisation: Normalisation = Normalisation()
    type: QuestionType = field(init=False, default=QuestionType.SHORT_ANSWER)

    def _validate_type(self) -> None:
        if not self.key_points:
            self._fail("key points", "needs at least one expected key point")
        for kp in self.key_points:
            if kp.weight <= 0:
                self._fail(f"key point {kp.id}", f"weight must be positive, got {kp.weight}")
            if not kp.text.strip():
                self._fail(f"key point {kp.id}", "text must not be empty")

    def content(self) -> dict:
        return {
            **super().content(),
            "key_points": sorted(sorted(_canon(p) for p in kp.all_phrasings) for kp in self.key_points),
        }


@dataclass(frozen=True, kw_only=True)
class Essay(Question):
    rubric: tuple[RubricCriterion, ...] = ()
    reference_answer: str = ""
    type: QuestionType = field(init=False, default=QuestionType.ESSAY)

    def _validate_type(self) -> None:
        for c in self.rubric:
            if not c.levels:
                self._fail(f"rubric criterion {c.id}", "needs at least one level")
        if self.rubric:
            total = sum((c.max_points for c in self.rubric), Decimal(0))
            if total != self.points:
                self._fail("rubric", f"top levels add up to {total} but the question is worth {self.points}")


QUESTION_CLASSES: dict[QuestionType, type[Question]] = {
    QuestionType.SINGLE_CHOICE: SingleChoice,
    QuestionType.MULTIPLE_CHOICE: MultipleChoice,
    QuestionType.TRUE_FALSE: TrueFalse,
    QuestionType.FILL_IN_BLANK: FillInBlank,
    QuestionType.SHORT_ANSWER: ShortAnswer,
    QuestionType.ESSAY: Essay,
}
