"""call rules (messages with end times): silence, speech rate, overlaps/interruptions."""

from __future__ import annotations

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset


def judge(condition: dict, conv: Conversation):
    rs = parse_ruleset({"ruleset": "t", "version": "1", "rules": [
        {"id": "r", "name": {"zh": "r", "en": "r"}, "category": "communication", "severity": "minor", "condition": condition}
    ]})
    ref = reference.evaluate(rs, conv)
    got = CompiledRuleSet(rs).evaluate(conv)
    assert (got.states, got.hits) == (ref.states, ref.hits)
    return ref.states["r"], [h[1] for h in ref.hits]


def call(*utterances):
    return Conversation(id="c", channel="call", messages=[
        Message(role=r, text=text, time=t, end=e) for r, text, t, e in utterances
    ])


# agent: 20 characters in 4 s (300/min); customer 10 chars 5-9 s; agent interrupts at 8 s (1.0 s overlap
# with the customer, who speaks until 9); 12 s of silence before the customer's last words;
# agent 30 characters in 5 s (360/min) from 25.5 s while the customer still talks (overlap 0.5 s)
CALL = call(
    ("agent", "您" * 20, 0, 4),
    ("customer", "我" * 10, 5, 9),
    ("agent", "好" * 10, 8, 10),
    ("customer", "嗯" * 5, 22, 26),
    ("agent", "是" * 30, 25.5, 30.5),
)


def test_silence_longer_than_x_seconds():
    assert judge({"call": {"metric": "silence", "over": 10}}, CALL) == (True, [3])
    assert judge({"call": {"metric": "silence", "over": 12}}, CALL) == (False, [])
    assert judge({"call": {"metric": "silence", "over": 0.5, "count": 2}}, CALL) == (True, [1, 3])


def test_speech_rate_per_message_and_average():
    assert judge({"call": {"metric": "speech_rate", "role": "agent", "over": 320}}, CALL) == (True, [4])
    assert judge({"call": {"metric": "speech_rate", "role": "agent", "over": 290, "count": 2}}, CALL) == (True, [0, 2, 4])
    # agent average: 60 characters in 11 s = 327/min
    assert judge({"call": {"metric": "speech_rate", "role": "agent", "over": 320, "per": "average"}}, CALL) == (True, [None])
    assert judge({"call": {"metric": "speech_rate", "role": "agent", "over": 330, "per": "average"}}, CALL)[0] is False


def test_overlaps_who_how_long_how_many():
    assert judge({"call": {"metric": "overlap", "role": "agent"}}, CALL) == (True, [2, 4])
    assert judge({"call": {"metric": "overlap", "role": "agent", "over": 0.8}}, CALL) == (True, [2])
    assert judge({"call": {"metric": "overlap", "role": "agent", "count": 3}}, CALL)[0] is False
    assert judge({"call": {"metric": "overlap", "role": "customer"}}, CALL)[0] is False


def test_call_rules_are_not_applicable_on_a_chat():
    chat = Conversation(id="c", messages=[Message("customer", "在吗", 0), Message("agent", "在", 5)])
    for metric in ("silence", "speech_rate", "overlap"):
        assert judge({"call": {"metric": metric, "over": 1}}, chat) == (None, []), metric
