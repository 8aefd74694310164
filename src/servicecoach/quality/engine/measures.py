"""What both evaluators share: the outcome of a rule set on one conversation, the three-valued logic,
message scopes, and the operators that are not text matching (timing, calls, counts, customer
emotion, conversation fields). Those are one pass over a conversation's messages each; there is no
faster way to write them, so the fast evaluator and the reference evaluator call the same code here.
Text matching (keywords, regex, context, sensitive data) is where the two differ.

Every operator returns ``(state, evidence)``: ``state`` is True (the condition holds), False, or
None (*not applicable*: the conversation lacks what the condition needs); ``evidence`` is a list of
``(message index, start, end)`` spans that made it hold."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .model import Conversation
from .rules import Call, Channel, Count, Emotion, Label, Scope, Timing

Span = tuple[int, int, int]
Result = tuple[bool | None, list[Span]]
NA: Result = (None, [])
FALSE: Result = (False, [])


@dataclass(slots=True)
class Outcome:
    """A rule set applied to one conversation."""

    states: dict[str, bool | None]  # rule id -> fired / not fired / not applicable, in rule order
    hits: list[tuple[str, int | None, int | None, int | None, str]] = field(default_factory=list)
    emotion: Any = None  # the EmotionResult, when computed

    @property
    def fired(self) -> list[str]:
        return [rule for rule, state in self.states.items() if state]

    @property
    def not_applicable(self) -> list[str]:
        return [rule for rule, state in self.states.items() if state is None]


def rule_hits(rule_id: str, conv: Conversation, evidence: list[Span]) -> list[tuple]:
    """The hits of a fired rule: its evidence spans, unique and in order; a rule that holds without a
    span (a missing greeting, a long conversation) gets one conversation-level hit."""
    if not evidence:
        return [(rule_id, None, None, None, "")]
    msgs = conv.messages
    return [(rule_id, mi, s, e, msgs[mi].text[s:e]) for mi, s, e in sorted(set(evidence))]


# --------------------------------------------------------------------------- three-valued logic


def and_states(states: list[bool | None]) -> bool | None:
    if any(s is False for s in states):
        return False
    if any(s is None for s in states):
        return None
    return True


def or_states(states: list[bool | None]) -> bool | None:
    if any(s is True for s in states):
        return True
    if any(s is None for s in states):
        return None
    return False


def not_state(state: bool | None) -> bool | None:
    return None if state is None else not state


# --------------------------------------------------------------------------- scopes


def scope_indices(conv: Conversation, scope: Scope, facts: Facts | None = None) -> list[int] | None:
    """Indices of the messages a text operator looks at, or None when the scope needs times the
    conversation lacks."""
    msgs = conv.messages
    if facts is not None:
        idx = facts.indices(scope.role)
    else:
        idx = [i for i, m in enumerate(msgs) if scope.role == "any" or m.role == scope.role]
    if scope.first is not None:
        return idx[: scope.first]
    if scope.last is not None:
        return idx[-scope.last :]
    if scope.needs_time:
        if not (facts.timed if facts is not None else conv.timed):
            return None
        if scope.first_seconds is not None:
            limit = msgs[0].time + scope.first_seconds
            return [i for i in idx if msgs[i].time <= limit]
        limit = max((m.end if m.end is not None else m.time) for m in msgs) - scope.last_seconds
        return [i for i in idx if msgs[i].time >= limit]
    return list(idx)


class Facts:
    """Facts about one conversation that several operators need, computed once when first asked."""

    __slots__ = ("conv", "_timed", "_call", "_waits", "_roles")

    def __init__(self, conv: Conversation):
        self.conv = conv
        self._timed: bool | None = None
        self._call: bool | None = None
        self._waits: tuple | None = None
        self._roles: dict[str, list[int]] | None = None

    def indices(self, role: str) -> list[int]:
        """Indices of the messages of ``role`` ("any": all of them). Do not modify the list."""
        if self._roles is None:
            roles: dict[str, list[int]] = {"any": list(range(len(self.conv.messages)))}
            for i, m in enumerate(self.conv.messages):
                roles.setdefault(m.role, []).append(i)
            self._roles = roles
        return self._roles.get(role, [])

    @property
    def timed(self) -> bool:
        if self._timed is None:
            self._timed = self.conv.timed
        return self._timed

    @property
    def call(self) -> bool:
        if self._call is None:
            self._call = self.conv.has_call_audio
        return self._call

    @property
    def waits(self) -> tuple[list[tuple[int, float]], int | None]:
        if self._waits is None:
            self._waits = customer_waits(self.conv)
        return self._waits


def _within(value: float, over: float | None, under: float | None) -> bool:
    return (over is None or value > over) and (under is None or value < under)


def _whole(conv: Conversation, i: int) -> Span:
    return (i, 0, len(conv.messages[i].text))


# --------------------------------------------------------------------------- timing


def customer_waits(conv: Conversation) -> tuple[list[tuple[int, float]], int | None]:
    """``([(agent message index, seconds the customer waited for it)...], index of the customer message
    still unanswered at the end or None)``. A wait starts at the first customer message after the
    last agent reply; bot and system messages do not answer."""
    waits: list[tuple[int, float]] = []
    since: int | None = None
    for i, m in enumerate(conv.messages):
        if m.role == "customer":
            if since is None:
                since = i
        elif m.role == "agent":
            if since is not None:
                waits.append((i, m.time - conv.messages[since].time))
                since = None
    return waits, since


def eval_timing(node: Timing, conv: Conversation, facts: Facts | None = None) -> Result:
    facts = facts or Facts(conv)
    msgs = conv.messages
    if node.metric == "left_waiting":
        talk = [i for i, m in enumerate(msgs) if m.role in ("customer", "agent")]
        if not talk:
            return NA
        last = talk[-1]
        return (True, [_whole(conv, last)]) if msgs[last].role == "customer" else FALSE
    if not facts.timed:
        return NA
    if node.metric == "duration":
        start = msgs[0].time
        stop = max((m.end if m.end is not None else m.time) for m in msgs)
        return (_within(stop - start, node.over, node.under), [])
    waits, _open_wait = facts.waits
    if node.metric == "first_response":
        first_customer = next((i for i, m in enumerate(msgs) if m.role == "customer"), None)
        if first_customer is None:
            return NA
        if not waits or waits[0][0] < first_customer:
            # never answered: as slow as can be (an `under` threshold is then not met)
            return (node.under is None, [_whole(conv, first_customer)] if node.under is None else [])
        i, wait = waits[0]
        return (True, [_whole(conv, i)]) if _within(wait, node.over, node.under) else FALSE
    if node.metric == "reply_latency":
        slow = [i for i, wait in waits if _within(wait, node.over, node.under)]
        return (True, [_whole(conv, i) for i in slow]) if len(slow) >= node.count else FALSE
    # longest_wait
    if not waits:
        return NA
    i, wait = max(waits, key=lambda w: (w[1], -w[0]))
    return (True, [_whole(conv, i)]) if _within(wait, node.over, node.under) else FALSE


# --------------------------------------------------------------------------- calls


def eval_call(node: Call, conv: Conversation, facts: Facts | None = None) -> Result:
    if not (facts.call if facts is not None else conv.has_call_audio):
        return NA
    msgs = conv.messages
    role = node.role
    if node.metric == "silence":
        gaps = [
            i for i in range(1, len(msgs))
            if (role == "any" or msgs[i].role == role) and _within(msgs[i].time - msgs[i - 1].end, node.over, node.under)
        ]
        return (True, [_whole(conv, i) for i in gaps]) if len(gaps) >= node.count else FALSE
    if node.metric == "overlap":
        found = []
        for i in range(1, len(msgs)):
            prev, cur = msgs[i - 1], msgs[i]
            if prev.role == cur.role or (role != "any" and cur.role != role):
                continue
            overlap = min(prev.end, cur.end) - cur.time
            if overlap > 0 and _within(overlap, node.over, node.under):
                found.append(i)
        return (True, [_whole(conv, i) for i in found]) if len(found) >= node.count else FALSE
    # speech_rate, characters per minute
    timed = [i for i, m in enumerate(msgs) if (role == "any" or m.role == role) and m.end > m.time and m.text]
    if not timed:
        return NA
    if node.per == "average":
        chars = sum(len(msgs[i].text) for i in timed)
        minutes = sum(msgs[i].end - msgs[i].time for i in timed) / 60
        return (_within(chars / minutes, node.over, node.under), [])
    fast = [i for i in timed if _within(len(msgs[i].text) * 60 / (msgs[i].end - msgs[i].time), node.over, node.under)]
    return (True, [_whole(conv, i) for i in fast]) if len(fast) >= node.count else FALSE


# --------------------------------------------------------------------------- counts

_SENTENCE = re.compile(r"([^，,。！？!?；;\n.…]+)([，,。！？!?；;\n.…]*)")
_SPLIT = re.compile(r"([，,。！？!?；;\n.…]+)")
_STRIP = re.compile(r"[\W_]+")
QUESTION_WORDS = ("吗", "呢", "么", "怎么", "为什么", "什么", "多久", "几时", "是否", "能不能", "可不可以", "哪")
_QUESTION = re.compile("|".join(QUESTION_WORDS))


def _sentence(m: re.Match, min_length: int, questions_only: bool) -> tuple[int, int, str, bool] | None:
    body = m.group(1)
    if len(body) < min_length:  # normalising only shortens it
        return None
    question = "?" in m.group(2) or "？" in m.group(2) or _QUESTION.search(body) is not None
    if questions_only and not question:
        return None
    norm = _STRIP.sub("", body).lower()
    if len(norm) < min_length:
        return None
    lead = len(body) - len(body.lstrip())
    return (m.start(1) + lead, m.start(1) + len(body.rstrip()), norm, question)


def sentences(text: str, min_length: int = 1, questions_only: bool = False) -> list[tuple[int, int, str, bool]]:
    """``(start, end, normalised text, is a question)`` for each clause of a message (split at
    commas and sentence marks; normalised: no spaces or punctuation, lower case) at least
    ``min_length`` characters long once normalised."""
    out = []
    for m in _SENTENCE.finditer(text):
        found = _sentence(m, min_length, questions_only)
        if found is not None:
            out.append(found)
    return out


def eval_count(node: Count, conv: Conversation, facts: Facts | None = None) -> Result:
    msgs = conv.messages
    idx = (facts or Facts(conv)).indices(node.role)
    if node.metric == "messages":
        return (_within(len(idx), node.over, node.under), [])
    if node.metric == "message_length":
        long = [i for i in idx if _within(len(msgs[i].text), node.over, node.under)]
        return (True, [_whole(conv, i) for i in long]) if len(long) >= node.count else FALSE
    # repeat: the same clause (normalised) said `times` times or more; one pass over re.split parts,
    # which concatenate back to the text, so each clause's offset is the running sum of lengths
    minimum, questions_only = node.min_length, node.questions_only
    seen: dict[str, list[Span]] = {}
    for i in idx:
        parts = _SPLIT.split(msgs[i].text)  # clause, marks, clause, marks, ..., clause
        pos = 0
        for k in range(0, len(parts), 2):
            body = parts[k]
            start = pos
            pos += len(body) + (len(parts[k + 1]) if k + 1 < len(parts) else 0)
            if len(body) < minimum:  # normalising only shortens it
                continue
            if questions_only:
                marks = parts[k + 1] if k + 1 < len(parts) else ""
                if not ("?" in marks or "？" in marks or _QUESTION.search(body) is not None):
                    continue
            norm = _STRIP.sub("", body).lower()
            if len(norm) < minimum:
                continue
            lead = len(body) - len(body.lstrip())
            span = (i, start + lead, start + len(body.rstrip()))
            found = seen.get(norm)
            if found is None:
                seen[norm] = [span]
            else:
                found.append(span)
    evidence = [span for spans in seen.values() if len(spans) >= node.times for span in spans]
    return (True, evidence) if evidence else FALSE


# --------------------------------------------------------------------------- emotion and fields


def eval_emotion(node: Emotion, conv: Conversation, analyse: Callable[[Conversation], Any]) -> Result:
    if not any(m.role == "customer" for m in conv.messages):
        return NA
    result = analyse(conv)
    if node.trend is not None and result.trend is None:
        return NA
    ok = (node.over is None or result.score > node.over) and (node.trend is None or result.trend == node.trend)
    if not ok:
        return FALSE
    # the negative words are the evidence (positive ones carry a negative weight)
    return (True, [(h.message, h.start, h.end) for h in result.hits if h.weight > 0 and h.end > h.start])


def eval_channel(node: Channel, conv: Conversation) -> Result:
    if conv.channel in node.channels:
        return (True, [])
    return NA if node.otherwise is None else FALSE


_MISSING = object()


def label_value(labels: dict, path: tuple[str, ...]) -> Any:
    value: Any = labels
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return _MISSING if value is None else value


def eval_label(node: Label, conv: Conversation) -> Result:
    value = label_value(conv.labels, node.path)
    if value is _MISSING:
        return NA
    op, want = node.op, node.value
    if op in ("lt", "lte", "gt", "gte"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return NA
        ok = {"lt": value < want, "lte": value <= want, "gt": value > want, "gte": value >= want}[op]
    elif op == "contains":
        if isinstance(value, str):
            ok = isinstance(want, str) and want in value
        elif isinstance(value, list):
            ok = want in value
        else:
            return NA
    elif op == "in":
        ok = value in want
    else:
        ok = (value == want) if op == "eq" else (value != want)
    return (bool(ok), [])
