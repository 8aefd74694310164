"""One conversation in, one result out: the :class:`Inspector` ties a compiled rule set, a scorecard
and the customer-emotion analysis together and builds the result record that ``qa run`` writes as a
JSON line (format: docs/qa-results.md)."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import orjson

from . import emotion as emotion_module
from . import native
from .fast import CompiledRuleSet
from .measures import Outcome
from .model import Conversation
from .rules import RuleError, RuleSet, load_ruleset
from .scorecard import (
    MODES,
    Scorecard,
    ScoreResult,
    _item_dict,
    _plan,
    load_scorecard,
    score,
    score_batch_json,
)

try:
    from . import _results  # type: ignore[attr-defined]
except ImportError:  # not built (no C compiler when installed): the result lines are written in Python
    _results = None

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
        self._lines_plan_cache: Any = None  # (rule ids, plan) of _lines_plan

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
        matrix, hits_of, emotions = self.batch.evaluate_parts(convs)
        return self.records_of_parts(convs, matrix, hits_of, self._emotion_columns(convs, emotions))

    def records_of_parts(
        self, convs: list[Conversation], matrix: Any, hits_of: list, emotion: tuple[np.ndarray, np.ndarray, list],
    ) -> list[tuple[bytes, dict[str, Any]]]:
        """The ``(line, record)`` pairs of a batch from its parts: the states matrix and hits of
        :meth:`.batch.BatchRuleSet.evaluate_parts` (columns in ``self.batch.rule_ids`` order) and the
        customer emotion as :meth:`_emotion_columns` gives it."""
        card, ruleset = self.scorecard, self.ruleset
        present, emotion_scores, trends = emotion
        present, emotion_scores = present.tolist(), emotion_scores.tolist()
        ids = self.batch.rule_ids
        scored, fragments = score_batch_json(card, ids, matrix)
        # the rules not applicable, per conversation in rule order, from the states matrix
        na_conv, na_rule = (matrix == -1).nonzero()
        na_names = [ids[j] for j in na_rule.tolist()]
        na_bounds = na_conv.searchsorted(range(len(convs) + 1)).tolist()
        dumps = orjson.dumps
        ruleset_ref = {"id": ruleset.id, "version": ruleset.version}
        card_ref = {"id": card.id, "version": card.version}
        out = []
        for ci, (conv, hits, s) in enumerate(zip(convs, hits_of, scored)):
            has_emotion = present[ci]
            result = {
                "id": conv.id,
                "source": conv.source,
                "score": s.score,
                "grade": s.grade,
                "red_line": s.red_line,
                "customer_emotion": round(emotion_scores[ci], 4) if has_emotion else None,
                "emotion_trend": trends[ci] if has_emotion else None,
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

    def _emotion_columns(self, convs: list[Conversation], emotions: Any) -> tuple[np.ndarray, np.ndarray, list]:
        """THE adapter between the batched evaluator's customer emotion (the third part of
        :meth:`.batch.BatchRuleSet.evaluate_parts`: an :class:`.emotion.EmotionBatch` of arrays, a
        list of :class:`.emotion.EmotionResult` or None, or None for the whole batch when no rule
        needed emotion) and the result lines: ``(present, score, trend)`` per conversation,
        ``present`` int8 (0: no emotion result, both fields null), ``score`` float64
        (``float(result.score)``), ``trend`` a list of the trend values. The emotions not computed
        by the rules are computed here (batched for the built-in analysis). Nothing else in this
        module reads an emotion result."""
        B = len(convs)
        engine = self.engine
        builtin = engine.analyse is emotion_module.analyse
        if emotions is None and builtin:
            emotions = emotion_module.analyse_batch(convs, lazy=True)
        if isinstance(emotions, emotion_module.EmotionBatch):  # arrays: no result object made
            return np.ones(B, dtype=np.int8), np.asarray(emotions.scores, dtype=np.float64), emotions.trends
        emotions = list(emotions) if emotions is not None else [None] * B
        missing = [i for i, e in enumerate(emotions) if e is None]
        if missing:
            if builtin:
                for i, e in zip(missing, emotion_module.analyse_batch([convs[i] for i in missing])):
                    emotions[i] = e
            else:
                for i in missing:
                    emotions[i] = engine.analyse(convs[i])
        present = np.fromiter((e is not None for e in emotions), dtype=np.int8, count=B)
        scores = np.fromiter((0.0 if e is None else float(e.score) for e in emotions), dtype=np.float64, count=B)
        trends = [None if e is None else e.trend for e in emotions]
        return present, scores, trends

    def inspect_lines_batch(self, convs: list[Conversation], bands: tuple[float, ...] = ()) -> ChunkLines:
        """The JSON lines of :meth:`inspect_json_batch` (each followed by a newline, joined) and the
        counts ``qa run`` sums up, without the result dicts: written by the compiled
        ``_results`` module (engine/_results.c) when it is built and the compiled core is enabled
        (:func:`.native.enabled`), else from :meth:`inspect_json_batch`'s records. Byte-identical
        either way (tests/quality/engine/test_native_results.py). ``bands``: the minimum score of
        each band of the summary, highest first (a score below all falls in the last one)."""
        if not convs:
            return ChunkLines(b"", 0, Counter(), Counter(), Counter(), [0] * (len(bands) + 1), 0)
        with gc_paused():
            if _results is not None and native.enabled():
                return self._write_lines(convs, bands)
            return lines_of(self._inspect_json_batch(convs), bands)

    def _write_lines(self, convs: list[Conversation], bands: tuple[float, ...]) -> ChunkLines:
        matrix, hits_of, emotions = self.batch.evaluate_parts(convs)
        return self.lines_of_parts(convs, matrix, hits_of, self._emotion_columns(convs, emotions), bands)

    def lines_of_parts(
        self, convs: list[Conversation], matrix: Any, hits_of: list, emotion: tuple[np.ndarray, np.ndarray, list],
        bands: tuple[float, ...] = (),
    ) -> ChunkLines:
        """:func:`lines_of` :meth:`records_of_parts`, written by the compiled ``_results`` module
        (which must be built): the same bytes and counts (a test holds them equal)."""
        present, scores, trends = emotion
        ids = self.batch.rule_ids
        plan = self._lines_plan(ids)
        lines, hits, fired, na, band_counts, red = _results.write_lines(
            np.ascontiguousarray(matrix, dtype=np.int8), len(convs), list(convs), list(hits_of),
            np.ascontiguousarray(present, dtype=np.int8), np.ascontiguousarray(scores, dtype=np.float64),
            list(trends), plan[0] + (tuple(float(b) for b in bands),), plan[1], plan[2], plan[3], orjson.dumps,
        )
        return ChunkLines(
            lines, len(convs), _counter(ids, hits), _counter(ids, fired), _counter(ids, na), band_counts, red,
        )

    def _lines_plan(self, rule_ids: list[str]) -> tuple:
        """What ``_results.write_lines`` needs of the scorecard, the rule set and the rule columns,
        made once per Inspector (and rule order): per item its mode, points, flags, the columns of
        its rules and its records already serialised (as :func:`.scorecard.score_batch_json` has
        them); the sections' bounds; the grades; each rule's id as JSON; the end of every line."""
        cached = self._lines_plan_cache
        key = tuple(rule_ids)
        if cached is not None and cached[0] == key:
            return cached[1]
        dumps = orjson.dumps
        card, ruleset = self.scorecard, self.ruleset
        column = {rule_id: j for j, rule_id in enumerate(rule_ids)}
        items: list[tuple] = []
        sections: list[tuple] = []
        for section_id, bonus_lifts, rows in _plan(card):
            lo = len(items)
            for item, single, manual, records in rows:
                earned = None if manual else (0.0 if item.mode == "deduct" else item.points)
                fired = None
                if single is not None:
                    fired = dumps(_item_dict(section_id, item, earned, not manual, [single]))
                prefix = dumps(_item_dict(section_id, item, earned, not manual, []))
                if not prefix.endswith(b'"rules":[]}'):
                    raise ValueError("an item record does not end with its rules")
                items.append((
                    MODES.index(item.mode), float(item.points), item.bonus, item.red_line,
                    tuple(column.get(rule_id, -1) for rule_id in item.rules),
                    dumps(records[0]), dumps(records[1]), fired, prefix[:-3],
                    tuple(dumps(rule_id) for rule_id in item.rules),
                ))
            sections.append((bonus_lifts, lo, len(items)))
        grades = tuple((float(minimum), dumps(grade)) for minimum, grade in card.grades)
        tail = b"," + dumps({
            "ruleset": {"id": ruleset.id, "version": ruleset.version},
            "scorecard": {"id": card.id, "version": card.version},
        })[1:]
        plan = ((tuple(items), tuple(sections), grades), column, tuple(dumps(rule_id) for rule_id in rule_ids), tail)
        self._lines_plan_cache = (key, plan)
        return plan


class ChunkLines(NamedTuple):
    """What :meth:`Inspector.inspect_lines_batch` returns for a chunk: ``output`` its JSON lines (each
    ending with a newline), ``ok`` how many, per rule id the ``hits`` and the conversations with a hit
    (``fired``) and those where it was ``not_applicable``, ``bands`` the conversations per score band
    (the last: no score), ``red_lines`` those that failed a red-line item."""

    output: bytes
    ok: int
    hits: Counter
    fired: Counter
    not_applicable: Counter
    bands: list[int]
    red_lines: int


def _counter(ids: list[str], counts: list[int]) -> Counter:
    return Counter({rule_id: n for rule_id, n in zip(ids, counts) if n})


def lines_of(done: list[tuple[bytes, dict[str, Any]]], bands: tuple[float, ...]) -> ChunkLines:
    """:class:`ChunkLines` of results given as ``(line, record)`` pairs (:meth:`Inspector.inspect_json`)."""
    hits: Counter = Counter()
    fired: Counter = Counter()
    na: Counter = Counter()
    band_counts = [0] * (len(bands) + 1)
    red = 0
    for _, result in done:
        hit_rules = [h["rule"] for h in result["hits"]]
        hits.update(hit_rules)
        fired.update(set(hit_rules))
        na.update(result["not_applicable"])
        band_counts[band_index(result["score"], bands)] += 1
        red += result["red_line"]
    output = b"".join(line + b"\n" for line, _ in done)
    return ChunkLines(output, len(done), hits, fired, na, band_counts, red)


def band_index(value: float | None, bands: tuple[float, ...]) -> int:
    """The band of a score: the first whose minimum it reaches, else the last; ``len(bands)`` for no score."""
    if value is None:
        return len(bands)
    for k, minimum in enumerate(bands):
        if value >= minimum:
            return k
    return max(len(bands) - 1, 0)
