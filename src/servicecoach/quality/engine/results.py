"""One conversation in, one result out: the :class:`Inspector` ties a compiled rule set, a scorecard
and the customer-emotion analysis together and builds the result record that ``qa run`` writes as a
JSON line (format: docs/qa-results.md)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from . import emotion as emotion_module
from .fast import CompiledRuleSet
from .measures import Outcome
from .model import Conversation
from .rules import RuleError, RuleSet, load_ruleset
from .scorecard import Scorecard, ScoreResult, load_scorecard, score, score_batch_json

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


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if it runs) for a batch: reading and scoring a batch makes
    tens of thousands of small objects that hold no reference cycles (reference counting frees
    them), and the collector's passes over them, every 700 allocations, cost about a tenth of the
    time. One collection pass follows the batch instead."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


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
        results (tests hold them byte for byte equal), fewer Python steps per conversation. The rules,
        the customer emotion (:func:`.emotion.analyse_batch`) and the scorecard
        (:func:`.scorecard.score_batch`) each run over the whole batch, with the cyclic garbage
        collector paused (:func:`gc_paused`)."""
        if not convs:
            return []
        with gc_paused():
            return self._inspect_json_batch(convs)

    def _inspect_json_batch(self, convs: list[Conversation]) -> list[tuple[bytes, dict[str, Any]]]:
        batch = self.batch
        matrix, hits_of, emotions = batch.evaluate_parts(convs)
        engine, card, ruleset = self.engine, self.scorecard, self.ruleset
        emotions = list(emotions) if emotions is not None else [None] * len(convs)
        missing = [i for i, e in enumerate(emotions) if e is None]
        if missing:
            if engine.analyse is emotion_module.analyse:
                for i, e in zip(missing, emotion_module.analyse_batch([convs[i] for i in missing])):
                    emotions[i] = e
            else:
                for i in missing:
                    emotions[i] = engine.analyse(convs[i])
        scored, fragments = score_batch_json(card, batch.rule_ids, matrix)
        # the rules not applicable, per conversation in rule order, from the states matrix
        ids = batch.rule_ids
        na_conv, na_rule = (matrix == -1).nonzero()
        na_names = [ids[j] for j in na_rule.tolist()]
        na_bounds = na_conv.searchsorted(range(len(convs) + 1)).tolist()
        dumps = orjson.dumps
        ruleset_ref = {"id": ruleset.id, "version": ruleset.version}
        card_ref = {"id": card.id, "version": card.version}
        out = []
        for ci, (conv, hits, s, emotion) in enumerate(zip(convs, hits_of, scored, emotions)):
            result = {
                "id": conv.id,
                "source": conv.source,
                "score": s.score,
                "grade": s.grade,
                "red_line": s.red_line,
                "customer_emotion": round(float(emotion.score), 4) if emotion is not None else None,
                "emotion_trend": emotion.trend if emotion is not None else None,
                "hits": [
                    {"rule": rule, "message": mi, "start": st, "end": e, "text": text}
                    for rule, mi, st, e, text in hits
                ],
                "not_applicable": na_names[na_bounds[ci] : na_bounds[ci + 1]],
                "items": fragments[ci],  # the item records, serialised once per batch
                "ruleset": ruleset_ref,
                "scorecard": card_ref,
            }
            line = dumps(result)
            result["items"] = s.items
            out.append((line, result))
        return out
