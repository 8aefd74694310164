"""The repeated-sentence rules over the batch-wide clause table (engine/batch.py: clauses split and
normalised once for all roles and rules) against the reference evaluator: random conversations rich
in clause marks, question words, case changes and spaces, several repeat rules sharing one batch;
and a batch in which every glue letter occurs (the per-conversation path)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.batch import _GLUE, BatchRuleSet
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset

PIECES = ["好的", "请问", "什么时候", "到账", "吗", "？", "?", "。", "，", "!", "！！", "...", "…", "\n", " ", "  ", "ΣΑΣ",
          "σας", "İ", "AbC", "abc", "_", "退款", "为什么", "呢", ";", "；", "、", "\U00020000", "\U0001f600", "٣", "²", "-"]


def _ruleset():
    conds = [
        {"count": {"metric": "repeat", "role": "customer", "times": 2, "min_length": 2, "questions_only": True}},
        {"count": {"metric": "repeat", "role": "agent", "times": 2, "min_length": 1}},
        {"count": {"metric": "repeat", "role": "any", "times": 3, "min_length": 3}},
        {"count": {"metric": "repeat", "role": "bot", "times": 2, "min_length": 1, "questions_only": True}},
    ]
    return parse_ruleset({"ruleset": "rep", "version": "1", "rules": [
        {"id": f"r{i}", "name": {"zh": "规则", "en": "rule"}, "category": "process", "severity": "minor", "condition": c}
        for i, c in enumerate(conds)]})


RULESET = _ruleset()
texts = st.lists(st.sampled_from(PIECES), min_size=0, max_size=9).map("".join)


@st.composite
def conversations(draw):
    msgs = [Message(draw(st.sampled_from(["customer", "agent", "bot", "system"])), draw(texts))
            for _ in range(draw(st.integers(0, 8)))]
    return Conversation(id="c", messages=msgs)


def _agree(convs):
    got = BatchRuleSet(CompiledRuleSet(RULESET)).evaluate(convs)
    fired = 0
    for conv, outcome in zip(convs, got):
        expected = reference.evaluate(RULESET, conv)
        assert outcome.states == expected.states, [(m.role, m.text) for m in conv.messages]
        assert outcome.hits == expected.hits, [(m.role, m.text) for m in conv.messages]
        fired += len(expected.fired)
    return fired


@settings(max_examples=300, deadline=None)
@given(st.lists(conversations(), min_size=1, max_size=6))
def test_batched_repeat_rules_agree_with_reference(convs):
    _agree(convs)


def test_the_cases_fire_and_the_no_glue_batch_goes_per_conversation():
    convs = [
        Conversation(id="a", messages=[Message("customer", "什么时候到账？"), Message("agent", "好的，好的。"),
                                       Message("customer", "什么时候到账?? 好的"), Message("bot", "，请问。请问")]),
        Conversation(id="b", messages=[Message("agent", "ΣΑΣ。σας"), Message("agent", "abc!AbC"), Message("bot", "吗？")]),
    ]
    assert _agree(convs) >= 3
    # every glue letter in some text: the clauses cannot be joined; per conversation, same outcomes
    glued = [*convs, Conversation(id="g", messages=[Message("system", "".join(_GLUE))])]
    assert _agree(glued) >= 3
