"""The batched rules' shared, vectorised pieces against the reference evaluator: label values grouped
once per label path for every rule that reads it (lists keyed by their items and the items' types),
and the repeated-sentence evidence stripped of white space with numpy (every kind of ``str.isspace``
character, astral and combining characters around it)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.batch import BatchRuleSet
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset


def _ruleset(conds):
    return parse_ruleset({"ruleset": "t", "version": "1", "rules": [
        {"id": f"r{i}", "name": {"zh": "规则", "en": "rule"}, "category": "process", "severity": "minor", "condition": c}
        for i, c in enumerate(conds)]})


def _agree(ruleset, convs):
    got = BatchRuleSet(CompiledRuleSet(ruleset)).evaluate(convs)
    states = set()
    for conv, outcome in zip(convs, got):
        expected = reference.evaluate(ruleset, conv)
        assert outcome.states == expected.states, (conv.labels, [(m.role, m.text) for m in conv.messages])
        assert outcome.hits == expected.hits, [(m.role, m.text) for m in conv.messages]
        states.update(expected.states.values())
    return states


LABELS = _ruleset([
    {"label": {"name": "tags", "contains": "退款"}},
    {"label": {"name": "tags", "contains": 1}},
    {"label": {"name": "tags", "eq": [1, "a"]}},
    {"label": {"name": "tags", "in": [[True, "a"], "x", 1]}},
    {"not": {"label": {"name": "tags", "ne": ["退款"]}}},
    {"label": {"name": "csat", "lte": 2}},
])
ITEMS = st.sampled_from([1, True, 1.0, 0, False, 0.0, -0.0, "a", "退款", "x", None, [1], ["a"], {"k": 1}])
VALUES = st.one_of(ITEMS, st.lists(ITEMS, max_size=3))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(VALUES, VALUES, st.booleans()), min_size=1, max_size=12))
def test_label_values_grouped_per_path_agree_with_reference(drawn):
    convs = [Conversation(id=str(i), messages=[Message("customer", "你好")],
                          labels={"tags": tags, "csat": csat} if both else {"tags": tags})
             for i, (tags, csat, both) in enumerate(drawn)]
    _agree(LABELS, convs)


def test_label_lists_equal_by_item_but_not_by_type_are_judged_apart():
    convs = [Conversation(id=str(i), messages=[Message("customer", "你好")], labels={"tags": tags})
             for i, tags in enumerate([[1, "a"], [True, "a"], [1.0, "a"], [1, "a"], ["退款"], ["退款"], [[1], "a"]])]
    assert _agree(LABELS, convs) == {True, False, None}  # None: no csat label


REPEATS = _ruleset([
    {"count": {"metric": "repeat", "role": "customer", "times": 2, "min_length": 1}},
    {"count": {"metric": "repeat", "role": "agent", "times": 2, "min_length": 1}},
    {"count": {"metric": "repeat", "role": "any", "times": 2, "min_length": 2, "questions_only": True}},
])
SPACES = [" ", "\t", "\u3000", "\u2003", "\x1c", "\x1f", "\x85", "\xa0", "\u2028", "\u200b", "\ufeff"]
PIECES = [*SPACES, "好的", "吗", "？", "。", "，", "!", "\n", "abc", "ABC", "\U00020000", "\U0001f600", "e\u0301", "_"]
texts = st.lists(st.sampled_from(PIECES), max_size=10).map("".join)


@st.composite
def conversations(draw):
    msgs = [Message(draw(st.sampled_from(["customer", "agent"])), draw(texts)) for _ in range(draw(st.integers(0, 7)))]
    return Conversation(id="c", messages=msgs)


@settings(max_examples=300, deadline=None)
@given(st.lists(conversations(), min_size=1, max_size=6))
def test_repeat_evidence_stripped_of_every_white_space_agrees_with_reference(convs):
    _agree(REPEATS, convs)


def test_repeat_evidence_of_clauses_with_white_space_around_and_all_white_space():
    conv = Conversation(id="c", messages=[
        Message("agent", "\u3000好的 \t。\u3000好的\x1c。   。 。"),
        Message("customer", "  你好吗？你好吗？\u2003"),
    ])
    got = BatchRuleSet(CompiledRuleSet(REPEATS)).evaluate([conv])[0]
    assert got.hits == reference.evaluate(REPEATS, conv).hits
    assert ("r0", 1, 2, 5, "你好吗") in got.hits


LONGEST = _ruleset([
    {"timing": {"metric": "longest_wait", "over": 0}},
    {"timing": {"metric": "longest_wait", "over": 2}},
    {"timing": {"metric": "longest_wait", "under": 3}},
    {"timing": {"metric": "longest_wait", "over": 0.5, "under": 4}},
])


@st.composite
def timed(draw):
    n = draw(st.integers(0, 8))
    times = sorted(draw(st.lists(st.sampled_from([0.0, 1.0, 2.0, 3.0, 3.0, 5.0, -0.0]), min_size=n, max_size=n)))
    missing = draw(st.sampled_from([None, "all", "one"]))
    msgs = []
    for i, t in enumerate(times):
        time = None if missing == "all" or (missing == "one" and i == n // 2) else t
        msgs.append(Message(draw(st.sampled_from(["customer", "agent", "bot"])), "好", time=time))
    return Conversation(id="c", messages=msgs)


@settings(max_examples=300, deadline=None)
@given(st.lists(timed(), min_size=1, max_size=8))
def test_longest_wait_the_earliest_of_equal_longest_agrees_with_reference(convs):
    _agree(LONGEST, convs)
