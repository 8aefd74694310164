"""One conversation in, one result out: the :class:`Inspector` ties a compiled rule set, a scorecard
and the customer-emotion analysis together and builds the result record that ``qa run`` writes as a
JSON line (format: docs/qa-results.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from .fast import CompiledRuleSet
from .measures import Outcome
from .model import Conversation
from .rules import RuleError, RuleSet, load_ruleset
from .scorecard import Scorecard, ScoreResult, load_scorecard, score

RESULT_FORMAT = "qa-result-v1"


def build_result(
    conv: Conversation, outcome: Outcome, scored: ScoreResult, emotion: Any, ruleset: RuleSet, card: Scorecard
) -> dict[str, Any]:
    """The result record of one conversation (a plain dict, ready for orjson)."""
    return {
        "id": conv.id,
        "source": conv.source,
        "score": scored.score,
        "grade": scored.grade,
        "red_line": scored.red_line,
        "customer_emotion": round(float(emotion.score), 4) if emotion is not None else None,
        "emotion_trend": emotion.trend if emotion is not None else None,
        "hits": [
            {"rule": rule, "message": mi, "start": s, "end": e, "text": text}
            for rule, mi, s, e, text in outcome.hits
        ],
        "not_applicable": outcome.not_applicable,
        "items": scored.items,
        "ruleset": {"id": ruleset.id, "version": ruleset.version},
        "scorecard": {"id": card.id, "version": card.version},
    }


class Inspector:
    """Score conversations with a rule set and a scorecard.

    ``Inspector.load("zh")`` takes a built-in pack and its default scorecard; any rule-set file and
    scorecard file work the same way. ``inspect(conv)`` returns the result dict."""

    def __init__(
        self, ruleset: RuleSet, scorecard: Scorecard, *, backend: str | None = None,
        analyse: Callable[[Conversation], Any] | None = None,
    ):
        scorecard.check_rules(ruleset)
        self.ruleset = ruleset
        self.scorecard = scorecard
        self.engine = CompiledRuleSet(ruleset, backend=backend, analyse=analyse)
        self._batch: Any = None

    @classmethod
    def load(
        cls, rules: str | Path, scorecard: str | Path | None = None, *, backend: str | None = None,
        analyse: Callable[[Conversation], Any] | None = None,
    ) -> Inspector:
        ruleset = load_ruleset(rules)
        if scorecard is None:
            if ruleset.scorecard_path is None:
                raise RuleError("has no default scorecard: name one with --scorecard", source=str(rules))
            scorecard = ruleset.scorecard_path
        return cls(ruleset, load_scorecard(scorecard), backend=backend, analyse=analyse)

    def evaluate(self, conv: Conversation) -> tuple[Outcome, ScoreResult, Any]:
        outcome = self.engine.evaluate(conv)
        emotion = self.engine.emotion(conv, outcome)
        return outcome, score(self.scorecard, outcome), emotion

    def inspect(self, conv: Conversation) -> dict[str, Any]:
        outcome, scored, emotion = self.evaluate(conv)
        return build_result(conv, outcome, scored, emotion, self.ruleset, self.scorecard)

    def inspect_json(self, conv: Conversation) -> tuple[bytes, dict[str, Any]]:
        """The result as its JSON line (without the newline), and the record it was made from. The
        record shares its unchanged item entries with other results: read it, do not modify it."""
        outcome = self.engine.evaluate(conv)
        emotion = self.engine.emotion(conv, outcome)
        scored = score(self.scorecard, outcome, shared=True)
        result = build_result(conv, outcome, scored, emotion, self.ruleset, self.scorecard)
        return orjson.dumps(result), result

    @property
    def batch(self) -> Any:
        """The batched evaluator of the same rule set (:mod:`.batch`), built when first used."""
        if self._batch is None:
            from .batch import BatchRuleSet

            self._batch = BatchRuleSet(self.engine)
        return self._batch

    def inspect_json_batch(self, convs: list[Conversation]) -> list[tuple[bytes, dict[str, Any]]]:
        """:meth:`inspect_json` for many conversations at once, with the batched evaluator: the same
        results (tests hold them byte for byte equal), fewer Python steps per conversation."""
        outcomes = self.batch.evaluate(convs)
        engine, card, ruleset = self.engine, self.scorecard, self.ruleset
        dumps = orjson.dumps
        out = []
        for conv, outcome in zip(convs, outcomes):
            emotion = engine.emotion(conv, outcome)
            result = build_result(conv, outcome, score(card, outcome, shared=True), emotion, ruleset, card)
            out.append((dumps(result), result))
        return out
