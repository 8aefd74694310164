"""The batched evaluator: a rule set applied to a batch of conversations at once, with numpy.

A batch (a few hundred to a few thousand conversations) is flattened into columns, one entry per
message: the conversation it belongs to, its role, its text length, its time. The texts are joined
once, with a separator no keyword can contain, and ONE matcher scan (:class:`.fast.Matcher`:
Hyperscan, pyahocorasick or ``str.find``) finds every keyword of every batched rule in the whole
batch; ``np.searchsorted`` on the message offsets maps each match back to its conversation, message
and character span (the Hyperscan backend scans UTF-32, so offsets are character indices already).

Each rule is then a few numpy operations over the batch: a message scope is a boolean mask over the
messages (role, first/last N of that role); a keywords leaf counts the distinct items found per
conversation with ``np.unique``/``np.bincount``; ``and``/``or``/``not`` combine per-conversation
state arrays (1 holds, 0 does not, -1 not applicable); timing metrics are differences of the time
column; message counts and lengths are ``bincount``s. Evidence spans are kept as rows
``(conversation, message, start, end)`` and turned into hits only for the conversations where the
rule fired.

Customer emotion (the ``emotion`` operator) is computed once for the whole batch: with the built-in
analysis by :func:`.emotion.analyse_batch` (numpy over the batch's customer messages, equal to
:func:`.emotion.analyse`), with any other analysis function one conversation at a time. Operators
without a batched form (message scopes in seconds, timing and call metrics not listed in
:func:`batchable`) are not approximated: a rule that uses any of them anywhere in its condition or
``when`` is evaluated, whole, by the per-conversation fast evaluator (:class:`.fast.CompiledRuleSet`
over just those rules), and its states and hits are merged back in rule order. The outcome is
therefore exactly :meth:`.fast.CompiledRuleSet.evaluate`'s, which a property test holds equal to
the reference evaluator; tests hold this one equal to both.
"""

from __future__ import annotations

import itertools
import re
import re._constants as _sre_constants
import re._parser as _sre_parser
import unicodedata
from dataclasses import replace
from operator import attrgetter
from typing import Any

import numpy as np

from . import emotion as emotion_module
from . import measures, native
from .fast import _UNSAFE_PREFILTER, SEPARATOR, CompiledRuleSet, Matcher
from .measures import Outcome
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
    Rule,
    RuleSet,
    Sensitive,
    Timing,
    fold,
)
from .sensitive import PREFILTER as SENSITIVE_PREFILTER
from .sensitive import find_sensitive

try:
    from . import _rules  # type: ignore[attr-defined]
except ImportError:  # not built: the hits made in Python
    _rules = None

_TEXT, _ROLE, _TIME, _END = (attrgetter(name) for name in ("text", "role", "time", "end"))
ROLE_CODES = {"customer": 0, "agent": 1, "bot": 2, "system": 3}
_STATE = {1: True, 0: False, -1: None}
_STATES = (False, True, None)  # indexed by the state code: 0, 1, -1
_CODE = {True: 1, False: 0, None: -1}
_EMPTY = np.zeros((0, 4), dtype=np.int64)
# letters (not cased, not marks, not stripped as punctuation) that glue clauses together for normalising
_GLUE = ("\U0002a6d6", "\U0002a6d5", "\U0002a6d4", "\u3007")
_SPLIT = measures._SPLIT
# the characters of measures._SPLIT's class of clause marks, as a lookup table over the BMP
_MARKS = "，,。！？!?；;\n.…"
_CLAUSE_MARK = np.zeros(0x10000, dtype=bool)
_CLAUSE_MARK[[ord(c) for c in _MARKS]] = True
# the batched clauses assume what measures splits on, and that no question word holds a clause mark
_CLAUSES_BATCHED = _SPLIT.pattern == "([" + _MARKS.replace("\n", "\\n") + "]+)" and not any(
    c in _MARKS for w in measures.QUESTION_WORDS for c in w)
_TIMING = ("left_waiting", "duration", "first_response", "reply_latency", "longest_wait")


def batchable(node: Any) -> bool:
    """Whether a condition has a batched form (otherwise its rule runs per conversation)."""
    if node is None:
        return True
    if isinstance(node, Keywords | Regex | Sensitive):
        return not node.scope.needs_time
    if isinstance(node, Context):
        return batchable(node.trigger) and batchable(node.expect)
    if isinstance(node, Count):
        return node.metric in ("messages", "message_length", "repeat")
    if isinstance(node, Timing):
        return node.metric in _TIMING
    if isinstance(node, Call):
        return node.metric in ("silence", "overlap", "speech_rate")
    if isinstance(node, Channel | Label | Emotion):
        return True
    if isinstance(node, Not):
        return batchable(node.child)
    if isinstance(node, And | Or):
        return all(batchable(c) for c in node.children)
    return False


def rule_batchable(rule: Rule) -> bool:
    return batchable(rule.condition) and batchable(rule.when)


def _uncased(ch: str) -> bool:
    """A character that no case-insensitive match can spell otherwise: not a cased letter, and its
    own lower, upper and folded case (CJK, digits, most punctuation)."""
    return (ch.lower() == ch and ch.upper() == ch and ch.casefold() == ch
            and unicodedata.category(ch) not in ("Lu", "Ll", "Lt"))


def required_literals(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Literal strings one of which every match of ``pattern`` contains (read from the parsed
    pattern: a run of literal characters, an alternation whose every branch has such strings, a
    repeat of at least once), or None when no such set is found. Under IGNORECASE only characters
    without case (CJK, digits, most punctuation) are used, so a plain substring test is exact. A
    text without any of them has no match: the batched evaluator searches the regex only in the
    messages where the literal matcher found one."""
    try:
        parsed = _sre_parser.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - the rule was compiled already; any surprise: no literals
        return None
    ignore = bool((flags | parsed.state.flags) & re.IGNORECASE)
    found = _required(list(parsed), ignore)
    if not found or any(not w or SEPARATOR in w or "\n" in w for w in found):
        return None
    return tuple(sorted(found))


def _required(items: list, ignore: bool) -> set[str] | None:
    c = _sre_constants
    options: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            options.append({"".join(run)})
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            ch = chr(av)
            if ignore and not _uncased(ch):
                flush()
            else:
                run.append(ch)
            continue
        flush()
        got: set[str] | None = None
        if op is c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            got = _required(list(sub), ignore or bool(add_flags & re.IGNORECASE))
        elif op is c.ATOMIC_GROUP:
            got = _required(list(av), ignore)
        elif op is c.BRANCH:
            alts = [_required(list(alt), ignore) for alt in av[1]]
            if all(alts):
                got = set().union(*alts)  # type: ignore[arg-type]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, _high, sub = av
            if low >= 1:
                got = _required(list(sub), ignore)
        elif op is c.IN:
            if all(o is c.LITERAL for o, _ in av):
                chars = {chr(v) for _, v in av}
                if not ignore or all(_uncased(ch) for ch in chars):
                    got = chars
        if got:
            options.append(got)
    flush()
    if not options:
        return None
    # the most selective: the longest shortest literal, then the fewest literals
    return max(options, key=lambda o: (min(map(len, o)), -len(o)))


_ALNUM: np.ndarray | None = None
_SPACE: np.ndarray | None = None


def _alnum(code: np.ndarray) -> np.ndarray:
    """``str.isalnum`` of each code point (what the ``re`` module's ``\\w`` is, less the underscore)."""
    global _ALNUM
    if _ALNUM is None:
        _ALNUM = np.array([chr(c).isalnum() for c in range(0x10000)], dtype=bool)
    out = _ALNUM[np.minimum(code, 0xFFFF)]
    astral = np.nonzero(code > 0xFFFF)[0]
    if len(astral):
        values, inverse = np.unique(code[astral], return_inverse=True)
        out[astral] = np.array([chr(int(v)).isalnum() for v in values], dtype=bool)[inverse]
    return out


def _floats(values: list) -> np.ndarray:
    """Floats or None as a float array, NaN for None; the all-None (chats have no end times) and
    no-None cases without a Python step per value."""
    missing = values.count(None)
    if missing == len(values):
        return np.full(len(values), np.nan)
    if not missing:
        return np.array(values, dtype=np.float64)
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _scan(matcher: Matcher, text: str, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`.fast.Matcher.scan` as arrays ``(word, start)``; with Hyperscan the match callback
    only records ``(word, end)``: the alignment test and the start are computed with numpy. With the
    compiled core, the Hyperscan and pyahocorasick backends are replaced by its automaton
    (:class:`.native.Automaton`, built once per matcher): the same occurrences, no Python callback."""
    if matcher.backend != "python" and native.enabled():
        automaton = getattr(matcher, "native_automaton", None)
        if automaton is None:
            automaton = matcher.native_automaton = native.Automaton(matcher.words)
        return automaton.scan(text)
    if matcher.hyperscan is None:
        found = matcher.scan(text)
        arr = np.array(found, dtype=np.int64).reshape(-1, 2)
        return arr[:, 0], arr[:, 1]
    db, scratch = matcher.hyperscan
    found: list[tuple[int, int]] = []
    add = found.append

    def on_match(wid: int, _from: int, to: int, _flags: int, _ctx: Any) -> None:
        add((wid, to))

    db.scan(text.encode("utf-32-le"), match_event_handler=on_match, scratch=scratch)
    arr = np.array(found, dtype=np.int64).reshape(-1, 2)
    arr = arr[(arr[:, 1] & 3) == 0]  # UTF-32: a match must end on a character
    wid = arr[:, 0]
    return wid, (arr[:, 1] >> 2) - lengths[wid]


class _RegexLiterals:
    """A regex leaf's required literals in the batch's case-sensitive matcher: one item, any of them."""

    case_sensitive = True

    def __init__(self, items: tuple[tuple[str, ...]]):
        self.items = items


class _Batch:
    """The columns of one batch of conversations, and the views of them that rules share."""

    def __init__(self, engine: BatchRuleSet, convs: list[Conversation]):
        self.engine = engine
        self.convs = convs
        self.B = B = len(convs)
        self._time: np.ndarray | None = None
        self._end: np.ndarray | None = None
        self._time_col: np.ndarray | None = None
        if any(getattr(c, "_block", None) is not None for c in convs):
            # read by the compiled core (native.py): its columns, no message objects
            texts, self.role, self.length, self._time_col, self._end, counts_arr = native.gather(convs)
            self._msgs: list | None = None
            self.counts = counts_arr
        else:
            counts = [len(c.messages) for c in convs]
            msgs = [m for c in convs for m in c.messages]
            texts = list(map(_TEXT, msgs))
            roles = list(map(_ROLE, msgs))
            self.counts = np.array(counts, dtype=np.int64)
            self.role = np.fromiter(map(ROLE_CODES.__getitem__, roles), dtype=np.int8, count=len(texts))
            self.length = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            self._msgs = msgs
        self.texts = texts
        self.M = M = len(texts)
        self.first = np.zeros(B + 1, dtype=np.int64)  # index of each conversation's first message
        np.cumsum(self.counts, out=self.first[1:])
        self.conv_of = np.repeat(np.arange(B, dtype=np.int64), self.counts)
        self.local = np.arange(M, dtype=np.int64) - self.first[:-1][self.conv_of]
        self._timed: np.ndarray | None = None
        self._role_masks: dict[str, np.ndarray] = {}
        self._role_rank: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._scopes: dict[Any, np.ndarray] = {}
        self._matches: dict[bool, tuple] = {}
        self._waits: tuple | None = None
        self._offsets: np.ndarray | None = None
        self._lines: str | None = None
        self._emotions: list | None = None
        self._labels: dict[tuple, tuple[np.ndarray, list[int]]] = {}
        self._codes: np.ndarray | None = None
        self._clauses: Any = None
        self._questioned: np.ndarray | None = None
        self._solid: np.ndarray | None = None
        self._joined_sep: str | None = None

    # ------------------------------------------------------------------ messages and scopes
    def role_mask(self, role: str) -> np.ndarray:
        got = self._role_masks.get(role)
        if got is None:
            got = np.ones(self.M, dtype=bool) if role == "any" else self.role == ROLE_CODES.get(role, -1)
            self._role_masks[role] = got
        return got

    def role_rank(self, role: str) -> tuple[np.ndarray, np.ndarray]:
        """For each message, its rank among its conversation's messages of ``role`` (0-based; only
        meaningful where the role matches), and per conversation the number of such messages."""
        got = self._role_rank.get(role)
        if got is None:
            mask = self.role_mask(role)
            cum = np.cumsum(mask, dtype=np.int64)
            before = np.zeros(self.B + 1, dtype=np.int64)
            before[1:] = cum[self.first[1:] - 1] if self.M else 0
            rank = cum - 1 - before[:-1][self.conv_of]
            total = before[1:] - before[:-1]
            got = self._role_rank[role] = (rank, total)
        return got

    def scope_mask(self, scope: Any) -> np.ndarray:
        got = self._scopes.get(scope)
        if got is None:
            mask = self.role_mask(scope.role)
            if scope.first is not None:
                rank, _ = self.role_rank(scope.role)
                mask = mask & (rank < scope.first)
            elif scope.last is not None:
                rank, total = self.role_rank(scope.role)
                mask = mask & (rank >= total[self.conv_of] - scope.last)
            got = self._scopes[scope] = mask
        return got

    # ------------------------------------------------------------------ conversation labels
    def label_states(self, node: Label) -> np.ndarray:
        """:func:`.measures.eval_label` for each conversation, judged once per distinct label value
        (conversations share few: a satisfaction score, a handful of tags). The values of a label path
        are grouped once for every rule that reads it (:meth:`label_groups`)."""
        inverse, first_of = self.label_groups(node.path)
        convs = self.convs
        codes = np.empty(len(first_of), dtype=np.int8)
        for k, ci in enumerate(first_of):
            state = measures.eval_label(node, convs[ci])[0]
            codes[k] = -1 if state is None else int(state)
        return codes[inverse]

    def label_groups(self, path: tuple[str, ...]) -> tuple[np.ndarray, list[int]]:
        """The conversations grouped by their value of a label path: per conversation its group, and
        per group its first conversation. Equal values of the same type share a group (a list by its
        items, each also by type: ``want in value`` and ``value == want`` compare items with ``==``);
        a value that cannot be keyed so (a dict, a list holding one) is a group of its own."""
        got = self._labels.get(path)
        if got is None:
            get = measures.label_value
            groups: dict[Any, int] = {}
            first_of: list[int] = []
            inverse = np.empty(self.B, dtype=np.int64)
            for ci, conv in enumerate(self.convs):
                value = get(conv.labels, path)
                cls = value.__class__
                try:
                    key = (list, tuple([(v.__class__, v) for v in value])) if cls is list else (cls, value)
                    k = groups.get(key)
                except TypeError:  # unhashable: judged on its own
                    key, k = None, None
                if k is None:
                    k = len(first_of)
                    first_of.append(ci)
                    if key is not None:
                        groups[key] = k
                inverse[ci] = k
            got = self._labels[path] = (inverse, first_of)
        return got

    # ------------------------------------------------------------------ customer emotion
    def emotions(self) -> list:
        """The customer-emotion result of each conversation (None where the rule set's analysis was not
        run: a conversation without customer messages, when the analysis is not the built-in one).
        The built-in analysis runs on the whole batch at once: compiled (:func:`.emotion.analyse_columns`,
        an :class:`.emotion.EmotionBatch`: arrays, each result made only when indexed) or with numpy
        (:func:`.emotion.analyse_batch`, a list)."""
        if self._emotions is None:
            analyse = self.engine.compiled.analyse
            if analyse is emotion_module.analyse:
                cust = np.nonzero(self.role == 0)[0]
                if emotion_module.compiled_available():  # arrays; EmotionResults only when asked for
                    self._emotions = emotion_module.analyse_columns(self.first, cust, self.texts)
                else:
                    self._emotions = emotion_module.analyse_batch(self.convs, columns=(self.first, cust, self.texts))
            else:
                has = self.has_customer().tolist()
                self._emotions = [analyse(c) if h else None for c, h in zip(self.convs, has)]
        return self._emotions

    def has_customer(self) -> np.ndarray:
        return np.bincount(self.conv_of[self.role == 0], minlength=self.B) > 0

    # ------------------------------------------------------------------ times
    def times(self) -> tuple[np.ndarray, np.ndarray]:
        """Message times (NaN where missing) and, per conversation, whether every message has one
        (and there is at least one message)."""
        if self._time is None:
            t = self._time_col if self._time_col is not None else _floats(list(map(_TIME, self._msgs)))
            missing = np.bincount(self.conv_of, weights=np.isnan(t), minlength=self.B)
            self._time = t
            self._timed = (missing == 0) & (self.counts > 0)
        return self._time, self._timed

    def ends(self) -> np.ndarray:
        """Message end times (NaN where missing)."""
        if self._end is None:
            self._end = _floats(list(map(_END, self._msgs)))
        return self._end

    def stops(self) -> np.ndarray:
        """Per message: its end when it has one, else its time."""
        t, _ = self.times()
        e = self.ends()
        return np.where(np.isnan(e), t, e)

    def waits(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The customer waits of :func:`.measures.customer_waits`, for every conversation at once:
        ``(agent message, wait start message, conversation, wait seconds)`` per answered wait, ordered
        by conversation then message, and per conversation the unanswered customer message (-1)."""
        if self._waits is None:
            M, B = self.M, self.B
            role = self.role
            talk = (role == 0) | (role == 1)
            # the last customer/agent message before each message (within the conversation)
            idx = np.where(talk, np.arange(M), -1)
            last_talk = np.maximum.accumulate(idx) if M else idx
            # a wait starts at a customer message whose previous talk message is an agent one (or none)
            prev = np.empty(M, dtype=np.int64)
            if M:
                prev[0] = -1
                prev[1:] = last_talk[:-1]
            first = self.first[:-1][self.conv_of]
            prev = np.where(prev >= first, prev, -1)
            starts = (role == 0) & ((prev < 0) | (role[np.maximum(prev, 0)] == 1))
            # each message's most recent wait start so far
            sidx = np.where(starts, np.arange(M), -1)
            last_start = np.maximum.accumulate(sidx) if M else sidx
            last_start = np.where(last_start >= first, last_start, -1)
            answered = (role == 1) & (prev >= 0) & (role[np.maximum(prev, 0)] == 0)
            agent = np.nonzero(answered)[0]
            since = last_start[agent]
            t, _ = self.times()
            conv = self.conv_of[agent]
            wait = t[agent] - t[since]
            # unanswered at the end: the conversation's last talk message is a customer one
            open_ = np.full(B, -1, dtype=np.int64)
            has = self.counts > 0
            lastmsg = self.first[1:] - 1
            lt = np.full(B, -1, dtype=np.int64)
            lt[has] = last_talk[lastmsg[has]]
            lt = np.where(lt >= self.first[:-1], lt, -1)
            ok = lt >= 0
            cust = np.zeros(B, dtype=bool)
            cust[ok] = role[lt[ok]] == 0
            open_[cust] = last_start[lt[cust]]
            self._waits = (agent, since, conv, wait, open_, lt)
        return self._waits

    def offsets(self) -> np.ndarray:
        """Where each message starts in the texts joined with one separator character."""
        if self._offsets is None:
            self._offsets = np.zeros(self.M, dtype=np.int64)
            if self.M:
                np.cumsum(self.length[:-1] + 1, out=self._offsets[1:])
        return self._offsets

    def joined_lines(self) -> str:
        """The batch's texts joined with newlines (as the fast evaluator joins one conversation)."""
        if self._lines is None:
            self._lines = "\n".join(self.texts)
        return self._lines

    def line_codes(self) -> np.ndarray:
        """The code points of :meth:`joined_lines`."""
        if self._codes is None:
            self._codes = np.frombuffer(self.joined_lines().encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        return self._codes

    def clauses(self) -> dict[str, Any] | None:
        """Every clause of every message of the batch (what :func:`.measures.eval_count` splits a
        message into with ``_SPLIT``: the text between runs of clause marks), shared by the
        repeated-sentence rules of any role: ``start``/``end`` in :meth:`joined_lines`, ``message``
        (global index), ``norm`` (the normalised clause's id: equal ids, equal normalised text) and
        ``norm_len``. None when no glue letter is free (then rules go per conversation)."""
        if self._clauses is None:
            lines = self.joined_lines()
            glue = next((c for c in _GLUE if c not in lines), None)
            if glue is None:
                self._clauses = False
                return None
            size = len(lines)
            table_of = getattr(native._native, "clause_table", None) if native.enabled() else None
            got = table_of(lines, _MARKS) if table_of is not None else None
            if got is not None:  # the same in one pass of the compiled core (tests hold them equal)
                run_lo, run_hi, norm, norm_len = (np.frombuffer(x, dtype=np.int64) for x in got)
            else:
                code = self.line_codes()
                mark = _CLAUSE_MARK[np.minimum(code, 0xFFFF)] & (code <= 0xFFFF)
                prev = np.zeros(size, dtype=bool)
                nxt = np.zeros(size, dtype=bool)
                if size:
                    prev[1:] = mark[:-1]
                    nxt[:-1] = mark[1:]
                run_lo = np.nonzero(mark & ~prev)[0]
                run_hi = np.nonzero(mark & ~nxt)[0] + 1
                # the clauses joined by the glue letter (as _SPLIT.sub puts it in place of each run of
                # marks) and stripped of _STRIP's [\W_] (what is not str.isalnum), on the code points;
                # then lower-cased at once (the glue, an uncased letter, survives) and split
                starts = mark & ~prev
                keep = (~mark & _alnum(code)) | starts
                kept = np.where(starts, ord(glue), code)[keep].astype("<u4")
                norms = kept.tobytes().decode("utf-32-le", "surrogatepass").lower().split(glue)
                table: dict[str, int] = {}
                count = len(norms)
                norm = np.fromiter(map(table.setdefault, norms, itertools.count()), dtype=np.int64, count=count)
                norm_len = np.fromiter(map(len, norms), dtype=np.int64, count=count)
            start = np.concatenate([[0], run_hi]).astype(np.int64)
            end = np.concatenate([run_lo, [size]]).astype(np.int64)
            self._clauses = {
                "start": start, "end": end, "next": np.concatenate([run_hi, [size]]).astype(np.int64),
                "message": np.searchsorted(self.offsets(), start, side="right") - 1,
                "norm": norm,
                "norm_len": norm_len,
            }
        return self._clauses or None

    def questioned(self) -> np.ndarray:
        """Per clause of :meth:`clauses`: a question mark among the marks that follow it within its
        message, or a question word in it."""
        if self._questioned is None:
            cl = self.clauses()
            assert cl is not None
            code = self.line_codes()
            start, end, message = cl["start"], cl["end"], cl["message"]
            offsets = self.offsets()
            hi = np.minimum(cl["next"], offsets[message] + self.length[message])
            qpos = np.nonzero((code == 0x3F) | (code == 0xFF1F))[0]
            marked = np.searchsorted(qpos, hi) > np.searchsorted(qpos, end)
            if native.enabled():
                # every occurrence of a question word, overlapping ones too: a clause holds one exactly
                # when finditer finds one starting in it (no question word holds a clause mark, so no
                # match crosses into a clause, and finditer finds the first occurrence of each clause)
                wpos = np.sort(_question_automaton().scan(self.joined_lines())[1])
            else:
                wpos = np.array([m.start() for m in measures._QUESTION.finditer(self.joined_lines())],
                                dtype=np.int64)
            worded = np.searchsorted(wpos, end) > np.searchsorted(wpos, start)
            self._questioned = marked | worded
        return self._questioned

    def solid(self) -> np.ndarray:
        """Positions in :meth:`joined_lines` of the characters that are not white space (``str.isspace``;
        every white space character is in the BMP)."""
        if self._solid is None:
            global _SPACE
            if _SPACE is None:
                _SPACE = np.array([chr(c).isspace() for c in range(0x10000)], dtype=bool)
            code = self.line_codes()
            self._solid = np.nonzero(~_SPACE[np.minimum(code, 0xFFFF)] | (code > 0xFFFF))[0]
        return self._solid

    def digit_runs(self) -> np.ndarray:
        """Messages (global indices) holding four ASCII digits in a row (the sensitive-data
        finder's first look, ``[0-9]{4}``), found on the code points of the whole batch at once."""
        code = self.line_codes()
        digit = (code >= 0x30) & (code <= 0x39)
        if len(digit) < 4:
            return np.zeros(0, dtype=np.int64)
        run = digit[:-3] & digit[1:-2] & digit[2:-1] & digit[3:]  # the newline between messages is no digit
        at = np.nonzero(run)[0]
        return np.unique(np.searchsorted(self.offsets(), at, side="right") - 1)

    def candidates(self, pattern: Any) -> np.ndarray:
        """Messages (global indices) that a search of ``pattern`` over the joined texts touches: every
        message where ``pattern`` can match (the fast evaluator's superset test, batch-wide)."""
        offsets = self.offsets()
        spans = [m.span() for m in pattern.finditer(self.joined_lines())]
        if not spans:
            return np.zeros(0, dtype=np.int64)
        arr = np.array(spans, dtype=np.int64)
        lo = np.searchsorted(offsets, arr[:, 0], side="right") - 1
        hi = np.searchsorted(offsets, np.maximum(arr[:, 1] - 1, arr[:, 0]), side="right") - 1
        mark = np.zeros(self.M + 1, dtype=np.int64)
        np.add.at(mark, lo, 1)
        np.add.at(mark, hi + 1, -1)
        return np.nonzero(np.cumsum(mark[:-1]) > 0)[0]

    # ------------------------------------------------------------------ keyword matches
    def matches(self, case_sensitive: bool) -> tuple[np.ndarray, ...]:
        """Every keyword match of the batch routed to its (leaf, item): arrays ``leaf, item, message
        (global index), start, end`` (character offsets within the message)."""
        got = self._matches.get(case_sensitive)
        if got is not None:
            return got
        engine = self.engine
        matcher = engine.matcher_cs if case_sensitive else engine.matcher
        empty = tuple(np.zeros(0, dtype=np.int64) for _ in range(5))
        if not matcher.words or not self.M:
            self._matches[case_sensitive] = empty
            return empty
        joined = self._joined_sep
        if joined is None:  # shared by both matchers
            joined = self._joined_sep = SEPARATOR.join(self.texts)
        if not case_sensitive:
            low = joined.lower()
            # the separator is neither cased nor case-ignorable, so lowering the whole batch equals
            # lowering each message, unless a character changes length: then fold message by message
            joined = low if len(low) == len(joined) else SEPARATOR.join([fold(t) for t in self.texts])
        wid, pos = _scan(matcher, joined, engine.word_len_cs if case_sensitive else engine.word_len)
        if not len(wid):
            self._matches[case_sensitive] = empty
            return empty
        offsets = self.offsets()
        gm = np.searchsorted(offsets, pos, side="right") - 1
        start = pos - offsets[gm]
        end = start + engine.word_len_cs[wid] if case_sensitive else start + engine.word_len[wid]
        ptr, t_leaf, t_item = engine.routes_cs if case_sensitive else engine.routes
        reps = ptr[wid + 1] - ptr[wid]
        which = np.repeat(np.arange(len(wid)), reps)
        base = np.repeat(ptr[wid], reps)
        within = np.arange(len(which)) - np.repeat(np.cumsum(reps) - reps, reps)
        t = base + within
        got = (t_leaf[t], t_item[t], gm[which], start[which], end[which])
        self._matches[case_sensitive] = got
        return got


_QUESTION_AUTOMATON: Any = None


def _question_automaton() -> Any:
    """The compiled core's automaton of the question words (:data:`.measures.QUESTION_WORDS`)."""
    global _QUESTION_AUTOMATON
    if _QUESTION_AUTOMATON is None:
        _QUESTION_AUTOMATON = native.Automaton(list(measures.QUESTION_WORDS))
    return _QUESTION_AUTOMATON


def _and(states: list[np.ndarray]) -> np.ndarray:
    out = np.ones_like(states[0])
    for s in states:
        out = np.where((out == 0) | (s == 0), 0, np.where((out == -1) | (s == -1), -1, 1)).astype(np.int8)
    return out


def _or(states: list[np.ndarray]) -> np.ndarray:
    out = np.zeros_like(states[0])
    for s in states:
        out = np.where((out == 1) | (s == 1), 1, np.where((out == -1) | (s == -1), -1, 0)).astype(np.int8)
    return out


def _within(values: np.ndarray, over: float | None, under: float | None) -> np.ndarray:
    ok = np.ones(values.shape, dtype=bool)
    if over is not None:
        ok &= values > over
    if under is not None:
        ok &= values < under
    return ok


class BatchRuleSet:
    """A rule set compiled for batches. ``evaluate(convs)`` returns one :class:`Outcome` per
    conversation, equal to :meth:`.fast.CompiledRuleSet.evaluate`'s."""

    def __init__(self, compiled: CompiledRuleSet):
        self.compiled = compiled
        ruleset: RuleSet = compiled.ruleset
        self.rule_ids = [r.id for r in ruleset.rules]
        self.batched = [rule_batchable(r) for r in ruleset.rules]
        fallback = [r for r, ok in zip(ruleset.rules, self.batched) if not ok]
        self.fallback: CompiledRuleSet | None = None
        if fallback:
            sub = replace(ruleset, rules=fallback)
            self.fallback = CompiledRuleSet(sub, backend=compiled.backend, analyse=compiled.analyse)
        self.fallback_ids = [r.id for r in fallback]
        words: dict[str, int] = {}
        words_cs: dict[str, int] = {}
        self._leaves: list[Any] = []  # keyword leaves, and the literals of regex leaves (_RegexLiterals)
        self._leaf_ids: dict[int, int] = {}
        for rule, ok in zip(ruleset.rules, self.batched):
            if ok:
                for node in [rule.condition, rule.when]:
                    self._collect(node, words, words_cs)
        self.matcher = Matcher(list(words), compiled.backend)
        self.matcher_cs = Matcher(list(words_cs), compiled.backend)
        self.word_len = np.array([len(w) for w in words] or [0], dtype=np.int64)
        self.word_len_cs = np.array([len(w) for w in words_cs] or [0], dtype=np.int64)
        self.routes = self._routes(words, case_sensitive=False)
        self.routes_cs = self._routes(words_cs, case_sensitive=True)
        self.backend = compiled.backend
        self._prefilters: dict[tuple[str, int], Any] = {}

    def _collect(self, node: Any, words: dict[str, int], words_cs: dict[str, int]) -> None:
        if node is None:
            return
        if isinstance(node, Keywords):
            if id(node) not in self._leaf_ids:
                self._leaf_ids[id(node)] = len(self._leaves)
                self._leaves.append(node)
            table = words_cs if node.case_sensitive else words
            for alts in node.items:
                for w in alts:
                    table.setdefault(w, len(table))
        elif isinstance(node, Regex):
            literals = required_literals(node.pattern, node.compiled.flags)
            if literals is not None and id(node) not in self._leaf_ids:
                self._leaf_ids[id(node)] = len(self._leaves)
                self._leaves.append(_RegexLiterals(items=(literals,)))
                for w in literals:
                    words_cs.setdefault(w, len(words_cs))
        elif isinstance(node, Context):
            self._collect(node.trigger, words, words_cs)
            self._collect(node.expect, words, words_cs)
        elif isinstance(node, Not):
            self._collect(node.child, words, words_cs)
        elif isinstance(node, And | Or):
            for c in node.children:
                self._collect(c, words, words_cs)

    def _routes(self, words: dict[str, int], case_sensitive: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR table: word id -> the (leaf, item) pairs its matches count for."""
        targets: list[list[tuple[int, int]]] = [[] for _ in words]
        for leaf, node in enumerate(self._leaves):
            if node.case_sensitive != case_sensitive:
                continue
            for item, alts in enumerate(node.items):
                for w in dict.fromkeys(alts):
                    targets[words[w]].append((leaf, item))
        ptr = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in targets], out=ptr[1:])
        flat = [p for t in targets for p in t]
        leaf = np.array([p[0] for p in flat], dtype=np.int64)
        item = np.array([p[1] for p in flat], dtype=np.int64)
        return ptr, leaf, item

    # ------------------------------------------------------------------ conditions
    def _eval(self, node: Any, b: _Batch) -> tuple[np.ndarray, np.ndarray]:
        """``(state per conversation, evidence rows)``: states 1/0/-1; rows ``(conversation,
        message, start, end)``, possibly also for conversations where the node does not hold (the
        caller keeps the rows of the conversations where it does)."""
        B = b.B
        if isinstance(node, Keywords):
            return self._keywords(node, b)
        if isinstance(node, Regex | Sensitive):
            rows = self._text_rows(node, b)
            state = np.zeros(B, dtype=np.int8)
            state[rows[:, 0]] = 1
            return state, rows
        if isinstance(node, Context):
            return self._context(node, b)
        if isinstance(node, Not):
            s, _ = self._eval(node.child, b)
            return np.where(s == -1, -1, 1 - s).astype(np.int8), _EMPTY
        if isinstance(node, And):
            parts = [self._eval(c, b) for c in node.children]
            state = _and([p[0] for p in parts])
            rows = np.concatenate([p[1] for p in parts]) if parts else _EMPTY
            return state, rows
        if isinstance(node, Or):
            parts = [self._eval(c, b) for c in node.children]
            state = _or([p[0] for p in parts])
            rows = np.concatenate([r[s[r[:, 0]] == 1] for s, r in parts])
            return state, rows
        if isinstance(node, Channel):
            channels = node.channels
            no = -1 if node.otherwise is None else 0
            return np.array([1 if c.channel in channels else no for c in b.convs], dtype=np.int8), _EMPTY
        if isinstance(node, Emotion):
            return self._emotion(node, b)
        if isinstance(node, Label):
            return b.label_states(node), _EMPTY
        if isinstance(node, Count):
            mask = b.role_mask(node.role)
            if node.metric == "messages":
                n = np.bincount(b.conv_of[mask], minlength=B)
                return _within(n, node.over, node.under).astype(np.int8), _EMPTY
            if node.metric == "repeat":
                return self._repeat(node, b)
            # message_length
            long = mask & _within(b.length, node.over, node.under)
            n = np.bincount(b.conv_of[long], minlength=B)
            state = (n >= node.count).astype(np.int8)
            return state, self._whole(b, np.nonzero(long)[0])
        if isinstance(node, Timing):
            return self._timing(node, b)
        if isinstance(node, Call):
            return self._call(node, b)
        raise TypeError(f"no batched form for {node!r}")

    @staticmethod
    def _whole(b: _Batch, gm: np.ndarray) -> np.ndarray:
        """Evidence rows covering whole messages (global indices)."""
        return np.stack([b.conv_of[gm], b.local[gm], np.zeros_like(gm), b.length[gm]], axis=1) if len(gm) else _EMPTY

    def _keywords(self, node: Keywords, b: _Batch) -> tuple[np.ndarray, np.ndarray]:
        leaf_id = self._leaf_ids[id(node)]
        leaf, item, gm, start, end = b.matches(node.case_sensitive)
        sel = (leaf == leaf_id)
        if sel.any():
            sel &= b.scope_mask(node.scope)[gm]
        conv = b.conv_of[gm[sel]]
        n_items = len(node.items)
        distinct = np.unique(conv * n_items + item[sel])
        found = np.bincount(distinct // n_items, minlength=b.B)
        if node.match == "none":
            return (found == 0).astype(np.int8), _EMPTY
        need = {"any": 1, "all": n_items, "at_least": node.min}[node.match]
        rows = np.stack([conv, b.local[gm[sel]], start[sel], end[sel]], axis=1) if len(conv) else _EMPTY
        return (found >= need).astype(np.int8), rows

    @staticmethod
    def _emotion(node: Emotion, b: _Batch) -> tuple[np.ndarray, np.ndarray]:
        """:func:`.measures.eval_emotion` over the batch's emotion results."""
        emotions = b.emotions()
        if isinstance(emotions, emotion_module.EmotionBatch):  # the compiled analysis: its arrays
            state, rows = emotions.rule_states(node.over, node.trend, b.has_customer())
            return state, rows if len(rows) else _EMPTY
        state = np.full(b.B, -1, dtype=np.int8)
        rows = []
        over, trend = node.over, node.trend
        for ci, (has, result) in enumerate(zip(b.has_customer().tolist(), b.emotions())):
            if not has or (trend is not None and result.trend is None):
                continue
            if (over is None or result.score > over) and (trend is None or result.trend == trend):
                state[ci] = 1
                rows += [(ci, h.message, h.start, h.end) for h in result.hits if h.weight > 0 and h.end > h.start]
            else:
                state[ci] = 0
        return state, np.array(rows, dtype=np.int64) if rows else _EMPTY

    def _text_rows(self, node: Regex | Sensitive, b: _Batch) -> np.ndarray:
        """Every span a regex or the sensitive-data finder finds in its scope: only the messages that
        the pattern's batch-wide search touches are searched one by one."""
        texts, local, conv_of = b.texts, b.local, b.conv_of
        out: list[tuple[int, int, int, int]] = []
        if isinstance(node, Regex):
            compiled, exclude = node.compiled, node.exclude_compiled
            leaf_id = self._leaf_ids.get(id(node))
            if leaf_id is not None:  # the messages holding one of the literals every match contains
                leaf, _item, gm, _start, _end = b.matches(True)
                cand = np.unique(gm[leaf == leaf_id])
            elif _UNSAFE_PREFILTER.search(node.pattern):
                cand = np.arange(b.M)
            else:
                cand = b.candidates(self._prefilter(node.pattern, compiled.flags))
            cand = cand[b.scope_mask(node.scope)[cand]]
            for gm in cand.tolist():
                text = texts[gm]
                if exclude is not None and exclude.search(text):
                    continue
                c, i = int(conv_of[gm]), int(local[gm])
                for m in compiled.finditer(text):
                    s, e = m.span()
                    if e > s:
                        out.append((c, i, s, e))
        else:
            kinds = frozenset(node.kinds)
            cand = b.digit_runs() if SENSITIVE_PREFILTER.pattern == "[0-9]{4}" else b.candidates(SENSITIVE_PREFILTER)
            cand = cand[b.scope_mask(node.scope)[cand]]
            for gm in cand.tolist():
                c, i = int(conv_of[gm]), int(local[gm])
                for s, e, _kind in find_sensitive(texts[gm], kinds):
                    out.append((c, i, s, e))
        return np.array(out, dtype=np.int64) if out else _EMPTY

    def _prefilter(self, pattern: str, flags: int) -> Any:
        key = (pattern, flags)
        got = self._prefilters.get(key)
        if got is None:
            got = self._prefilters[key] = re.compile(pattern, flags | re.MULTILINE)
        return got

    def _spans(self, node: Keywords | Regex | Sensitive, b: _Batch) -> np.ndarray:
        """All spans of a text leaf in its scope, whatever its match mode (as context uses them)."""
        if isinstance(node, Keywords):
            leaf, item, gm, start, end = b.matches(node.case_sensitive)
            sel = leaf == self._leaf_ids[id(node)]
            if sel.any():
                sel &= b.scope_mask(node.scope)[gm]
            if not sel.any():
                return _EMPTY
            return np.stack([b.conv_of[gm[sel]], b.local[gm[sel]], start[sel], end[sel]], axis=1)
        return self._text_rows(node, b)

    def _context(self, node: Context, b: _Batch) -> tuple[np.ndarray, np.ndarray]:
        """Condition B within K messages (of B's role) before/after a message where A is found."""
        t_rows = self._spans(node.trigger, b)
        e_rows = self._spans(node.expect, b)
        B = b.B
        state = np.zeros(B, dtype=np.int8)
        if not len(t_rows):
            return state, _EMPTY
        role = node.expect.scope.role
        within = node.within
        rmask = b.role_mask(role)
        pos = np.nonzero(rmask)[0]  # the role's messages, in batch order
        rank, total = b.role_rank(role)
        base = np.zeros(B + 1, dtype=np.int64)  # index in ``pos`` of each conversation's first one
        np.cumsum(total, out=base[1:])
        # which of the role's messages hold an expected span
        has_e = np.zeros(b.M, dtype=bool)
        if len(e_rows):
            has_e[b.first[e_rows[:, 0]] + e_rows[:, 1]] = True
        cum = np.zeros(len(pos) + 1, dtype=np.int64)
        np.cumsum(has_e[pos], out=cum[1:])
        t_gm = b.first[t_rows[:, 0]] + t_rows[:, 1]
        trig = np.unique(t_gm)  # the trigger messages
        c = b.conv_of[trig]
        # the role's messages up to the trigger message: before it, or up to and including it
        upto = np.cumsum(rmask, dtype=np.int64)[trig] - base[c]  # counting the trigger message itself
        strictly = upto - rmask[trig]
        if node.direction == "after":
            lo = upto
            hi = np.minimum(upto + within, total[c])
        else:
            lo = np.maximum(0, strictly - within)
            hi = strictly
        lo_g, hi_g = base[c] + lo, base[c] + np.maximum(hi, lo)
        answered = cum[hi_g] - cum[lo_g] > 0
        held = answered == (node.mode == "present")
        state[c[held]] = 1
        rows = [t_rows[np.isin(t_gm, trig[held])]]
        if node.mode == "present" and len(e_rows) and held.any():
            cover = np.zeros(len(pos) + 1, dtype=np.int64)
            np.add.at(cover, lo_g[held], 1)
            np.add.at(cover, hi_g[held], -1)
            covered = np.zeros(b.M, dtype=bool)
            covered[pos] = np.cumsum(cover[:-1]) > 0
            e_gm = b.first[e_rows[:, 0]] + e_rows[:, 1]
            rows.append(e_rows[covered[e_gm]])
        return state, np.concatenate(rows)

    def _repeat(self, node: Count, b: _Batch) -> tuple[np.ndarray, np.ndarray]:
        """The same clause (normalised) said ``times`` times or more in a conversation, for the whole
        batch: the batch's clauses (:meth:`_Batch.clauses`, split and normalised once for every
        role and rule) of the role's messages, long enough (and questions, if asked), counted per
        conversation and normalised text with ``np.unique``."""
        B = b.B
        state = np.zeros(B, dtype=np.int8)
        if not b.M:
            return state, _EMPTY
        if not _CLAUSES_BATCHED:
            return self._per_conversation(node, b)
        cl = b.clauses()
        if cl is None:  # every candidate glue letter occurs in the texts: per conversation, as measures does
            return self._per_conversation(node, b)
        start, end, message = cl["start"], cl["end"], cl["message"]
        minimum = node.min_length
        ok = b.role_mask(node.role)[message] & (end - start >= minimum) & (cl["norm_len"] >= minimum)
        if node.questions_only:
            ok &= b.questioned()
        keep = np.nonzero(ok)[0]
        if not len(keep):
            return state, _EMPTY
        conv = b.conv_of[message[keep]]
        key = conv * (len(start) + 1) + cl["norm"][keep]
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        said = keep[counts[inverse.ravel()] >= node.times]
        if not len(said):
            return state, _EMPTY
        m = message[said]
        state[b.conv_of[m]] = 1
        # each clause said again, stripped of white space (str.strip) on both sides: from its first to
        # past its last character that is not white space (none: empty, at the clause's end)
        s, e = start[said], end[said]
        solid = b.solid()
        i = np.searchsorted(solid, s)
        lead = np.minimum(solid[np.minimum(i, len(solid) - 1)] if len(solid) else e, e)
        lead = np.where(i < len(solid), lead, e)
        i = np.searchsorted(solid, e) - 1
        stop = np.where((i >= 0) & (solid[np.maximum(i, 0)] >= s), solid[np.maximum(i, 0)] + 1, s) if len(solid) else s
        at = b.offsets()[m]
        return state, np.stack([b.conv_of[m], b.local[m], lead - at, stop - at], axis=1)

    @staticmethod
    def _per_conversation(node: Count, b: _Batch) -> tuple[np.ndarray, np.ndarray]:
        state = np.zeros(b.B, dtype=np.int8)
        rows = []
        for ci, conv in enumerate(b.convs):
            held, evidence = measures.eval_count(node, conv)
            if held:
                state[ci] = 1
                rows += [(ci, *sp) for sp in evidence]
        return state, np.array(rows, dtype=np.int64) if rows else _EMPTY

    def _call(self, node: Call, b: _Batch) -> tuple[np.ndarray, np.ndarray]:
        """Call metrics over utterances with start and end times (else not applicable)."""
        B = b.B
        t, _ = b.times()
        e = b.ends()
        has = b.counts > 0
        missing = np.bincount(b.conv_of, weights=np.isnan(t) | np.isnan(e), minlength=B)
        call = (missing == 0) & has
        mask = b.role_mask(node.role)
        state = np.full(B, -1, dtype=np.int8)
        if node.metric in ("silence", "overlap"):
            cur = np.nonzero(b.local > 0)[0]  # every message but each conversation's first
            prev = cur - 1
            with np.errstate(invalid="ignore"):
                if node.metric == "silence":
                    ok = mask[cur] & _within(t[cur] - e[prev], node.over, node.under)
                else:
                    overlap = np.minimum(e[prev], e[cur]) - t[cur]
                    ok = (b.role[prev] != b.role[cur]) & mask[cur] & (overlap > 0) & _within(overlap, node.over, node.under)
            found = cur[ok]
            n = np.bincount(b.conv_of[found], minlength=B)
            state[call] = (n >= node.count)[call]
            return state, self._whole(b, found)
        # speech rate, characters per minute
        with np.errstate(invalid="ignore"):
            timed = mask & (e > t) & (b.length > 0)
        n = np.bincount(b.conv_of[timed], minlength=B)
        judged = call & (n > 0)
        if node.per == "average":
            chars = np.bincount(b.conv_of[timed], weights=b.length[timed], minlength=B)
            minutes = np.bincount(b.conv_of[timed], weights=(e - t)[timed], minlength=B) / 60
            with np.errstate(invalid="ignore", divide="ignore"):
                state[judged] = _within(chars / minutes, node.over, node.under)[judged]
            return state, _EMPTY
        at = np.nonzero(timed)[0]
        fast = at[_within(b.length[at] * 60 / (e[at] - t[at]), node.over, node.under)]
        k = np.bincount(b.conv_of[fast], minlength=B)
        state[judged] = (k >= node.count)[judged]
        return state, self._whole(b, fast)

    def _timing(self, node: Timing, b: _Batch) -> tuple[np.ndarray, np.ndarray]:
        B = b.B
        metric = node.metric
        if metric == "left_waiting":
            *_, lt = b.waits()
            state = np.where(lt < 0, -1, 0).astype(np.int8)
            ok = lt >= 0
            cust = np.zeros(B, dtype=bool)
            cust[ok] = b.role[lt[ok]] == 0
            state[cust] = 1
            return state, self._whole(b, lt[cust])
        t, timed = b.times()
        na = ~timed
        if metric == "duration":
            stops = b.stops()
            stop = np.full(B, -np.inf)
            has = b.counts > 0
            if has.any():
                stop[has] = np.maximum.reduceat(stops, b.first[:-1][has])  # NaN: not applicable below
            start = np.zeros(B)
            start[has] = t[b.first[:-1][has]]
            state = _within(stop - start, node.over, node.under).astype(np.int8)
            state[na] = -1
            return state, _EMPTY
        agent, since, conv, wait, _open, _lt = b.waits()
        if metric == "first_response":
            cidx = np.nonzero(b.role_mask("customer"))[0]
            first_c = np.full(B, -1, dtype=np.int64)
            cc, at = np.unique(b.conv_of[cidx], return_index=True)  # conversations are in order
            first_c[cc] = cidx[at]
            first_w = np.full(B, -1, dtype=np.int64)  # each conversation's first answered wait
            wc, at = np.unique(conv, return_index=True)
            first_w[wc] = at
            state = np.full(B, -1, dtype=np.int8)
            has_c = first_c >= 0
            w_ok = first_w >= 0
            wa = np.where(w_ok, agent[np.maximum(first_w, 0)] if len(agent) else 0, -1)
            never = has_c & (~w_ok | (wa < first_c))
            answered = has_c & ~never
            ws = np.where(answered, wait[np.maximum(first_w, 0)] if len(wait) else 0.0, 0.0)
            ok = answered & _within(ws, node.over, node.under)
            state[answered] = ok[answered]
            state[never] = 1 if node.under is None else 0
            state[na] = -1
            rows = [self._whole(b, wa[ok])]
            if node.under is None:
                rows.append(self._whole(b, first_c[never & timed]))
            return state, np.concatenate(rows)
        if metric == "reply_latency":
            slow = _within(wait, node.over, node.under)
            n = np.bincount(conv[slow], minlength=B)
            state = (n >= node.count).astype(np.int8)
            state[na] = -1
            return state, self._whole(b, agent[slow])
        # longest_wait: the longest, the earliest of equals
        n = np.bincount(conv, minlength=B)
        state = np.full(B, -1, dtype=np.int8)
        if len(conv):
            # per conversation (the waits are in conversation then message order) the earliest of its
            # longest: as a sort by conversation, wait (longest first, NaN last) and message would put
            # first; without the sort (np.fmax skips NaN, which is the longest only when all are)
            head = np.r_[True, conv[1:] != conv[:-1]]
            segment = np.cumsum(head) - 1
            longest = np.fmax.reduceat(wait, np.nonzero(head)[0])[segment]
            cand = np.nonzero((wait == longest) | (np.isnan(longest) & np.isnan(wait)))[0]
            firsts = cand[np.r_[True, segment[cand][1:] != segment[cand][:-1]]]
            best = np.zeros(len(conv), dtype=bool)
            best[firsts] = True
            ok = best & _within(wait, node.over, node.under)
            has = n > 0
            state[has] = 0
            state[conv[ok]] = 1
            state[na] = -1
            return state, self._whole(b, agent[ok])
        return state, _EMPTY

    # ------------------------------------------------------------------ evaluating
    def evaluate(self, convs: list[Conversation]) -> list[Outcome]:
        return self.evaluate_matrix(convs)[0]

    def evaluate_matrix(self, convs: list[Conversation]) -> tuple[list[Outcome], np.ndarray]:
        """The outcomes, and their states as a matrix (conversation x rule, in rule order: 1 fired,
        0 not, -1 not applicable) for scoring the batch at once (:func:`.scorecard.score_batch`)."""
        return self._evaluate(convs, outcomes=True)  # type: ignore[return-value]

    def evaluate_parts(self, convs: list[Conversation]) -> tuple[np.ndarray, list[list[tuple]], list | None]:
        """What a result needs, without the per-conversation :class:`Outcome` objects: the states
        matrix, each conversation's hits (as ``Outcome.hits``) and its customer-emotion result (None
        where not computed; None instead of the sequence when no rule needed emotion). The sequence is
        a list, or an :class:`.emotion.EmotionBatch` (``.scores`` and ``.trends`` without making the
        result objects) when the compiled emotion core ran."""
        return self._evaluate(convs, outcomes=False)  # type: ignore[return-value]

    def _evaluate(self, convs: list[Conversation], *, outcomes: bool) -> tuple:
        if not convs:
            empty = np.zeros((0, len(self.rule_ids)), dtype=np.int8)
            return ([], empty) if outcomes else (empty, [], None)
        b = _Batch(self, convs)
        rules = self.compiled.ruleset.rules
        R = len(rules)
        matrix = np.zeros((b.B, R), dtype=np.int8)  # states: 1 holds, 0 does not, -1 not applicable
        evidence: list[dict[int, list] | None] = []
        evidence_rows: list[np.ndarray] = []  # (conversation, rule, message, start, end) of fired rules
        fb: list[Outcome] | None = None
        if self.fallback is not None:
            fb = [self.fallback.evaluate(c) for c in convs]
        for j, (rule, ok) in enumerate(zip(rules, self.batched)):
            if not ok:
                rid = rule.id
                matrix[:, j] = [_CODE[o.states[rid]] for o in fb]  # type: ignore[union-attr]
                evidence.append(None)
                continue
            state, rows = self._eval(rule.condition, b)
            if rule.when is not None:
                w, _ = self._eval(rule.when, b)
                state = np.where(w == 1, state, -1).astype(np.int8)
            matrix[:, j] = state
            by_conv: dict[int, list] = {}
            if len(rows):
                rows = rows[state[rows[:, 0]] == 1]
                if fb is None:
                    evidence_rows.append(np.column_stack([rows[:, 0], np.full(len(rows), j), rows[:, 1:]]))
                    evidence.append(by_conv)
                    continue
                for c, mi, s, e in rows.tolist():
                    lst = by_conv.get(c)
                    if lst is None:
                        by_conv[c] = [(mi, s, e)]
                    else:
                        lst.append((mi, s, e))
            evidence.append(by_conv)
        ids = self.rule_ids
        if fb is None:
            hits = self._hits(b, matrix, evidence_rows)
            if not outcomes:
                return matrix, hits, b._emotions
            emotions = b._emotions
            to_state = _STATES.__getitem__
            return [
                Outcome(states=dict(zip(ids, map(to_state, row))), hits=hits[ci],
                        emotion=None if emotions is None else emotions[ci])
                for ci, row in enumerate(matrix.tolist())
            ], matrix
        to_state = _STATE.__getitem__
        rows_states = [list(map(to_state, row)) for row in matrix.tolist()]
        fired_c, fired_r = np.nonzero(matrix == 1)  # in conversation order, then rule order
        fired: list[list[int]] = [[] for _ in convs]
        for c, j in zip(fired_c.tolist(), fired_r.tolist()):
            fired[c].append(j)
        out = []
        rule_hits = measures.rule_hits
        emotions = b._emotions
        for ci, conv in enumerate(convs):
            hits: list[tuple] = []
            fb_hits: dict[str, list] | None = None
            emotion = None if emotions is None else emotions[ci]
            if fb is not None:
                o = fb[ci]
                if emotion is None:
                    emotion = o.emotion
                if o.hits:
                    fb_hits = {}
                    for h in o.hits:
                        fb_hits.setdefault(h[0], []).append(h)
            for j in fired[ci]:
                ev = evidence[j]
                if ev is None:
                    if fb_hits is not None:
                        hits += fb_hits.get(ids[j], ())
                else:
                    hits += rule_hits(ids[j], conv, ev.get(ci, []))
            out.append(Outcome(states=dict(zip(ids, rows_states[ci])), hits=hits, emotion=emotion))
        if not outcomes:
            return matrix, [o.hits for o in out], [o.emotion for o in out]
        return out, matrix

    def _hits(self, b: _Batch, matrix: np.ndarray, evidence_rows: list[np.ndarray]) -> list[list[tuple]]:
        """Each conversation's hits when every rule was batched: the evidence rows of all rules and
        conversations sorted and de-duplicated at once (conversation, then rule order, then message
        and span: the order :func:`.measures.rule_hits` gives rule by rule), a conversation-level hit
        for a fired rule without a span."""
        ids = self.rule_ids
        R = len(ids)
        fired_c, fired_r = np.nonzero(matrix == 1)
        rows = np.concatenate(evidence_rows) if evidence_rows else np.zeros((0, 5), dtype=np.int64)
        spanned = np.zeros(b.B * R + 1, dtype=bool)
        spanned[rows[:, 0] * R + rows[:, 1]] = True
        bare = ~spanned[fired_c * R + fired_r]
        if bare.any():  # fired without a span: one hit for the conversation (-1: no message)
            k = int(bare.sum())
            whole = np.column_stack([fired_c[bare], fired_r[bare], np.full((k, 3), -1, dtype=np.int64)])
            rows = np.concatenate([rows, whole])
        if len(rows):
            low = rows[:, 2:]
            if low.min() >= -1 and low.max() < (1 << 21) - 1:
                # two keys in place of five: (conversation, rule) and (message, start, end) in 21 bits each
                hi_key = rows[:, 0] * R + rows[:, 1]
                lo_key = ((low[:, 0] + 1) << 42) | ((low[:, 1] + 1) << 21) | (low[:, 2] + 1)
                order = np.lexsort((lo_key, hi_key))
                rows = rows[order]
                if len(rows) > 1:
                    hi_key, lo_key = hi_key[order], lo_key[order]
                    fresh = np.ones(len(rows), dtype=bool)
                    fresh[1:] = (hi_key[1:] != hi_key[:-1]) | (lo_key[1:] != lo_key[:-1])
                    rows = rows[fresh]
            else:
                order = np.lexsort((rows[:, 4], rows[:, 3], rows[:, 2], rows[:, 1], rows[:, 0]))
                rows = rows[order]
                if len(rows) > 1:
                    fresh = np.ones(len(rows), dtype=bool)
                    fresh[1:] = (rows[1:] != rows[:-1]).any(axis=1)
                    rows = rows[fresh]
        return hit_lists(rows, ids, b.texts, b.first, b.B)


def hit_lists(rows: np.ndarray, ids: list[str], texts: list[str], first: np.ndarray, B: int) -> list[list[tuple]]:
    """Each conversation's hits from evidence rows ``(conversation, rule, message, start, end)`` sorted
    by conversation: ``(rule id, message, start, end, text)``, or ``(rule id, None, None, None, "")``
    for a row without a message (-1). Made in C (engine/_rules.c) when it is built and the compiled
    core is enabled; tests hold both equal."""
    if _rules is not None and native.enabled():
        return _rules.hit_lists(np.ascontiguousarray(rows, dtype=np.int64), ids, texts,
                                np.ascontiguousarray(first, dtype=np.int64), B)
    return _hit_lists_py(rows, ids, texts, first, B)


def _hit_lists_py(rows: np.ndarray, ids: list[str], texts: list[str], first: np.ndarray, B: int) -> list[list[tuple]]:
    starts = first.tolist()
    hits = [
        (ids[j], mi, s, e, texts[starts[c] + mi][s:e]) if mi >= 0 else (ids[j], None, None, None, "")
        for c, j, mi, s, e in rows.tolist()
    ]
    bounds = np.searchsorted(rows[:, 0], np.arange(B + 1)).tolist()
    return [hits[bounds[ci] : bounds[ci + 1]] for ci in range(B)]
