"""Inspector.inspect_json_batch (what qa run calls) against inspect_json, byte for byte, for a rule
set where some rules fall back to the per-conversation evaluator (scopes in seconds) beside batched
ones (emotion, labels, keywords, a multi-rule scorecard item), with the built-in emotion analysis
and with a custom one."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from servicecoach.quality.engine.readers import parse_conversation
from servicecoach.quality.engine.results import Inspector
from servicecoach.quality.engine.rules import parse_ruleset
from servicecoach.quality.engine.scorecard import parse_scorecard

CONDITIONS = {
    "early-greeting": {"keywords": {"words": ["您好", "你好"], "role": "agent", "position": {"first_seconds": 30}}},
    "late-thanks": {"keywords": {"words": ["谢谢"], "role": "customer", "position": {"last_seconds": 60}}},
    "angry": {"emotion": {"over": 1.0}},
    "rising": {"emotion": {"trend": "rising"}},
    "sorry": {"keywords": {"words": ["抱歉", "不好意思"], "role": "agent"}},
    "csat": {"label": {"name": "csat", "lte": 2}},
}


ROOT = Path(__file__).resolve().parents[3]


def corpus(count: int) -> list:
    """Generated chats with times, a third without, labels on some."""
    spec = importlib.util.spec_from_file_location("gen_conversations", ROOT / "benchmarks" / "gen_conversations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = random.Random(4)
    out = []
    for i, rec in enumerate(module.generate(count, seed=13)):
        if i % 3 == 2:
            for m in rec["messages"]:
                m.pop("offset", None)
        if i % 4 == 1:
            rec["labels"] = {"csat": rng.randint(1, 5)}
        out.append(parse_conversation(rec))
    return out


def _inspector(analyse=None) -> Inspector:
    ruleset = parse_ruleset({"ruleset": "mixed", "version": "1", "rules": [
        {"id": rid, "name": {"zh": rid, "en": rid}, "category": "process", "severity": "minor", "condition": cond}
        for rid, cond in CONDITIONS.items()]})
    item = lambda iid, rules, **kw: {"id": iid, "name": {"zh": iid, "en": iid}, "points": 10, "rules": rules, **kw}  # noqa: E731
    card = parse_scorecard({"scorecard": "mixed", "version": "1", "grades": [{"min": 0, "grade": "ok"}], "sections": [
        {"id": "s", "name": {"zh": "s", "en": "s"}, "items": [
            item("greet", ["early-greeting"], mode="award"), item("thanks", ["late-thanks"], mode="award"),
            item("mood", ["angry", "rising"]), item("sorry", ["sorry", "csat"], red_line=True),
        ]}]})
    return Inspector(ruleset, card, analyse=analyse)


class _Calm:
    def __init__(self, conv):
        self.score = float(len(conv.messages) % 3)
        self.trend = "rising" if len(conv.messages) % 2 else None
        self.hits = []


@pytest.mark.parametrize("analyse", [None, _Calm], ids=["built-in emotion", "custom analysis"])
def test_inspect_json_batch_equals_inspect_json_with_fallback_rules(analyse):
    inspector = _inspector(analyse)
    assert inspector.batch.fallback_ids == ["early-greeting", "late-thanks"]
    convs = corpus(300)
    batched = [line for line, _ in inspector.inspect_json_batch(convs)]
    assert batched == [inspector.inspect_json(conv)[0] for conv in convs]
    records = [r for _, r in inspector.inspect_json_batch(convs)]
    assert {r["rule"] for rec in records for r in rec["hits"]} >= {"early-greeting", "sorry", "angry"}
    assert inspector.inspect_json_batch([]) == []
