"""and / or / not with the third state, not applicable; rule-level `when` preconditions; emotion,
channel and label operators."""

from __future__ import annotations

import itertools

import pytest

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.emotion import analyse
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.measures import and_states, not_state, or_states
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset

T, F, N = True, False, None


def judge(condition: dict, conv: Conversation, when: dict | None = None):
    rule = {"id": "r", "name": {"zh": "r", "en": "r"}, "category": "process", "severity": "minor", "condition": condition}
    if when is not None:
        rule["when"] = when
    rs = parse_ruleset({"ruleset": "t", "version": "1", "rules": [rule]})
    ref = reference.evaluate(rs, conv)
    got = CompiledRuleSet(rs).evaluate(conv)
    assert (got.states, got.hits) == (ref.states, ref.hits)
    return ref.states["r"], [h[1:] for h in ref.hits]


def test_truth_tables_are_kleene_with_not_applicable_as_unknown():
    expected_and = {(T, T): T, (T, F): F, (T, N): N, (F, F): F, (F, N): F, (N, N): N}
    expected_or = {(T, T): T, (T, F): T, (T, N): T, (F, F): F, (F, N): N, (N, N): N}
    for a, b in itertools.product((T, F, N), repeat=2):
        key = (a, b) if (a, b) in expected_and else (b, a)
        assert and_states([a, b]) is expected_and[key], (a, b)
        assert or_states([a, b]) is expected_or[key], (a, b)
    assert (not_state(T), not_state(F), not_state(N)) == (F, T, N)


CONV = Conversation(id="c", channel="chat", labels={"csat": 2, "tags": ["refund", "late"], "scores": {"S": -1.5}},
                    messages=[Message("customer", "退款呢", None), Message("agent", "抱歉", None)])
YES = {"keywords": {"words": ["抱歉"]}}
NO = {"keywords": {"words": ["没有的词"]}}
UNKNOWN = {"timing": {"metric": "duration", "over": 1}}  # the conversation has no times


@pytest.mark.parametrize(("op", "children", "state"), [
    ("and", [YES, YES], T), ("and", [YES, NO], F), ("and", [YES, UNKNOWN], N), ("and", [NO, UNKNOWN], F),
    ("or", [NO, YES], T), ("or", [NO, NO], F), ("or", [YES, UNKNOWN], T), ("or", [NO, UNKNOWN], N),
])
def test_and_or_through_the_evaluators(op, children, state):
    assert judge({op: children}, CONV)[0] is state


def test_not_flips_true_and_false_and_keeps_not_applicable():
    assert judge({"not": YES}, CONV)[0] is False
    assert judge({"not": NO}, CONV)[0] is True
    assert judge({"not": UNKNOWN}, CONV)[0] is None


def test_evidence_of_or_comes_from_the_children_that_held():
    state, hits = judge({"or": [NO, YES, {"keywords": {"words": ["退款"]}}]}, CONV)
    assert state is True and [h[3] for h in hits] == ["退款", "抱歉"]


def test_a_when_precondition_that_does_not_hold_makes_the_rule_not_applicable():
    assert judge(NO, CONV, when={"channel": ["call"]}) == (None, [])
    assert judge({"not": NO}, CONV, when={"channel": ["chat"]})[0] is True
    assert judge(YES, CONV, when=UNKNOWN) == (None, [])


def test_channel_operator_and_its_not_applicable_option():
    assert judge({"channel": ["chat", "social"]}, CONV)[0] is True
    assert judge({"channel": "call"}, CONV)[0] is False
    assert judge({"channel": {"in": ["call"], "otherwise": "not_applicable"}}, CONV)[0] is None


@pytest.mark.parametrize(("label", "state"), [
    ({"name": "csat", "lte": 2}, T), ({"name": "csat", "lt": 2}, F), ({"name": "csat", "gte": 2}, T),
    ({"name": "csat", "gt": 4}, F), ({"name": "csat", "eq": 2}, T), ({"name": "csat", "ne": 2}, F),
    ({"name": "tags", "contains": "refund"}, T), ({"name": "tags", "contains": "lost"}, F),
    ({"name": "csat", "in": [1, 2]}, T), ({"name": "scores.S", "lte": -1}, T),
    ({"name": "resolved", "eq": True}, N),  # label absent
    ({"name": "tags", "gt": 1}, N),  # not a number
    ({"name": "csat", "contains": "x"}, N),  # neither a list nor a string
])
def test_label_comparisons(label, state):
    assert judge({"label": label}, CONV)[0] is state


def test_customer_emotion_score_and_trend():
    angry = Conversation(id="a", messages=[
        Message("customer", "你好，请问快递到哪了"), Message("agent", "正在派送"),
        Message("customer", "太垃圾了！！！骗子，我要投诉，曝光你们！"),
    ])
    state, hits = judge({"emotion": {"over": 3}}, angry)
    assert state is True and hits and all(h[0] == 2 for h in hits)
    assert judge({"emotion": {"trend": "rising"}}, angry)[0] is True
    assert judge({"emotion": {"trend": "falling"}}, angry)[0] is False
    calm = Conversation(id="b", messages=[Message("customer", "谢谢，已经收到了"), Message("agent", "不客气")])
    assert analyse(calm).score < 3
    assert judge({"emotion": {"over": 3}}, calm)[0] is False
    # a trend needs two customer messages
    assert judge({"emotion": {"trend": "rising"}}, calm)[0] is None
    assert judge({"emotion": {"over": 1}}, Conversation(id="x", messages=[Message("agent", "您好")]))[0] is None
