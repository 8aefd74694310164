"""The fast evaluator: a rule set compiled once, then applied to many conversations.

- Every literal keyword and synonym of the rule set goes into ONE multi-pattern matcher
  (:class:`Matcher`: Hyperscan when it imports, else pyahocorasick, else plain ``str.find``), which
  scans each conversation once, over its messages joined with a separator no keyword can contain;
  each match is mapped back to its message and character span by bisection.
- Regular expressions are grouped into one alternation searched once over the joined conversation;
  then each regex (and the sensitive-data finder) searches the joined text on its own (a superset
  test); only a conversation that passes is searched message by message.
- Each condition is compiled into a closure; message scopes are computed once per conversation and
  shared by every rule that uses the same scope.

The outcome is exactly the reference evaluator's (:mod:`.reference`): a property test holds them equal.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from . import measures
from .measures import FALSE, NA, Outcome, Span
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
    Scope,
    Sensitive,
    Timing,
    fold,
    iter_leaves,
)
from .sensitive import PREFILTER as SENSITIVE_PREFILTER
from .sensitive import find_sensitive

SEPARATOR = "\x00"  # keywords cannot hold control characters, so no match crosses a message boundary
BACKENDS = ("hyperscan", "ahocorasick", "python")


def available_backends() -> list[str]:
    found = []
    try:
        import hyperscan  # noqa: F401

        found.append("hyperscan")
    except ImportError:
        pass
    try:
        import ahocorasick  # noqa: F401

        found.append("ahocorasick")
    except ImportError:
        pass
    return [*found, "python"]


class Matcher:
    """All occurrences (overlapping ones too) of many literal words in a text, in one scan."""

    def __init__(self, words: list[str], backend: str | None = None):
        self.words = list(words)
        self.lengths = [len(w) for w in self.words]
        self.backend = backend or available_backends()[0]
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown matcher backend {self.backend!r} (known: {', '.join(BACKENDS)})")
        self._scan: Callable[[str], list[tuple[int, int]]]
        self.hyperscan: Any = None
        if not self.words:
            self._scan = lambda text: []
        elif self.backend == "hyperscan":
            self._init_hyperscan()
        elif self.backend == "ahocorasick":
            self._init_ahocorasick()
        else:
            self._scan = self._scan_python

    def scan(self, text: str) -> list[tuple[int, int]]:
        """``[(word index, start)]`` of every occurrence, in no particular order."""
        return self._scan(text)

    def _init_hyperscan(self) -> None:
        import hyperscan

        # UTF-32 makes every character four bytes, so byte offsets divide into str indices; a match
        # not on a character boundary (end not a multiple of 4) is discarded.
        exprs = [
            "".join(f"\\x{b:02x}" for b in w.encode("utf-32-le")).encode("ascii") for w in self.words
        ]
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(expressions=exprs, ids=list(range(len(exprs))), elements=len(exprs), flags=[0] * len(exprs))
        scratch = hyperscan.Scratch(db)
        self.hyperscan = (db, scratch)  # for scans that collect raw matches (batch.py)
        lengths = self.lengths

        def scan(text: str) -> list[tuple[int, int]]:
            found: list[tuple[int, int]] = []
            add = found.append

            def on_match(wid: int, _from: int, to: int, _flags: int, _ctx: Any) -> None:
                if not to & 3:
                    add((wid, (to >> 2) - lengths[wid]))

            db.scan(text.encode("utf-32-le"), match_event_handler=on_match, scratch=scratch)
            return found

        self._scan = scan

    def _init_ahocorasick(self) -> None:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for wid, word in enumerate(self.words):
            automaton.add_word(word, (wid, len(word) - 1))
        automaton.make_automaton()
        it = automaton.iter

        def scan(text: str) -> list[tuple[int, int]]:
            return [(wid, end - back) for end, (wid, back) in it(text)]

        self._scan = scan

    def _scan_python(self, text: str) -> list[tuple[int, int]]:
        found = []
        for wid, word in enumerate(self.words):
            i = text.find(word)
            while i != -1:
                found.append((wid, i))
                i = text.find(word, i + 1)
        return found


_ALL = object()  # a scope that is every message


class _Ctx:
    """One conversation being evaluated: shared, lazily computed views of it."""

    __slots__ = ("conv", "msgs", "n", "engine", "_scopes", "_hits", "_hits_cs", "_joined", "_emotion", "facts", "_gate")

    def __init__(self, engine: CompiledRuleSet, conv: Conversation):
        self.conv = conv
        self.msgs = conv.messages
        self.n = len(conv.messages)
        self.engine = engine
        self._scopes: list[Any] = [False] * len(engine.scopes)
        self._hits: list | None = None
        self._hits_cs: list | None = None
        self._joined: str | None = None
        self._gate: bool | None = None
        self._emotion: Any = None
        self.facts = measures.Facts(conv)

    def role_indices(self, role: str) -> list[int]:
        return self.facts.indices(role)

    def scope(self, key: int) -> Any:
        got = self._scopes[key]
        if got is False:
            scope: Scope = self.engine.scopes[key]
            if scope.role == "any" and scope.first is None and scope.last is None and not scope.needs_time:
                got = _ALL
            else:
                idx = measures.scope_indices(self.conv, scope, self.facts)
                got = None if idx is None else frozenset(idx)
            self._scopes[key] = got
        return got

    def joined(self) -> str:
        if self._joined is None:
            self._joined = "\n".join([m.text for m in self.msgs])
        return self._joined

    def regex_gate(self) -> bool:
        """Whether any of the grouped regexes can match anywhere in the conversation."""
        if self._gate is None:
            self._gate = self.engine.regex_gate.search(self.joined()) is not None
        return self._gate

    def leaf_hits(self, case_sensitive: bool) -> list[dict[int, list[Span]] | None]:
        """Per keywords leaf: {item index: spans of its words}, or None when none of its words occur.
        One matcher scan over the whole conversation fills every leaf's buckets."""
        cached = self._hits_cs if case_sensitive else self._hits
        if cached is not None:
            return cached
        engine = self.engine
        texts = [m.text for m in self.msgs] if case_sensitive else [fold(m.text) for m in self.msgs]
        matcher = engine.matcher_cs if case_sensitive else engine.matcher
        found = matcher.scan(SEPARATOR.join(texts))
        buckets: list[dict[int, list[Span]] | None] = [None] * engine.n_leaves
        if found:
            starts = [0, *accumulate(len(t) + 1 for t in texts)]
            lengths = matcher.lengths
            targets = engine.targets_cs if case_sensitive else engine.targets
            for wid, s in found:
                mi = bisect_right(starts, s) - 1
                off = s - starts[mi]
                span = (mi, off, off + lengths[wid])
                for leaf, item in targets[wid]:
                    bucket = buckets[leaf]
                    if bucket is None:
                        buckets[leaf] = {item: [span]}
                    else:
                        lst = bucket.get(item)
                        if lst is None:
                            bucket[item] = [span]
                        else:
                            lst.append(span)
        if case_sensitive:
            self._hits_cs = buckets
        else:
            self._hits = buckets
        return buckets

    def emotion(self) -> Any:
        if self._emotion is None:
            self._emotion = self.engine.analyse(self.conv)
        return self._emotion


_UNSAFE_PREFILTER = re.compile(r"\\A|\\Z|\(\?[=!<]|\(\?[a-zA-Z]*s")
# patterns that cannot be one alternative among others: group references, named groups, global flags
_UNGROUPABLE = re.compile(r"\\[1-9]|\(\?P|\(\?[a-zA-Z]+\)")


class CompiledRuleSet:
    """A :class:`RuleSet` compiled for speed. ``evaluate(conv)`` returns an :class:`Outcome`."""

    def __init__(
        self, ruleset: RuleSet, *, backend: str | None = None, analyse: Callable[[Conversation], Any] | None = None
    ):
        self.ruleset = ruleset
        if analyse is None:
            from .emotion import analyse
        self.analyse = analyse
        self.scopes: list[Scope] = []
        self._scope_keys: dict[Scope, int] = {}
        words: dict[str, int] = {}
        words_cs: dict[str, int] = {}
        for rule in ruleset.rules:
            for node in [*iter_leaves(rule.condition), *(iter_leaves(rule.when) if rule.when is not None else ())]:
                if isinstance(node, Keywords):
                    table = words_cs if node.case_sensitive else words
                    for alts in node.items:
                        for word in alts:
                            table.setdefault(word, len(table))
        self._words, self._words_cs = words, words_cs
        self.matcher = Matcher(list(words), backend)
        self.matcher_cs = Matcher(list(words_cs), backend)
        self.backend = self.matcher.backend
        # word id -> [(keywords leaf, item index)]: where a match of that word goes
        self.targets: list[list[tuple[int, int]]] = [[] for _ in words]
        self.targets_cs: list[list[tuple[int, int]]] = [[] for _ in words_cs]
        self.n_leaves = 0
        # the regexes that can be: one search over the conversation tells whether any may match
        groupable = []
        for rule in ruleset.rules:
            for node in [*iter_leaves(rule.condition), *(iter_leaves(rule.when) if rule.when is not None else ())]:
                if (isinstance(node, Regex) and not _UNSAFE_PREFILTER.search(node.pattern)
                        and not _UNGROUPABLE.search(node.pattern)):
                    groupable.append(node.pattern if not node.ignore_case else f"(?i:{node.pattern})")
        self.regex_gate: Any = None
        self._grouped: frozenset[str] = frozenset()
        if len(set(groupable)) >= 2:
            try:
                self.regex_gate = re.compile("|".join(f"(?:{p})" for p in dict.fromkeys(groupable)), re.MULTILINE)
                self._grouped = frozenset(groupable)
            except re.error:
                self.regex_gate = None
        self.rules = [
            (rule.id, self._compile(rule.condition), None if rule.when is None else self._compile(rule.when, False))
            for rule in ruleset.rules
        ]

    def _scope_key(self, scope: Scope) -> int:
        key = self._scope_keys.get(scope)
        if key is None:
            key = self._scope_keys[scope] = len(self.scopes)
            self.scopes.append(scope)
        return key

    # ------------------------------------------------------------------------- compiling
    def _compile(self, node: Any, evidence: bool = True) -> Callable[[_Ctx], measures.Result]:
        """``evidence=False`` where only the state matters (under ``not``, in ``when``): keywords then
        count what they find without collecting spans."""
        if isinstance(node, Keywords):
            return self._compile_keywords(node) if evidence else self._compile_keywords_state(node)
        if isinstance(node, Regex | Sensitive):
            spans = self._compile_spans(node)

            def text_leaf(ctx: _Ctx) -> measures.Result:
                found = spans(ctx)
                if found is None:
                    return NA
                return (True, found) if found else FALSE

            return text_leaf
        if isinstance(node, Context):
            return self._compile_context(node)
        if isinstance(node, Timing):
            return lambda ctx: measures.eval_timing(node, ctx.conv, ctx.facts)
        if isinstance(node, Call):
            return lambda ctx: measures.eval_call(node, ctx.conv, ctx.facts)
        if isinstance(node, Count):
            return lambda ctx: measures.eval_count(node, ctx.conv, ctx.facts)
        if isinstance(node, Emotion):
            return lambda ctx: measures.eval_emotion(node, ctx.conv, lambda _conv: ctx.emotion())
        if isinstance(node, Channel):
            return lambda ctx: measures.eval_channel(node, ctx.conv)
        if isinstance(node, Label):
            return lambda ctx: measures.eval_label(node, ctx.conv)
        if isinstance(node, Not):
            child = self._compile(node.child, evidence=False)

            def not_(ctx: _Ctx) -> measures.Result:
                state = child(ctx)[0]
                return NA if state is None else (not state, [])

            return not_
        if isinstance(node, And):
            children = [self._compile(c, evidence) for c in node.children]

            def and_(ctx: _Ctx) -> measures.Result:
                evidence: list[Span] = []
                unknown = False
                for child in children:
                    state, ev = child(ctx)
                    if state is False:
                        return FALSE
                    if state is None:
                        unknown = True
                    else:
                        evidence += ev
                return NA if unknown else (True, evidence)

            return and_
        if isinstance(node, Or):
            children = [self._compile(c, evidence) for c in node.children]

            def or_(ctx: _Ctx) -> measures.Result:
                evidence: list[Span] = []
                held = unknown = False
                for child in children:
                    state, ev = child(ctx)
                    if state:
                        held = True
                        evidence += ev
                    elif state is None:
                        unknown = True
                if held:
                    return (True, evidence)
                return NA if unknown else FALSE

            return or_
        raise TypeError(f"unknown condition {node!r}")

    def _register_leaf(self, node: Keywords) -> int:
        """A new keywords leaf: the matcher's words will route their matches to it."""
        table = self._words_cs if node.case_sensitive else self._words
        targets = self.targets_cs if node.case_sensitive else self.targets
        leaf = self.n_leaves
        self.n_leaves += 1
        for index, alts in enumerate(node.items):
            for word in alts:
                targets[table[word]].append((leaf, index))
        return leaf

    def _compile_keywords_state(self, node: Keywords) -> Callable[[_Ctx], measures.Result]:
        leaf = self._register_leaf(node)
        key = self._scope_key(node.scope)
        cs = node.case_sensitive
        none = node.match == "none"
        need = {"any": 1, "all": len(node.items), "at_least": node.min, "none": 1}[node.match]
        held_if_none: measures.Result = (True, [])

        def keywords_state(ctx: _Ctx) -> measures.Result:
            scope = ctx.scope(key)
            if scope is None:
                return NA
            bucket = ctx.leaf_hits(cs)[leaf]
            if bucket is None:
                found = 0
            elif scope is _ALL:
                found = len(bucket)
            else:
                found = 0
                for lst in bucket.values():
                    for sp in lst:
                        if sp[0] in scope:
                            found += 1
                            break
            if none:
                return FALSE if found else held_if_none
            return (True, []) if found >= need else FALSE

        return keywords_state

    def _keyword_spans(self, node: Keywords) -> Callable[[_Ctx], list[list[Span]] | None]:
        """Per listed item that occurs in the scope, its spans (None: scope not applicable)."""
        leaf = self._register_leaf(node)
        key = self._scope_key(node.scope)
        cs = node.case_sensitive

        def spans(ctx: _Ctx) -> list[list[Span]] | None:
            scope = ctx.scope(key)
            if scope is None:
                return None
            bucket = ctx.leaf_hits(cs)[leaf]
            if bucket is None:
                return []
            if scope is _ALL:
                return list(bucket.values())
            out = []
            for lst in bucket.values():
                kept = [sp for sp in lst if sp[0] in scope]
                if kept:
                    out.append(kept)
            return out

        return spans

    def _compile_keywords(self, node: Keywords) -> Callable[[_Ctx], measures.Result]:
        spans = self._keyword_spans(node)
        need = {"any": 1, "all": len(node.items), "at_least": node.min, "none": 1}[node.match]
        none = node.match == "none"

        def keywords(ctx: _Ctx) -> measures.Result:
            found = spans(ctx)
            if found is None:
                return NA
            if none:
                return FALSE if found else (True, [])
            if len(found) < need:
                return FALSE
            return (True, [sp for item in found for sp in item])

        return keywords

    def _compile_spans(self, node: Keywords | Regex | Sensitive) -> Callable[[_Ctx], list[Span] | None]:
        """All spans a text leaf finds in its scope, flat (None: scope not applicable)."""
        if isinstance(node, Keywords):
            per_item = self._keyword_spans(node)

            def kw(ctx: _Ctx) -> list[Span] | None:
                found = per_item(ctx)
                return None if found is None else [sp for item in found for sp in item]

            return kw
        key = self._scope_key(node.scope)
        if isinstance(node, Regex):
            compiled, exclude = node.compiled, node.exclude_compiled
            prefilter = None
            if not _UNSAFE_PREFILTER.search(node.pattern):
                prefilter = re.compile(node.pattern, compiled.flags | re.MULTILINE).search
            gated = (node.pattern if not node.ignore_case else f"(?i:{node.pattern})") in self._grouped

            def find(text: str, i: int, out: list[Span]) -> None:
                if exclude is not None and exclude.search(text):
                    return
                for m in compiled.finditer(text):
                    s, e = m.span()
                    if e > s:
                        out.append((i, s, e))
        else:
            gated = False
            kinds = frozenset(node.kinds)
            prefilter = SENSITIVE_PREFILTER.search

            def find(text: str, i: int, out: list[Span]) -> None:
                if prefilter(text) is None:
                    return
                for s, e, _kind in find_sensitive(text, kinds):
                    out.append((i, s, e))

        def spans(ctx: _Ctx) -> list[Span] | None:
            scope = ctx.scope(key)
            if scope is None:
                return None
            if gated and not ctx.regex_gate():
                return []
            if prefilter is not None and prefilter(ctx.joined()) is None:
                return []
            out: list[Span] = []
            msgs = ctx.msgs
            for i in range(ctx.n) if scope is _ALL else sorted(scope):
                find(msgs[i].text, i, out)
            return out

        return spans

    def _compile_context(self, node: Context) -> Callable[[_Ctx], measures.Result]:
        trigger = self._compile_spans(node.trigger)
        expect = self._compile_spans(node.expect)
        role, within, after, present = node.expect.scope.role, node.within, node.direction == "after", node.mode == "present"

        def context(ctx: _Ctx) -> measures.Result:
            t_spans = trigger(ctx)
            e_spans = expect(ctx)
            if t_spans is None or e_spans is None:
                return NA
            if not t_spans:
                return FALSE
            lst = ctx.role_indices(role)
            by_msg: dict[int, list[Span]] = {}
            for sp in e_spans:
                by_msg.setdefault(sp[0], []).append(sp)
            evidence: list[Span] = []
            held = False
            for i in sorted({sp[0] for sp in t_spans}):
                if after:
                    p = bisect_right(lst, i)
                    window = lst[p : p + within]
                else:
                    p = bisect_left(lst, i)
                    window = lst[max(0, p - within) : p]
                answers = [sp for j in window for sp in by_msg.get(j, ())]
                if bool(answers) == present:
                    held = True
                    evidence += [sp for sp in t_spans if sp[0] == i]
                    evidence += answers
            return (True, evidence) if held else FALSE

        return context

    # ------------------------------------------------------------------------- evaluating
    def evaluate(self, conv: Conversation) -> Outcome:
        ctx = _Ctx(self, conv)
        states: dict[str, bool | None] = {}
        hits: list[tuple] = []
        for rule_id, fn, when in self.rules:
            if when is not None and when(ctx)[0] is not True:
                states[rule_id] = None
                continue
            state, evidence = fn(ctx)
            states[rule_id] = state
            if state:
                hits += measures.rule_hits(rule_id, conv, evidence)
        return Outcome(states=states, hits=hits, emotion=ctx._emotion)

    def emotion(self, conv: Conversation, outcome: Outcome) -> Any:
        """The customer-emotion result for ``conv``, reusing the one computed during evaluation."""
        return outcome.emotion if outcome.emotion is not None else self.analyse(conv)
