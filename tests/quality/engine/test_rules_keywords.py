"""keywords: any / all / at least N / none, synonym lists, case folding, role and position scopes."""

from __future__ import annotations

import pytest

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset

SYNONYMS = {"apology": ["抱歉", "对不起", "sorry"], "greeting": ["您好", "你好"]}


def judge(condition: dict, conv: Conversation):
    """(state, hits) of a one-rule rule set; fast and reference must agree."""
    rs = parse_ruleset({
        "ruleset": "t", "version": "1", "synonyms": SYNONYMS,
        "rules": [{"id": "r", "name": {"zh": "r", "en": "r"}, "category": "process", "severity": "minor", "condition": condition}],
    })
    ref = reference.evaluate(rs, conv)
    for backend in ("hyperscan", "ahocorasick", "python"):
        got = CompiledRuleSet(rs, backend=backend).evaluate(conv)
        assert (got.states, got.hits) == (ref.states, ref.hits), backend
    return ref.states["r"], [h[1:] for h in ref.hits]


def chat(*pairs, times=None):
    return Conversation(id="c", messages=[
        Message(role=r, text=t, time=None if times is None else times[i]) for i, (r, t) in enumerate(pairs)
    ])


CONV = chat(("customer", "你好，我的快递还没到"), ("agent", "您好，很抱歉让您久等"), ("agent", "对不起，已催促，抱歉"))


def test_any_fires_on_one_word_and_records_every_occurrence_with_its_span():
    state, hits = judge({"keywords": {"words": ["抱歉"]}}, CONV)
    assert state is True
    assert hits == [(1, 4, 6, "抱歉"), (2, 8, 10, "抱歉")]


def test_any_does_not_fire_without_the_words():
    assert judge({"keywords": {"words": ["退款", "发票"]}}, CONV) == (False, [])


def test_all_needs_every_listed_word():
    assert judge({"keywords": {"words": ["抱歉", "催促"], "match": "all"}}, CONV)[0] is True
    assert judge({"keywords": {"words": ["抱歉", "退款"], "match": "all"}}, CONV)[0] is False


def test_at_least_counts_distinct_words():
    cond = {"keywords": {"words": ["抱歉", "催促", "退款"], "match": "at_least", "min": 2}}
    assert judge(cond, CONV)[0] is True
    cond["keywords"]["min"] = 3
    assert judge(cond, CONV)[0] is False


def test_none_fires_when_no_word_is_present_with_a_conversation_level_hit():
    assert judge({"keywords": {"words": ["退款"], "match": "none"}}, CONV) == (True, [(None, None, None, "")])
    assert judge({"keywords": {"words": ["抱歉"], "match": "none"}}, CONV) == (False, [])


def test_a_synonym_list_counts_as_one_item_matched_by_any_member():
    state, hits = judge({"keywords": {"words": ["$apology", "催促"], "match": "all"}}, CONV)
    assert state is True
    assert {h[3] for h in hits} == {"抱歉", "对不起", "催促"}
    # two items: the synonym list and 退款; only the list is present
    assert judge({"keywords": {"words": ["$apology", "退款"], "match": "at_least", "min": 2}}, CONV)[0] is False


def test_matching_ignores_case_by_default_and_spans_point_at_the_original_text():
    conv = chat(("agent", "So SORRY about that, Sorry!"))
    state, hits = judge({"keywords": {"words": ["sorry"]}}, conv)
    assert state is True
    assert [h[3] for h in hits] == ["SORRY", "Sorry"]
    assert judge({"keywords": {"words": ["sorry"], "case_sensitive": True}}, conv)[0] is False


def test_overlapping_occurrences_are_all_found():
    state, hits = judge({"keywords": {"words": ["好好"]}}, chat(("agent", "好好好")))
    assert hits == [(0, 0, 2, "好好"), (0, 1, 3, "好好")]


def test_role_scope_limits_the_messages_looked_at():
    assert judge({"keywords": {"words": ["你好"], "role": "agent"}}, CONV)[0] is False
    assert judge({"keywords": {"words": ["你好"], "role": "customer"}}, CONV)[0] is True


def test_first_and_last_n_messages_of_the_role():
    first = {"keywords": {"words": ["对不起"], "role": "agent", "position": {"first": 1}}}
    last = {"keywords": {"words": ["对不起"], "role": "agent", "position": {"last": 1}}}
    assert judge(first, CONV)[0] is False
    assert judge(last, CONV) == (True, [(2, 0, 3, "对不起")])


def test_first_and_last_seconds_need_times():
    timed = chat(("customer", "在吗"), ("agent", "您好"), ("agent", "再见"), times=[0, 20, 300])
    assert judge({"keywords": {"words": ["您好"], "position": {"first_seconds": 30}}}, timed)[0] is True
    assert judge({"keywords": {"words": ["再见"], "position": {"first_seconds": 30}}}, timed)[0] is False
    assert judge({"keywords": {"words": ["再见"], "position": {"last_seconds": 10}}}, timed)[0] is True
    assert judge({"keywords": {"words": ["您好"], "position": {"last_seconds": 10}}}, timed)[0] is False
    # the same rule on a conversation without times is not applicable, not a pass or a fail
    assert judge({"keywords": {"words": ["您好"], "position": {"first_seconds": 30}}}, CONV) == (None, [])


@pytest.mark.parametrize("match", ["any", "none"])
def test_a_missing_greeting_fires_as_a_conversation_level_hit(match):
    conv = chat(("agent", "请问什么事"), ("customer", "你好"))
    cond = {"not": {"keywords": {"words": ["$greeting"], "role": "agent", "position": {"first": 2}}}}
    if match == "none":
        cond = {"keywords": {"words": ["$greeting"], "role": "agent", "position": {"first": 2}, "match": "none"}}
    assert judge(cond, conv) == (True, [(None, None, None, "")])
