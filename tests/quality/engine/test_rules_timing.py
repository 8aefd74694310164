"""timing: first response, reply latency, longest wait, duration, customer left waiting."""

from __future__ import annotations

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.measures import customer_waits
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset


def judge(condition: dict, conv: Conversation):
    rs = parse_ruleset({"ruleset": "t", "version": "1", "rules": [
        {"id": "r", "name": {"zh": "r", "en": "r"}, "category": "process", "severity": "minor", "condition": condition}
    ]})
    ref = reference.evaluate(rs, conv)
    got = CompiledRuleSet(rs).evaluate(conv)
    assert (got.states, got.hits) == (ref.states, ref.hits)
    return ref.states["r"], [h[1] for h in ref.hits]


def conv(*msgs):
    return Conversation(id="c", messages=[Message(role=r, text=r, time=t) for r, t in msgs])


# customer at 0 and 10, agent at 45 (waited 45 s from the first unanswered message), customer at 50,
# bot at 60 (does not answer), agent at 200 (waited 150 s), customer at 210 (left waiting)
TIMED = conv(("customer", 0), ("customer", 10), ("agent", 45), ("customer", 50), ("bot", 60), ("agent", 200), ("customer", 210))
UNTIMED = conv(("customer", None), ("agent", None))


def test_waits_start_at_the_first_unanswered_customer_message_and_bots_do_not_answer():
    assert customer_waits(TIMED) == ([(2, 45.0), (5, 150.0)], 6)


def test_first_response_time():
    assert judge({"timing": {"metric": "first_response", "over": 30}}, TIMED) == (True, [2])
    assert judge({"timing": {"metric": "first_response", "over": 60}}, TIMED) == (False, [])
    assert judge({"timing": {"metric": "first_response", "under": 60}}, TIMED) == (True, [2])


def test_a_customer_never_answered_is_a_slow_first_response():
    assert judge({"timing": {"metric": "first_response", "over": 30}}, conv(("agent", 0), ("customer", 5))) == (True, [1])


def test_first_response_without_a_customer_message_is_not_applicable():
    assert judge({"timing": {"metric": "first_response", "over": 30}}, conv(("agent", 0))) == (None, [])


def test_reply_latency_counts_the_slow_replies():
    assert judge({"timing": {"metric": "reply_latency", "over": 40}}, TIMED) == (True, [2, 5])
    assert judge({"timing": {"metric": "reply_latency", "over": 40, "count": 2}}, TIMED) == (True, [2, 5])
    assert judge({"timing": {"metric": "reply_latency", "over": 100, "count": 2}}, TIMED) == (False, [])


def test_longest_wait():
    assert judge({"timing": {"metric": "longest_wait", "over": 120}}, TIMED) == (True, [5])
    assert judge({"timing": {"metric": "longest_wait", "over": 150}}, TIMED) == (False, [])
    assert judge({"timing": {"metric": "longest_wait", "over": 1}}, conv(("agent", 0))) == (None, [])


def test_duration_uses_first_and_last_times():
    assert judge({"timing": {"metric": "duration", "over": 200}}, TIMED) == (True, [None])
    assert judge({"timing": {"metric": "duration", "over": 210}}, TIMED) == (False, [])
    assert judge({"timing": {"metric": "duration", "under": 300}}, TIMED)[0] is True


def test_customer_left_waiting_at_the_end_needs_no_times():
    assert judge({"timing": {"metric": "left_waiting"}}, TIMED) == (True, [6])
    assert judge({"timing": {"metric": "left_waiting"}}, conv(("customer", None), ("agent", None), ("system", None)))[0] is False
    assert judge({"timing": {"metric": "left_waiting"}}, conv(("bot", None))) == (None, [])


def test_timing_rules_are_not_applicable_without_times():
    for metric in ("first_response", "reply_latency", "longest_wait", "duration"):
        assert judge({"timing": {"metric": metric, "over": 1}}, UNTIMED) == (None, []), metric
    partly = conv(("customer", 0), ("agent", None))
    assert judge({"timing": {"metric": "first_response", "over": 1}}, partly) == (None, [])
