"""Engine questions <-> the JSON stored on a question version.

The engine's dataclasses are the truth about a question; the database keeps each version as a
plain JSON document (``QuestionVersion.data``) so that a version is frozen exactly as it was
written, whatever later edits do. Decimals travel as strings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from servicecoach.exams.engine.questions import (
    QUESTION_CLASSES,
    Blank,
    Essay,
    FillInBlank,
    KeyPoint,
    Normalisation,
    Option,
    Question,
    QuestionType,
    RubricCriterion,
    RubricLevel,
    ShortAnswer,
    TrueFalse,
    _ChoiceQuestion,
)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _norm(n: Normalisation) -> dict[str, bool]:
    return {"trim": n.trim, "width": n.width, "case": n.case, "spaces": n.spaces}


def question_to_data(q: Question) -> dict[str, Any]:
    """Everything but ``key`` and ``version`` (those are the database's)."""
    data: dict[str, Any] = {
        "type": q.type.value,
        "stem": q.stem,
        "topic": q.topic,
        "difficulty": q.difficulty.value,
        "tags": list(q.tags),
        "explanation": q.explanation,
        "points": _dec(q.points),
    }
    if isinstance(q, _ChoiceQuestion):
        data["options"] = [
            {"id": o.id, "text": o.text, "correct": o.correct, "fraction": _dec(o.fraction), "feedback": o.feedback}
            for o in q.options
        ]
    elif isinstance(q, TrueFalse):
        data["answer"] = q.answer
    elif isinstance(q, FillInBlank):
        data["blanks"] = [{"accepted": list(b.accepted), "weight": _dec(b.weight)} for b in q.blanks]
        data["normalisation"] = _norm(q.normalisation)
    elif isinstance(q, ShortAnswer):
        data["key_points"] = [
            {"id": k.id, "text": k.text, "weight": _dec(k.weight), "phrasings": list(k.phrasings)}
            for k in q.key_points
        ]
        data["normalisation"] = _norm(q.normalisation)
    elif isinstance(q, Essay):
        data["reference_answer"] = q.reference_answer
        data["rubric"] = [
            {"id": c.id, "title": c.title,
             "levels": [{"label": lv.label, "points": _dec(lv.points), "descriptor": lv.descriptor} for lv in c.levels]}
            for c in q.rubric
        ]
    return data


def question_from_data(data: dict[str, Any], *, key: str, version: int = 1) -> Question:
    qtype = QuestionType(data["type"])
    meta = dict(
        key=key,
        version=version,
        stem=data["stem"],
        topic=data.get("topic", ""),
        difficulty=data.get("difficulty", "medium"),
        tags=tuple(data.get("tags", ())),
        explanation=data.get("explanation", ""),
        points=Decimal(data.get("points") or "1"),
    )
    cls = QUESTION_CLASSES[qtype]
    extra: dict[str, Any] = {}
    if qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        extra["options"] = tuple(
            Option(id=o["id"], text=o["text"], correct=bool(o.get("correct")),
                   fraction=None if o.get("fraction") is None else Decimal(o["fraction"]),
                   feedback=o.get("feedback", ""))
            for o in data.get("options", ())
        )
    elif qtype is QuestionType.TRUE_FALSE:
        extra["answer"] = bool(data.get("answer"))
    elif qtype is QuestionType.FILL_IN_BLANK:
        extra["blanks"] = tuple(
            Blank(accepted=tuple(b["accepted"]), weight=Decimal(b.get("weight") or "1")) for b in data.get("blanks", ())
        )
        extra["normalisation"] = Normalisation(**data.get("normalisation", {}))
    elif qtype is QuestionType.SHORT_ANSWER:
        extra["key_points"] = tuple(
            KeyPoint(id=k["id"], text=k["text"], weight=Decimal(k.get("weight") or "1"),
                     phrasings=tuple(k.get("phrasings", ())))
            for k in data.get("key_points", ())
        )
        extra["normalisation"] = Normalisation(**data.get("normalisation", {}))
    elif qtype is QuestionType.ESSAY:
        extra["reference_answer"] = data.get("reference_answer", "")
        extra["rubric"] = tuple(
            RubricCriterion(id=c["id"], title=c["title"], levels=tuple(
                RubricLevel(label=lv["label"], points=Decimal(lv["points"]), descriptor=lv.get("descriptor", ""))
                for lv in c["levels"]))
            for c in data.get("rubric", ())
        )
    return cls(**meta, **extra)
