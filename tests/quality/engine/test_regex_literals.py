"""required_literals: the literal prefilter of the batched evaluator's regex leaves. A text with no
required literal must have no match, with or without IGNORECASE (where only characters without case
are used); checked on random patterns and texts over an alphabet with case traps (Kelvin sign, long
s, dotted and dotless i, sharp s)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.quality.engine.batch import required_literals
from servicecoach.quality.engine.rules import load_ruleset

ALPHABET = ["a", "b", "A", "k", "K", "\u212a", "s", "\u017f", "i", "I", "\u0130", "\u0131", "ß", "ẞ", "好", "了", "1",
            "%", " ", "\n"]
ATOMS = [re.escape(c) for c in ALPHABET if c != "\n"] + [".", "[ab]", "[好了]", "[^a]", r"\b", "^", "$", r"\d", r"\w"]


def patterns():
    atom = st.sampled_from(ATOMS)
    return st.recursive(
        atom,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=4).map("".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(?:" + "|".join(xs) + ")"),
            inner.map(lambda x: f"(?:{x})" + ("?", "*", "+", "{2}", "{0,2}")[len(x) % 5]),
            inner.map(lambda x: f"(?i:{x})"),
            inner.map(lambda x: f"(?={x})"),
            inner.map(lambda x: f"(?!{x})"),
            inner.map(lambda x: f"({x})"),
        ),
        max_leaves=8,
    )


texts = st.lists(st.sampled_from(ALPHABET), max_size=12).map("".join)


@settings(max_examples=800, deadline=None)
@given(patterns(), st.sampled_from([0, re.IGNORECASE, re.IGNORECASE | re.MULTILINE]), st.lists(texts, max_size=6))
def test_no_match_without_a_required_literal(pattern, flags, samples):
    literals = required_literals(pattern, flags)
    if literals is None:
        return
    assert literals and all(literals)
    compiled = re.compile(pattern, flags)
    for text in samples:
        if compiled.search(text) is not None:
            assert any(w in text for w in literals), (pattern, flags, text, literals)


def test_literals_of_known_patterns():
    assert required_literals("(我?保证|肯定|一定)(能|会)", re.IGNORECASE) == ("一定", "保证", "肯定")
    assert required_literals("退款.*(到账|成功)") == ("退款",)
    assert required_literals("abc|abd") == ("ab",)
    assert required_literals("(?<=a)b") == ("b",)
    # nothing every match must contain, or cased letters under IGNORECASE
    for pattern, flags in (("[0-9]{3}", 0), ("x*", 0), ("a|[0-9]", 0), ("AB", re.IGNORECASE), ("(?i)k", 0)):
        assert required_literals(pattern, flags) is None, pattern


def test_the_promise_rule_of_the_zh_pack_has_literals():
    rule = next(r for r in load_ruleset("zh").rules if r.id == "zh-promise-01")
    assert required_literals(rule.condition.pattern, rule.condition.compiled.flags)
