"""The compiled core of the auto-QA engine, and the pure-Python engine as its fallback.

``_native`` (engine/_native.c, built by ``pip install -e .`` through setup.py; optional) reads a
chunk of conversation-v1 JSON Lines records straight into the batched evaluator's columns: every
message's text, role code, length, time and end time, without a dict or a
:class:`~.model.Message` per message. It accepts only records that are certainly valid and of the
common shape (see the top of _native.c); every other record goes to the Python reader
(:func:`.readers.parse_jsonl_line`), which decides and explains exactly as without the extension.

A record read natively becomes a :class:`ColumnConversation`: a :class:`~.model.Conversation`
whose ``messages`` are made from the columns only when something asks for them (a rule that runs
per conversation, ``qa explain``, the per-conversation path); the batched evaluator
(:class:`.batch._Batch`) takes the columns themselves. Results are byte-identical either way (the
tests in tests/quality/engine/test_native*.py hold them equal).

``SERVICECOACH_QA_NATIVE=0`` in the environment forces the pure-Python path (read at each call).
"""

from __future__ import annotations

import os
from collections import deque
from typing import Any

import numpy as np
import orjson

from .model import ROLES, Conversation, Message

try:
    from . import _native  # type: ignore[attr-defined]
except ImportError:  # not built (no C compiler when installed): the pure-Python engine
    _native = None

ENV = "SERVICECOACH_QA_NATIVE"


def available() -> bool:
    """Whether the compiled core is built."""
    return _native is not None


def enabled() -> bool:
    """Whether the compiled core is built and not switched off with ``SERVICECOACH_QA_NATIVE=0``."""
    return _native is not None and os.environ.get(ENV, "1").strip() != "0"


def _readonly(buffer: bytearray, dtype: Any) -> np.ndarray:
    arr = np.frombuffer(buffer, dtype=dtype)
    arr.flags.writeable = False
    return arr


class ColumnBlock:
    """The messages of the records of one :func:`parse_records` call, as columns: ``texts`` (str),
    ``role`` (int8 codes, :data:`.batch.ROLE_CODES`), ``length`` (int64), ``time`` and ``end``
    (float64, NaN when absent). Read-only."""

    __slots__ = ("texts", "role", "length", "time", "end")

    def __init__(self, texts: list[str], role: bytearray, length: bytearray, time: bytearray, end: bytearray):
        self.texts = texts
        self.role = _readonly(role, np.int8)
        self.length = _readonly(length, np.int64)
        self.time = _readonly(time, np.float64)
        self.end = _readonly(end, np.float64)

    def messages(self, lo: int, hi: int) -> list[Message]:
        """The :class:`~.model.Message` objects of messages ``lo`` to ``hi`` (what the Python reader
        would have made: times as floats or None, no agent id)."""
        roles = [ROLES[r] for r in self.role[lo:hi].tolist()]
        times = [None if t != t else t for t in self.time[lo:hi].tolist()]  # NaN: no time
        ends = [None if e != e else e for e in self.end[lo:hi].tolist()]
        return [Message(r, t, w, e) for r, t, w, e in zip(roles, self.texts[lo:hi], times, ends)]


_MESSAGES = Conversation.__dict__["messages"]  # the dataclass's slot
_new = object.__new__


class ColumnConversation(Conversation):
    """A conversation read by the compiled core: its messages live in a :class:`ColumnBlock`
    (``_block``, messages ``_lo`` to ``_hi``) and are made as objects on first access."""

    __slots__ = ("_block", "_lo", "_hi")

    @property  # type: ignore[override]
    def messages(self) -> list[Message]:
        try:
            return _MESSAGES.__get__(self, ColumnConversation)
        except AttributeError:
            built = self._block.messages(self._lo, self._hi)
            _MESSAGES.__set__(self, built)
            return built

    @messages.setter
    def messages(self, value: list[Message]) -> None:
        _MESSAGES.__set__(self, value)


def parse_records(raws: list[bytes]) -> list[ColumnConversation | None]:
    """Read JSON Lines records with the compiled core: a :class:`ColumnConversation` for each one it
    accepts, None for each one it leaves to the Python reader. Requires :func:`available`."""
    accepted, metas, texts, roles, lengths, times, ends = _native.parse_conversations(raws)
    block = ColumnBlock(texts, roles, lengths, times, ends)
    out: list[ColumnConversation | None] = [None] * len(raws)
    k = at = 0
    loads = orjson.loads
    for i, ok in enumerate(accepted):
        if not ok:
            continue
        cid, source, channel, agent, customer, labels_lo, labels_hi, count = metas[k]
        k += 1
        lo, at = at, at + count
        if labels_lo >= 0:
            try:
                labels = loads(raws[i][labels_lo:labels_hi])
            except orjson.JSONDecodeError:  # not expected (the span was checked): the Python reader decides
                continue
        else:
            labels = {}
        conv = _new(ColumnConversation)
        conv.id = cid
        conv.source = source
        conv.channel = channel
        conv.started_at = None
        conv.agent_id = agent
        conv.agent_name = None
        conv.customer_id = customer
        conv.labels = labels
        conv._block = block
        conv._lo = lo
        conv._hi = at
        out[i] = conv
    return out


def gather(convs: list[Conversation]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The batch columns ``(texts, role, length, time, end, counts)`` of conversations of which at
    least one is a :class:`ColumnConversation`: consecutive messages of one block are taken as
    slices; other conversations' messages are read from their objects."""
    codes = {"customer": 0, "agent": 1, "bot": 2, "system": 3}
    texts: list[str] = []
    parts: list[tuple[np.ndarray, ...]] = []
    counts: list[int] = []
    B = len(convs)
    i = 0
    while i < B:
        block = getattr(convs[i], "_block", None)
        j = i
        if block is not None:
            lo = hi = convs[i]._lo
            while j < B:
                c = convs[j]
                if getattr(c, "_block", None) is not block or c._lo != hi:
                    break
                counts.append(c._hi - hi)
                hi = c._hi
                j += 1
            texts += block.texts[lo:hi]
            parts.append((block.role[lo:hi], block.length[lo:hi], block.time[lo:hi], block.end[lo:hi]))
        else:
            while j < B and getattr(convs[j], "_block", None) is None:
                j += 1
            msgs = [m for c in convs[i:j] for m in c.messages]
            counts += [len(c.messages) for c in convs[i:j]]
            seg = [m.text for m in msgs]
            texts += seg
            parts.append((
                np.array([codes[m.role] for m in msgs], dtype=np.int8),
                np.array([len(t) for t in seg], dtype=np.int64),
                np.array([np.nan if m.time is None else m.time for m in msgs], dtype=np.float64),
                np.array([np.nan if m.end is None else m.end for m in msgs], dtype=np.float64),
            ))
        i = j
    if len(parts) == 1:
        role, length, time, end = parts[0]
    else:
        role, length, time, end = (np.concatenate([p[k] for p in parts]) for k in range(4))
    return texts, role, length, time, end, np.array(counts, dtype=np.int64)


class Automaton:
    """An Aho-Corasick automaton over code points for the compiled core's :func:`scan`: every
    occurrence of every word, overlapping ones too (what :class:`.fast.Matcher` finds with any
    backend). Built here in Python (once per matcher), its tables flattened into int32 arrays.
    ``values`` are what an occurrence reports (default: the word's index); a word given twice keeps
    its last value, as pyahocorasick's ``add_word`` does. Empty words never match."""

    def __init__(self, words: list[str], values: list[int] | None = None):
        children: list[dict[int, int]] = [{}]
        out = [-1]
        depth = [0]
        for k, word in enumerate(words):
            if not word:
                continue
            node = 0
            for ch in word:
                c = ord(ch)
                nxt = children[node].get(c)
                if nxt is None:
                    nxt = len(children)
                    children[node][c] = nxt
                    children.append({})
                    out.append(-1)
                    depth.append(depth[node] + 1)
                node = nxt
            out[node] = k if values is None else values[k]
        size = len(children)
        fail = [0] * size
        link = [-1] * size
        queue = deque(children[0].values())
        while queue:
            u = queue.popleft()
            for c, v in children[u].items():
                if u:
                    f = fail[u]
                    while f and c not in children[f]:
                        f = fail[f]
                    fail[v] = children[f].get(c, 0)
                link[v] = fail[v] if out[fail[v]] >= 0 else link[fail[v]]
                queue.append(v)
        ptr = [0]
        cps: list[int] = []
        kids: list[int] = []
        for node in range(size):
            for c in sorted(children[node]):
                cps.append(c)
                kids.append(children[node][c])
            ptr.append(len(cps))
        root_next = np.zeros(0x10000, dtype=np.int32)
        for c, v in children[0].items():
            if c < 0x10000:
                root_next[c] = v
        i32 = np.int32
        self.tables = (root_next, np.array(ptr, dtype=i32), np.array(cps, dtype=i32), np.array(kids, dtype=i32),
                       np.array(fail, dtype=i32), np.array(out, dtype=i32), np.array(link, dtype=i32),
                       np.array(depth, dtype=i32))

    def scan(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """``(value, start)`` of every occurrence in ``text``, as int64 arrays, in order of their end."""
        values, starts = _native.ac_scan(text, *self.tables)
        return np.frombuffer(values, dtype=np.int64), np.frombuffer(starts, dtype=np.int64)
