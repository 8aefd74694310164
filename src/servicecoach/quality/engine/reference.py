"""The reference evaluator: the rule language written the plainest way (loops, ``str.find``, ``re``),
one rule, one operator, one message at a time. It is slow and meant to be obviously right; the fast
evaluator (:mod:`.fast`) must give exactly the same outcome, and a property test holds them equal.
It also serves as the naive baseline in ``benchmarks/qa_engine.py``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import measures
from .measures import NA, Outcome, Result, Span
from .model import Conversation
from .rules import (
    And,
    Call,
    Channel,
    Context,
    Count,
    Emotion,
    Keywords,
    Label,
    Not,
    Or,
    Regex,
    RuleSet,
    Sensitive,
    Timing,
    fold,
)
from .sensitive import find_sensitive


def find_all(text: str, word: str) -> list[int]:
    """Start of every occurrence of ``word`` in ``text``, overlapping ones included."""
    starts, i = [], text.find(word)
    while i != -1:
        starts.append(i)
        i = text.find(word, i + 1)
    return starts


def text_spans(node: Keywords | Regex | Sensitive, conv: Conversation) -> list[Span] | None:
    """Every span the text operator finds in its scope (None when the scope is not applicable);
    for keywords, the spans of every listed word."""
    scope = measures.scope_indices(conv, node.scope)
    if scope is None:
        return None
    spans: list[Span] = []
    for i in scope:
        text = conv.messages[i].text
        if isinstance(node, Keywords):
            hay = text if node.case_sensitive else fold(text)
            for alts in node.items:
                for word in alts:
                    for s in find_all(hay, word):
                        spans.append((i, s, s + len(word)))
        elif isinstance(node, Regex):
            if node.exclude_compiled is not None and node.exclude_compiled.search(text):
                continue
            for m in node.compiled.finditer(text):
                if m.end() > m.start():
                    spans.append((i, m.start(), m.end()))
        else:
            for s, e, _kind in find_sensitive(text, node.kinds):
                spans.append((i, s, e))
    return spans


def eval_keywords(node: Keywords, conv: Conversation) -> Result:
    scope = measures.scope_indices(conv, node.scope)
    if scope is None:
        return NA
    found_items = 0
    spans: list[Span] = []
    for alts in node.items:
        found = False
        for i in scope:
            text = conv.messages[i].text
            hay = text if node.case_sensitive else fold(text)
            for word in alts:
                for s in find_all(hay, word):
                    spans.append((i, s, s + len(word)))
                    found = True
        if found:
            found_items += 1
    if node.match == "none":
        return (found_items == 0, [])
    need = {"any": 1, "all": len(node.items), "at_least": node.min}[node.match]
    return (True, spans) if found_items >= need else (False, [])


def _window(conv: Conversation, i: int, node: Context) -> list[int]:
    """The K messages of the expected role nearest to message i, after or before it."""
    role = node.expect.scope.role
    msgs = conv.messages
    if node.direction == "after":
        candidates = [j for j in range(i + 1, len(msgs)) if role == "any" or msgs[j].role == role]
        return candidates[: node.within]
    candidates = [j for j in range(0, i) if role == "any" or msgs[j].role == role]
    return candidates[-node.within :]


def eval_context(node: Context, conv: Conversation) -> Result:
    trigger = text_spans(node.trigger, conv)
    expect = text_spans(node.expect, conv)
    if trigger is None or expect is None:
        return NA
    if not trigger:
        return (False, [])
    evidence: list[Span] = []
    answered_any = unanswered_any = False
    trigger_messages = sorted({i for i, _s, _e in trigger})
    for i in trigger_messages:
        window = _window(conv, i, node)
        answers = [span for span in expect if span[0] in window]
        mine = [span for span in trigger if span[0] == i]
        if answers:
            answered_any = True
            if node.mode == "present":
                evidence += mine + answers
        else:
            unanswered_any = True
            if node.mode == "missing":
                evidence += mine
    held = answered_any if node.mode == "present" else unanswered_any
    return (True, evidence) if held else (False, [])


def evaluate_node(node: Any, conv: Conversation, analyse: Callable[[Conversation], Any]) -> Result:
    if isinstance(node, Keywords):
        return eval_keywords(node, conv)
    if isinstance(node, Regex | Sensitive):
        spans = text_spans(node, conv)
        if spans is None:
            return NA
        return (True, spans) if spans else (False, [])
    if isinstance(node, Context):
        return eval_context(node, conv)
    if isinstance(node, Timing):
        return measures.eval_timing(node, conv)
    if isinstance(node, Call):
        return measures.eval_call(node, conv)
    if isinstance(node, Count):
        return measures.eval_count(node, conv)
    if isinstance(node, Emotion):
        return measures.eval_emotion(node, conv, analyse)
    if isinstance(node, Channel):
        return measures.eval_channel(node, conv)
    if isinstance(node, Label):
        return measures.eval_label(node, conv)
    if isinstance(node, Not):
        state, _ = evaluate_node(node.child, conv, analyse)
        return (measures.not_state(state), [])
    if isinstance(node, And | Or):
        results = [evaluate_node(child, conv, analyse) for child in node.children]
        states = [state for state, _ in results]
        if isinstance(node, And):
            state = measures.and_states(states)
            evidence = [span for _, ev in results for span in ev] if state else []
        else:
            state = measures.or_states(states)
            evidence = [span for st, ev in results if st for span in ev] if state else []
        return (state, evidence)
    raise TypeError(f"unknown condition {node!r}")


def _default_analyse(conv: Conversation) -> Any:
    from .emotion import analyse

    return analyse(conv)


def evaluate(ruleset: RuleSet, conv: Conversation, analyse: Callable[[Conversation], Any] | None = None) -> Outcome:
    """Apply every rule of ``ruleset`` to ``conv``, one after the other."""
    analyse = analyse or _default_analyse
    outcome = Outcome(states={})
    for rule in ruleset.rules:
        if rule.when is not None and evaluate_node(rule.when, conv, analyse)[0] is not True:
            outcome.states[rule.id] = None
            continue
        state, evidence = evaluate_node(rule.condition, conv, analyse)
        outcome.states[rule.id] = state
        if state:
            outcome.hits.extend(measures.rule_hits(rule.id, conv, evidence))
    return outcome
