"""Label conditions in the batched evaluator (judged once per distinct label value in a batch)
against the reference evaluator, on values that compare equal but are judged apart (True and 1,
1 and 1.0), unhashable ones (lists, objects), missing, null and nested labels."""

from __future__ import annotations

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.batch import BatchRuleSet
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset

CONDITIONS = [
    {"label": {"name": "csat", "lte": 2}},
    {"label": {"name": "csat", "eq": 1}},
    {"label": {"name": "csat", "eq": True}},
    {"label": {"name": "csat", "ne": "1"}},
    {"label": {"name": "csat", "in": [1, "bad", [1, 2]]}},
    {"label": {"name": "tags", "contains": "refund"}},
    {"label": {"name": "q.S", "gte": 1.5}},
    {"not": {"label": {"name": "q.S", "lt": 1}}},
]
VALUES = [1, 1.0, True, False, 0, 2, 2.5, "1", "bad", "refund please", None, [1, 2], ["refund"], {"S": 2}, {"x": 1},
          float("nan")]


def test_batched_labels_agree_with_reference_on_values_that_compare_equal_or_cannot_be_hashed():
    ruleset = parse_ruleset({"ruleset": "labels", "version": "1", "rules": [
        {"id": f"r{i}", "name": {"zh": "规则", "en": "rule"}, "category": "process", "severity": "minor", "condition": c}
        for i, c in enumerate(CONDITIONS)]})
    convs = []
    for i, value in enumerate(VALUES * 3):  # each value several times in the batch
        labels = [{"csat": value}, {"tags": value}, {"q": value}, {"q": {"S": value}}, {}][i % 5]
        convs.append(Conversation(id=str(i), messages=[Message("customer", "你好")], labels=labels))
    got = BatchRuleSet(CompiledRuleSet(ruleset)).evaluate(convs)
    seen = set()
    for conv, outcome in zip(convs, got):
        expected = reference.evaluate(ruleset, conv)
        assert outcome.states == expected.states, conv.labels
        seen.update(expected.states.values())
    assert seen == {True, False, None}
