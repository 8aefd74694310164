"""regex: patterns with an optional exclusion, role scope, case, anchors."""

from __future__ import annotations

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset


def judge(condition: dict, conv: Conversation):
    rs = parse_ruleset({"ruleset": "t", "version": "1", "rules": [
        {"id": "r", "name": {"zh": "r", "en": "r"}, "category": "compliance", "severity": "severe", "condition": condition}
    ]})
    ref = reference.evaluate(rs, conv)
    for backend in ("hyperscan", "ahocorasick", "python"):
        got = CompiledRuleSet(rs, backend=backend).evaluate(conv)
        assert (got.states, got.hits) == (ref.states, ref.hits), backend
    return ref.states["r"], [h[1:] for h in ref.hits]


def chat(*pairs):
    return Conversation(id="c", messages=[Message(role=r, text=t) for r, t in pairs])


PROMISE = "(保证|肯定|绝对)(能|会)"


def test_regex_records_each_match():
    state, hits = judge({"regex": {"pattern": PROMISE}}, chat(("agent", "我保证能到，绝对会退")))
    assert state is True
    assert hits == [(0, 1, 4, "保证能"), (0, 6, 9, "绝对会")]


def test_exclusion_pattern_drops_the_messages_it_matches():
    cond = {"regex": {"pattern": PROMISE, "exclude": "(不能|无法)保证"}}
    assert judge(cond, chat(("agent", "这个我无法保证能到")))[0] is False
    state, hits = judge(cond, chat(("agent", "这个我无法保证能到"), ("agent", "但我保证能退")))
    assert state is True and [h[0] for h in hits] == [1]


def test_role_scope_applies_to_regex():
    cond = {"regex": {"pattern": PROMISE, "role": "agent"}}
    assert judge(cond, chat(("customer", "你保证能到吗")))[0] is False


def test_case_is_ignored_unless_asked():
    conv = chat(("agent", "I GUARANTEE it"))
    assert judge({"regex": {"pattern": r"\bguarantee\b"}}, conv)[0] is True
    assert judge({"regex": {"pattern": r"\bguarantee\b", "ignore_case": False}}, conv)[0] is False


def test_anchors_are_per_message():
    conv = chat(("agent", "abc"), ("agent", "xyz"))
    assert judge({"regex": {"pattern": r"^x"}}, conv)[0] is True
    assert judge({"regex": {"pattern": r"\Ax"}}, conv)[0] is True
    assert judge({"regex": {"pattern": r"c$"}}, conv)[0] is True
    assert judge({"regex": {"pattern": r"c\nx"}}, conv)[0] is False
