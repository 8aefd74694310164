"""counts: number of messages, agent message length, repeated sentences, repeated questions."""

from __future__ import annotations

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.measures import sentences
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset


def judge(condition: dict, conv: Conversation):
    rs = parse_ruleset({"ruleset": "t", "version": "1", "rules": [
        {"id": "r", "name": {"zh": "r", "en": "r"}, "category": "communication", "severity": "minor", "condition": condition}
    ]})
    ref = reference.evaluate(rs, conv)
    got = CompiledRuleSet(rs).evaluate(conv)
    assert (got.states, got.hits) == (ref.states, ref.hits)
    return ref.states["r"], [h[1:] for h in ref.hits]


def chat(*pairs):
    return Conversation(id="c", messages=[Message(role=r, text=t) for r, t in pairs])


def test_number_of_messages_of_a_role():
    conv = chat(("customer", "在吗"), ("agent", "在"), ("customer", "好"))
    assert judge({"count": {"metric": "messages", "role": "customer", "over": 1}}, conv)[0] is True
    assert judge({"count": {"metric": "messages", "role": "agent", "under": 1}}, conv)[0] is False
    assert judge({"count": {"metric": "messages", "over": 3}}, conv)[0] is False


def test_agent_message_length():
    conv = chat(("agent", "好" * 301), ("agent", "短"), ("customer", "长" * 500))
    assert judge({"count": {"metric": "message_length", "role": "agent", "over": 300}}, conv) == (
        True, [(0, 0, 301, "好" * 301)])
    assert judge({"count": {"metric": "message_length", "role": "agent", "over": 300, "count": 2}}, conv)[0] is False


def test_agent_repeating_the_same_sentence_n_times_ignores_case_spaces_and_punctuation():
    conv = chat(("agent", "请您耐心等待。好的"), ("agent", "请您 耐心等待！"), ("agent", "好的，请您耐心等待"))
    state, hits = judge({"count": {"metric": "repeat", "role": "agent", "times": 3, "min_length": 4}}, conv)
    assert state is True
    assert hits == [(0, 0, 6, "请您耐心等待"), (1, 0, 7, "请您 耐心等待"), (2, 3, 9, "请您耐心等待")]
    assert judge({"count": {"metric": "repeat", "role": "agent", "times": 4, "min_length": 4}}, conv)[0] is False


def test_short_sentences_are_not_repeats():
    conv = chat(("agent", "好的"), ("agent", "好的"), ("agent", "好的"))
    assert judge({"count": {"metric": "repeat", "role": "agent", "times": 3, "min_length": 4}}, conv)[0] is False


def test_customer_asking_the_same_question_again():
    conv = chat(("customer", "我的退款什么时候到账？"), ("agent", "在处理"), ("customer", "我的退款什么时候到账"))
    cond = {"count": {"metric": "repeat", "role": "customer", "times": 2, "questions_only": True}}
    state, hits = judge(cond, conv)
    assert state is True and [h[0] for h in hits] == [0, 2]
    statements = chat(("customer", "我已经付款了"), ("customer", "我已经付款了"))
    assert judge(cond, statements)[0] is False


def test_sentences_split_on_chinese_and_english_punctuation_and_spot_questions():
    assert [(s, e, q) for s, e, _n, q in sentences("你好。请问多久到？ok")] == [(0, 2, False), (3, 8, True), (9, 11, False)]
