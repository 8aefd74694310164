"""context: B within K messages before/after a hit of A, present or missing."""

from __future__ import annotations

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset


def judge(condition: dict, conv: Conversation):
    rs = parse_ruleset({"ruleset": "t", "version": "1", "rules": [
        {"id": "r", "name": {"zh": "r", "en": "r"}, "category": "attitude", "severity": "general", "condition": condition}
    ]})
    ref = reference.evaluate(rs, conv)
    for backend in ("hyperscan", "ahocorasick", "python"):
        got = CompiledRuleSet(rs, backend=backend).evaluate(conv)
        assert (got.states, got.hits) == (ref.states, ref.hits), backend
    return ref.states["r"], [h[1:] for h in ref.hits]


def chat(*pairs, times=None):
    return Conversation(id="c", messages=[
        Message(role=r, text=t, time=None if times is None else times[i]) for i, (r, t) in enumerate(pairs)
    ])


def apology(mode="missing", within=2, direction="after"):
    return {"context": {
        "trigger": {"keywords": {"words": ["投诉"], "role": "customer"}},
        "expect": {"keywords": {"words": ["抱歉"], "role": "agent"}},
        "within": within, "direction": direction, "mode": mode,
    }}


ANSWERED_SECOND = chat(("customer", "我要投诉"), ("agent", "请稍等"), ("customer", "快点"), ("agent", "很抱歉"))


def test_apology_within_two_agent_replies_counts_messages_of_the_expected_role():
    assert judge(apology("missing", within=2), ANSWERED_SECOND) == (False, [])
    state, hits = judge(apology("present", within=2), ANSWERED_SECOND)
    assert state is True and hits == [(0, 2, 4, "投诉"), (3, 1, 3, "抱歉")]


def test_no_apology_within_the_window_fires_missing_with_the_trigger_as_evidence():
    state, hits = judge(apology("missing", within=1), ANSWERED_SECOND)
    assert state is True and hits == [(0, 2, 4, "投诉")]
    assert judge(apology("present", within=1), ANSWERED_SECOND)[0] is False


def test_an_apology_before_the_complaint_does_not_answer_it():
    conv = chat(("agent", "抱歉久等"), ("customer", "我要投诉"))
    assert judge(apology("missing"), conv)[0] is True
    assert judge(apology("present", direction="before"), conv)[0] is True
    conv = chat(("agent", "抱歉"), ("agent", "好的"), ("agent", "嗯"), ("customer", "我要投诉"))
    assert judge(apology("present", direction="before", within=2), conv)[0] is False
    assert judge(apology("present", direction="before", within=3), conv)[0] is True


def test_each_trigger_is_judged_on_its_own():
    conv = chat(("customer", "投诉"), ("agent", "抱歉"), ("customer", "还是要投诉"), ("agent", "好的"))
    state, hits = judge(apology("missing", within=1), conv)
    assert state is True and hits == [(2, 3, 5, "投诉")]


def test_no_trigger_means_the_rule_does_not_fire():
    assert judge(apology("missing"), chat(("customer", "你好"), ("agent", "您好"))) == (False, [])


def test_a_leaf_scope_that_needs_times_makes_the_context_not_applicable_on_untimed_chats():
    cond = apology()
    cond["context"]["expect"]["keywords"]["position"] = {"first_seconds": 60}
    assert judge(cond, ANSWERED_SECOND) == (None, [])
    timed = chat(*[(m.role, m.text) for m in ANSWERED_SECOND.messages], times=[0, 10, 20, 30])
    assert judge(cond, timed)[0] is False
