"""The batched evaluator (engine/batch.py) against the reference evaluator on EVERY small
conversation: all sequences of up to four messages over a few roles and texts, evaluated as one
batch, for rules covering each batched operator. Exhaustive where the random test is only likely:
an off-by-one in a context window or a scope shows up here for certain."""

from __future__ import annotations

from itertools import product

import pytest

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.batch import BatchRuleSet, rule_batchable
from servicecoach.quality.engine.fast import CompiledRuleSet, available_backends
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset

MESSAGES = [(role, text) for role in ("customer", "agent", "bot") for text in ("投诉了", "抱歉 13812345678", "好吗？好")]


def conditions():
    out = []
    for direction, mode, within in product(("after", "before"), ("present", "missing"), (1, 2)):
        out.append({"context": {
            "trigger": {"keywords": {"words": ["投诉"], "role": "customer"}},
            "expect": {"keywords": {"words": ["抱歉"], "role": "agent"}},
            "within": within, "direction": direction, "mode": mode,
        }})
    out.append({"context": {
        "trigger": {"regex": {"pattern": "投诉|好", "role": "any"}},
        "expect": {"sensitive": {"kinds": ["mobile"], "role": "agent", "position": {"last": 1}}},
        "within": 1, "direction": "after", "mode": "present",
    }})
    for role, pos in product(("agent", "customer", "any"), (None, {"first": 1}, {"first": 2}, {"last": 1}, {"last": 2})):
        leaf = {"words": ["抱歉", "好"], "role": role} | ({"position": pos} if pos else {})
        out.append({"keywords": leaf})
        out.append({"keywords": leaf | {"match": "all"}})
        out.append({"not": {"keywords": leaf | {"match": "none"}}})
    out += [
        {"and": [{"keywords": {"words": ["投诉"]}}, {"not": {"keywords": {"words": ["抱歉"], "role": "agent"}}}]},
        {"or": [{"keywords": {"words": ["好"], "role": "bot"}}, {"regex": {"pattern": "抱歉", "role": "agent"}},
                {"timing": {"metric": "first_response", "over": 15}}]},
        {"timing": {"metric": "first_response", "over": 15}},
        {"timing": {"metric": "first_response", "under": 15}},
        {"timing": {"metric": "reply_latency", "over": 5, "count": 2}},
        {"timing": {"metric": "longest_wait", "over": 15}},
        {"timing": {"metric": "left_waiting"}},
        {"timing": {"metric": "duration", "over": 25}},
        {"count": {"metric": "messages", "role": "agent", "under": 2}},
        {"count": {"metric": "message_length", "role": "any", "over": 3, "count": 2}},
        {"sensitive": {"kinds": ["mobile"], "role": "agent"}},
        {"count": {"metric": "repeat", "role": "any", "times": 2, "min_length": 1}},
        {"count": {"metric": "repeat", "role": "customer", "times": 2, "min_length": 1, "questions_only": True}},
        {"count": {"metric": "repeat", "role": "agent", "times": 3, "min_length": 2}},
        {"channel": {"in": ["call"], "otherwise": "not_applicable"}},
        {"call": {"metric": "silence", "over": 4}},
        {"call": {"metric": "overlap", "role": "agent"}},
        {"call": {"metric": "overlap", "role": "any", "over": 3, "count": 2}},
        {"call": {"metric": "speech_rate", "role": "agent", "over": 30}},  # 4 chars in 8 s: exactly 30
        {"call": {"metric": "speech_rate", "role": "any", "over": 30, "per": "average"}},
        {"label": {"name": "csat", "lte": 2}},
    ]
    return out


RULESET = parse_ruleset({"ruleset": "small", "version": "1", "rules": [
    {"id": f"r{i:02d}", "name": {"zh": "规则", "en": "rule"}, "category": "process", "severity": "minor", "condition": c}
    for i, c in enumerate(conditions())
]})


def small_conversations(longest: int = 4):
    convs = []
    for n in range(1, longest + 1):
        for seq in product(MESSAGES, repeat=n):
            # a message every 5, 10 or 20 s, so waits and durations fall on both sides of the thresholds
            # above; every seventh conversation without times, every fourth a call
            k = len(convs)
            step = (5.0, 10.0, 20.0)[k % 3] if k % 7 else None
            call = k % 4 == 0  # calls: utterances 3, 8 or 15 s long, so some overlap the next one
            length = (3.0, 8.0, 15.0)[(k // 4 + 1) % 3]
            msgs = [Message(role, text, time=None if step is None else step * i,
                            end=step * i + length if call and step is not None else None)
                    for i, (role, text) in enumerate(seq)]
            convs.append(Conversation(id=str(k), messages=msgs, labels={"csat": k % 5},
                                      channel="call" if call else "chat"))
    return convs


def test_every_rule_here_has_a_batched_form():
    assert all(rule_batchable(rule) for rule in RULESET.rules)


@pytest.mark.parametrize("backend", available_backends())
def test_batched_equals_reference_on_every_small_conversation(backend):
    # every conversation of up to 4 messages with the default matcher, up to 3 with the others
    convs = small_conversations(4 if backend == available_backends()[0] else 3)
    assert len(convs) in (9 + 81 + 729 + 6561, 9 + 81 + 729)
    got = BatchRuleSet(CompiledRuleSet(RULESET, backend=backend)).evaluate(convs)
    fired = 0
    for conv, outcome in zip(convs, got):
        expected = reference.evaluate(RULESET, conv)
        assert outcome.states == expected.states, (conv, backend)
        assert outcome.hits == expected.hits, (conv, backend)
        fired += len(expected.fired)
    if len(convs) < 6561:
        return
    # the cases are not trivial: every rule but the six "all of 抱歉 and 好 in one message" ones (no text
    # here holds both) and the channel rule (true or not applicable, never false) fires somewhere and
    # not elsewhere
    varied = [r.id for r in RULESET.rules if {o.states[r.id] for o in got} >= {True, False}]
    assert len(varied) >= len(RULESET.rules) - 7, sorted({r.id for r in RULESET.rules} - set(varied))
    assert fired > len(convs)


def test_batches_of_any_size_give_the_same_outcomes():
    convs = small_conversations()[:400]
    batch = BatchRuleSet(CompiledRuleSet(RULESET))
    whole = batch.evaluate(convs)
    for size in (1, 7, 128):
        parts = [o for i in range(0, len(convs), size) for o in batch.evaluate(convs[i : i + size])]
        assert [(o.states, o.hits) for o in parts] == [(o.states, o.hits) for o in whole]
    assert batch.evaluate([]) == []
