"""Customer emotion: how negative the customer is over a conversation, from a lexicon.

Scale (see docs/qa-emotion.md): 0 = calm; about 1-2 = a mildly negative message (one mild word:
慢, 麻烦, problem); about 3-4 = clearly angry (垃圾, 骗子, 投诉 with an exclamation mark); 6 and above
= furious or threatening to escalate (12315, 曝光, several strong words, ！！！). It is unbounded above:
every further strong word adds to it.

How a customer message is scored:

1. One multi-pattern matcher (pyahocorasick when importable, else a pure-Python trie) finds every
   lexicon phrase; at each place the longest phrase wins (不满意 beats 满意, 麻烦您 is neutral).
   English phrases count on whole words only, case-insensitively.
2. A negative phrase counts its intensity; negation just before it (不生气, not angry) cancels it,
   degree adverbs (非常, 太, extremely) multiply it. A positive phrase (谢谢, 解决了, thanks) counts
   against the score, or for it when negated (不太满意, not resolved). Rhetorical questions (凭什么,
   到底, how dare) add their weight whatever precedes them.
3. Exclamation marks, runs of ！！！/？？？ and English written in capitals amplify the negative sum;
   a run of question or exclamation marks also adds a little on its own.
4. An open question (？) or a trailing ellipsis (……) adds a little: the customer is not settled.
5. The message's net score is negative x amplification + punctuation - positive. It is reported
   clipped at 0 (``per_message``), but the net value is what the conversation score averages, so a
   closing "已解决，谢谢" does offset an earlier complaint.

A conversation's score is a recency-weighted mean of the net scores of its customer messages (each
earlier message counts half as much as the next one: how the customer ends up matters most for
satisfaction), clipped at 0. Non-customer messages are ignored and score 0.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import native
from .model import Conversation

try:
    from . import _emotion  # type: ignore[attr-defined]
except ImportError:  # not built (no C compiler when installed): analyse_batch's numpy path
    _emotion = None

LEXICON_DIR = Path(__file__).with_name("lexicons")
KINDS = ("negative", "positive", "neutral", "negation", "degree", "rhetorical")
# kinds whose entries carry a number (intensity, strength or multiplier); the others are bare phrases
_WEIGHTED = frozenset({"negative", "positive", "degree", "rhetorical"})

# Tuned on the even-numbered half of the STC-3 DCH-1 dialogues only (benchmarks/emotion_eval.py);
# the odd half is held out.
RECENCY_DECAY = 0.5  # weight of a customer message relative to the next one
NEGATED_POSITIVE = 0.8  # a negated positive phrase counts this share of its strength as negative
MAX_DEGREE = 2.5
EXCLAMATION_AMP = 0.1  # per ！, up to 5
RUN_AMP = 0.2  # per run of two or more ！/？, up to 3
RUN_BASE = 0.3  # score of a run of ？？？ or ！！！ by itself, up to 2 runs
QUESTION_BASE = 0.5  # per ？ in a customer message, up to 3: a customer still asking is not settled
ELLIPSIS_BASE = 0.3  # …… or ...: trailing off, exasperated
SHOUT_AMP = 0.3  # English in capitals (two shouted words, or one of 4+ letters, in a mostly-English message)
SHOUT_BASE = 0.5
TREND_THRESHOLD = 0.5  # change of the mean message score from the first to the second half
MAX_GAP = 2  # between modifiers and their phrase: one Chinese character (2) or two English words (1 each)
_MARK_RE = re.compile(r"[!！?？…]|\.\.\.")

_CLAUSE_BREAK = frozenset("，。！？；：,.!?;:…\n、~～")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_RUN_RE = re.compile(r"[!！?？]{2,}")
_LETTERS_RE = re.compile(r"[A-Za-z]")
_SHOUT_RE = re.compile(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])")
_ACRONYMS = frozenset({"OK", "ID", "VIP", "APP", "USB", "SIM", "PC", "TV", "QQ", "CEO", "FAQ", "SMS", "GPS"})

NEGATIVE, POSITIVE, NEUTRAL, NEGATION, DEGREE, RHETORICAL = range(6)
_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}


class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message names the file and line."""


@dataclass(slots=True, frozen=True)
class Entry:
    term: str
    kind: int  # NEGATIVE, POSITIVE, ...
    weight: float
    word_bounded_start: bool  # English: must start at a word boundary
    word_bounded_end: bool
    origin: str  # file:line


@dataclass(slots=True)
class EmotionHit:
    message: int  # index of the message in the conversation
    start: int  # character span in that message's text
    end: int
    text: str
    weight: float  # >0 adds to the negative score, <0 calms it


@dataclass(slots=True)
class EmotionResult:
    score: float  # 0 = calm, higher = more negative (unbounded)
    trend: str | None  # "rising", "falling", "flat"; None with fewer than 2 customer messages
    per_message: list[float]  # one per message; 0.0 for non-customer messages
    hits: list[EmotionHit] = field(default_factory=list)
    peak: float = 0.0  # most negative customer message
    last: float = 0.0  # last customer message


# --------------------------------------------------------------------------- lexicon


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _parse_lexicon_file(path: Path, kind: str) -> list[Entry]:
    entries = []
    weighted = kind in _WEIGHTED
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read: {exc}") from None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("# ") or line == "#":
            continue
        origin = f"{path}:{number}"
        term, weight = line, 0.0
        if not weighted and "\t" in line:
            raise LexiconError(f"{origin}: {line!r}: {kind} phrases take no number")
        if weighted:
            if "\t" in line:
                term, _, value = line.rpartition("\t")
            else:
                term, _, value = line.rpartition(" ")
            term = term.strip()
            try:
                weight = float(value)
            except ValueError:
                raise LexiconError(f"{origin}: {line!r}: expected a phrase, a tab, then a number") from None
            if not term:
                raise LexiconError(f"{origin}: {line!r}: the phrase is empty")
            if weight < 0:
                raise LexiconError(f"{origin}: {term!r}: the number must not be negative")
        term = term.translate(_ASCII_LOWER)
        entries.append(
            Entry(
                term=term,
                kind=_KIND_CODE[kind],
                weight=weight,
                word_bounded_start=_is_word_char(term[0]),
                word_bounded_end=_is_word_char(term[-1]),
                origin=origin,
            )
        )
    return entries


class Lexicon:
    """Every phrase of every list. Emotion phrases (negative, positive, rhetorical) and neutral ones
    compile into one multi-pattern matcher; modifiers (negation, degree) are looked up just before
    each emotion phrase found, so the very common 不/没/很 cost nothing where no emotion word follows.

    Files are ``<kind>_<name>.txt`` with kind one of negative, positive, neutral, negation, degree,
    rhetorical. A phrase may appear once in a directory; a later directory overrides an earlier
    one (that is how a deployment adds or re-weights words)."""

    def __init__(self, entries: Sequence[Entry], *, use_automaton: bool | None = None):
        self.entries = [e for e in entries if e.kind not in (NEGATION, DEGREE)]
        self.modifiers = {e.term: e for e in entries if e.kind in (NEGATION, DEGREE)}
        self.modifier_lengths = sorted({len(t) for t in self.modifiers}, reverse=True)
        self._last_chars = frozenset(t[-1] for t in self.modifiers)
        # the lengths worth trying before a character: those of the modifiers ending with it
        self._lengths_by_last = {
            ch: [n for n in self.modifier_lengths if any(len(t) == n and t[-1] == ch for t in self.modifiers)]
            for ch in self._last_chars
        }
        self.matcher = make_matcher([e.term for e in self.entries], use_automaton=use_automaton)

    @classmethod
    def load(cls, *dirs: str | Path, use_automaton: bool | None = None) -> Lexicon:
        by_term: dict[str, Entry] = {}
        for directory in dirs or (LEXICON_DIR,):
            directory = Path(directory)
            files = sorted(directory.glob("*.txt"))
            if not files:
                raise LexiconError(f"{directory}: no lexicon files (<kind>_<name>.txt)")
            in_this_dir: dict[str, Entry] = {}
            for path in files:
                kind = path.stem.split("_", 1)[0]
                if kind not in _KIND_CODE:
                    raise LexiconError(f"{path}: the file name must start with one of {', '.join(KINDS)}")
                for entry in _parse_lexicon_file(path, kind):
                    if entry.term in in_this_dir:
                        raise LexiconError(
                            f"{entry.origin}: {entry.term!r} is already listed at {in_this_dir[entry.term].origin}"
                        )
                    in_this_dir[entry.term] = entry
            by_term.update(in_this_dir)
        return cls(list(by_term.values()), use_automaton=use_automaton)

    @staticmethod
    def lower(text: str) -> str:
        lowered = text.lower()
        if len(lowered) != len(text):  # a few non-ASCII letters change length when lowered
            lowered = text.translate(_ASCII_LOWER)
        return lowered

    def tokens(self, lowered: str) -> list[tuple[int, int, Entry]]:
        """Leftmost-longest, non-overlapping emotion and neutral phrases in ``lowered`` (a text
        passed through :meth:`lower`) as (start, end, entry)."""
        entries = self.entries
        found = []
        n = len(lowered)
        for start, end, index in self.matcher(lowered):
            entry = entries[index]
            if entry.word_bounded_start and start > 0 and _is_word_char(lowered[start - 1]):
                continue
            if entry.word_bounded_end and end < n and _is_word_char(lowered[end]):
                continue
            found.append((start, -end, index))
        if not found:
            return []
        found.sort()
        out = []
        covered = 0
        for start, neg_end, index in found:
            if start >= covered:
                out.append((start, -neg_end, entries[index]))
                covered = -neg_end
        return out

    def modifiers_before(self, lowered: str, start: int, floor: int) -> tuple[bool, float, int]:
        """Negation and degree words just before ``start`` (not before ``floor``): (negated, degree
        multiplier, where the chain begins). Up to one Chinese character or two English words may
        sit between them (不是在生气, not at all happy); a punctuation mark ends the search."""
        negated = False
        degree = 1.0
        if start <= floor:
            return False, 1.0, start
        # Most emotion words have no modifier: a quick look at the two characters before says so.
        last_chars = self._last_chars
        before = lowered[start - 1]
        if before not in last_chars and not before.isascii():
            if before in _CLAUSE_BREAK or start - 2 < floor or lowered[start - 2] not in last_chars:
                return False, 1.0, start
        begin = pos = start
        gap = 0
        modifiers = self.modifiers
        by_last = self._lengths_by_last
        while pos > floor:
            p = pos
            while p > floor and lowered[p - 1] == " ":
                p -= 1
            found = None
            for length in by_last.get(lowered[p - 1], ()) if p > floor else ():
                if p - length < floor:
                    continue
                entry = modifiers.get(lowered[p - length : p])
                if entry is None:
                    continue
                if entry.word_bounded_end and p < len(lowered) and _is_word_char(lowered[p]):
                    continue
                if entry.word_bounded_start and p - length > 0 and _is_word_char(lowered[p - length - 1]):
                    continue
                found = entry
                break
            if found is not None:
                if found.kind == NEGATION:
                    negated = not negated
                else:
                    degree *= found.weight
                begin = pos = p - len(found.term)
                continue
            if p <= floor or lowered[p - 1] in _CLAUSE_BREAK:
                break
            if _is_word_char(lowered[p - 1]) or lowered[p - 1] == "'":
                while p > floor and (_is_word_char(lowered[p - 1]) or lowered[p - 1] == "'"):
                    p -= 1
                gap += 1
            else:
                p -= 1
                gap += 2
            if gap > MAX_GAP:
                break
            pos = p
        return negated, degree, begin


# --------------------------------------------------------------------------- matchers


def make_matcher(terms: Sequence[str], *, use_automaton: bool | None = None):
    """A function text -> list of (start, end, index of the term) for every occurrence of every
    term, in character offsets. Uses pyahocorasick when importable (``use_automaton=None``) or when
    told to (True); False forces the pure-Python trie."""
    if use_automaton is None or use_automaton:
        try:
            import ahocorasick
        except ImportError:
            if use_automaton:
                raise
        else:
            return _automaton_matcher(ahocorasick, terms)
    return _trie_matcher(terms)


def _automaton_matcher(ahocorasick, terms: Sequence[str]):
    # The automaton runs over the UTF-8 bytes (spelt as Latin-1 characters): with ~1,000 different
    # first characters the root of a character automaton is slow to search, a byte one is not
    # (2-3x faster on Chinese text). Offsets are turned back into characters afterwards.
    automaton = ahocorasick.Automaton()
    for index, term in enumerate(terms):
        key = term.encode("utf-8", "surrogatepass").decode("latin-1")
        automaton.add_word(key, (index, len(key), len(term)))
    automaton.make_automaton()
    iterate = automaton.iter

    def match(text: str) -> list[tuple[int, int, int]]:
        if not text:
            return []
        if text.isascii():
            return [(last + 1 - blen, last + 1, index) for last, (index, blen, _) in iterate(text)]
        raw = text.encode("utf-8", "surrogatepass")
        found = sorted(
            (last + 1 - blen, index, clen) for last, (index, blen, clen) in iterate(raw.decode("latin-1"))
        )
        out = []
        byte_at = char_at = 0
        for bstart, index, clen in found:
            if bstart != byte_at:
                char_at += len(raw[byte_at:bstart].decode("utf-8", "surrogatepass"))
                byte_at = bstart
            out.append((char_at, char_at + clen, index))
        return out

    match.kind = "pyahocorasick"
    return match


_END = object()


def _trie_matcher(terms: Sequence[str]):
    root: dict = {}
    for index, term in enumerate(terms):
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[_END] = index

    def match(text: str) -> list[tuple[int, int, int]]:
        out = []
        for start in range(len(text)):
            node = root.get(text[start])
            end = start + 1
            while node is not None:
                index = node.get(_END)
                if index is not None:
                    out.append((start, end, index))
                if end >= len(text):
                    break
                node = node.get(text[end])
                end += 1
        return out

    match.kind = "python"
    return match


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon.load(LEXICON_DIR)


# --------------------------------------------------------------------------- scoring


def score_message(text: str, lexicon: Lexicon, message: int = 0) -> tuple[float, list[EmotionHit]]:
    """Score one customer message: (net score, hits). The net score is below 0 when calming words
    outweigh the negative ones; :func:`analyse` reports it clipped at 0."""
    lowered = lexicon.lower(text)
    return _score_tokens(text, lowered, lexicon.tokens(lowered), lexicon, message)


def _score_tokens(
    text: str, lowered: str, tokens: list[tuple[int, int, Entry]], lexicon: Lexicon, message: int
) -> tuple[float, list[EmotionHit]]:
    negative = positive = 0.0
    hits: list[EmotionHit] = []
    floor = 0
    for start, end, entry in tokens:
        kind = entry.kind
        previous_end, floor = floor, end
        if kind == NEUTRAL:
            continue
        weight = entry.weight
        if kind != RHETORICAL:
            negated, degree, start = lexicon.modifiers_before(lowered, start, previous_end)
            weight *= min(degree, MAX_DEGREE)
            if negated:
                if kind == NEGATIVE:
                    continue  # 不生气: calm
                kind = NEGATIVE  # 不满意 that the list does not spell out, not resolved
                weight *= NEGATED_POSITIVE
        if weight == 0.0:
            continue
        if kind == POSITIVE:
            positive += weight
            hits.append(EmotionHit(message, start, end, text[start:end], -weight))
        else:
            negative += weight
            hits.append(EmotionHit(message, start, end, text[start:end], weight))

    amp = 1.0
    base = 0.0
    if _MARK_RE.search(text):
        excl = text.count("!") + text.count("！")
        questions = text.count("?") + text.count("？")
        if excl:
            amp += EXCLAMATION_AMP * min(excl, 5)
        if excl + questions >= 2:
            runs = list(_RUN_RE.finditer(text))
            if runs:
                amp += RUN_AMP * min(len(runs), 3)
                for run in runs[:2]:
                    base += RUN_BASE
                    hits.append(EmotionHit(message, run.start(), run.end(), run.group(), RUN_BASE))
        if questions:
            base += QUESTION_BASE * min(questions, 3)
        if "…" in text or "..." in text:
            base += ELLIPSIS_BASE
    if lowered != text:
        shouted = [m for m in _SHOUT_RE.finditer(text) if m.group() not in _ACRONYMS]
        if shouted and (len(shouted) >= 2 or len(shouted[0].group()) >= 4):
            letters = len(_LETTERS_RE.findall(text))
            if letters * 2 >= len(text.strip()):
                amp += SHOUT_AMP
                base += SHOUT_BASE
                for m in shouted:
                    hits.append(EmotionHit(message, m.start(), m.end(), m.group(), SHOUT_BASE / len(shouted)))
    raw = negative * amp + base
    # Net of calming words: below 0 when the customer thanks or confirms more than they complain.
    return raw - positive, hits


def _trend(scores: list[float]) -> str | None:
    n = len(scores)
    if n < 2:
        return None
    half = n // 2
    first = sum(scores[:half]) / half
    second = sum(scores[n - half :]) / half
    change = second - first
    if change > TREND_THRESHOLD:
        return "rising"
    if change < -TREND_THRESHOLD:
        return "falling"
    return "flat"


def combine(scores: Sequence[float]) -> float:
    """A conversation's score from its customer messages' scores, in order."""
    if not scores:
        return 0.0
    weight = 1.0
    total = norm = 0.0
    for s in reversed(scores):
        total += weight * s
        norm += weight
        weight *= RECENCY_DECAY
    score = total / norm
    return score if score > 0.0 else 0.0


def analyse(conversation: Conversation, *, lexicon: Lexicon | None = None) -> EmotionResult:
    """The customer's emotion over ``conversation`` (see the module's docstring for the scale)."""
    lexicon = lexicon or default_lexicon()
    messages = conversation.messages
    per_message = [0.0] * len(messages)
    customer = [i for i, m in enumerate(messages) if m.role == "customer"]
    if not customer:
        return EmotionResult(score=0.0, trend=None, per_message=per_message)
    # One matcher call for all the customer's messages: no phrase spans the newline between them.
    texts = [messages[i].text for i in customer]
    lowered = lexicon.lower("\n".join(texts))
    tokens = lexicon.tokens(lowered)
    hits: list[EmotionHit] = []
    scores: list[float] = []
    offset = 0
    t = 0
    n_tokens = len(tokens)
    for i, text in zip(customer, texts):
        end = offset + len(text)
        mine = []
        while t < n_tokens and tokens[t][0] < end:
            start, stop, entry = tokens[t]
            mine.append((start - offset, stop - offset, entry))
            t += 1
        low = lowered[offset:end]
        if mine or low != text or _MARK_RE.search(text):
            score, message_hits = _score_tokens(text, low, mine, lexicon, i)
            hits.extend(message_hits)
        else:
            score = 0.0
        per_message[i] = score if score > 0.0 else 0.0
        scores.append(score)
        offset = end + 1
    return EmotionResult(
        score=round(combine(scores), 6),
        trend=_trend(scores),
        per_message=per_message,
        hits=hits,
        peak=max(0.0, max(scores)),
        last=max(0.0, scores[-1]),
    )


def crude_count(conversation: Conversation, *, lexicon: Lexicon | None = None) -> int:
    """The crude baseline of the evaluation: how many negative lexicon phrases the customer's text
    contains, with no modifiers, weights, punctuation or recency."""
    lexicon = lexicon or default_lexicon()
    count = 0
    for message in conversation.messages:
        if message.role == "customer":
            tokens = lexicon.tokens(lexicon.lower(message.text))
            count += sum(1 for _, _, entry in tokens if entry.kind == NEGATIVE)
    return count


# --------------------------------------------------------------------------- batches


def _codes(text: str):
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _batch_arrays(lexicon: Lexicon):
    """Per-lexicon arrays for :func:`analyse_batch`, built once."""
    got = getattr(lexicon, "_batch", None)
    if got is None:
        import numpy as np

        entries = lexicon.entries
        got = {
            "kind": np.array([e.kind for e in entries], dtype=np.int64),
            "weight": np.array([e.weight for e in entries], dtype=np.float64),
            "bstart": np.array([e.word_bounded_start for e in entries], dtype=bool),
            "bend": np.array([e.word_bounded_end for e in entries], dtype=bool),
            "clen": np.array([len(e.term) for e in entries], dtype=np.int64),
            "blen": np.array([len(e.term.encode("utf-8", "surrogatepass")) for e in entries], dtype=np.int64),
            "last": np.array(sorted(ord(c) for c in lexicon._last_chars), dtype=np.uint32),
            "breaks": np.array(sorted(ord(c) for c in _CLAUSE_BREAK), dtype=np.uint32),
            "automaton": None,
        }
        if getattr(lexicon.matcher, "kind", "") == "pyahocorasick":
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for index, entry in enumerate(entries):
                automaton.add_word(entry.term.encode("utf-8", "surrogatepass").decode("latin-1"), index)
            automaton.make_automaton()
            got["automaton"] = automaton
        lexicon._batch = got
    return got


def _raw_matches(lexicon: Lexicon, arrays: dict, lowered: str, code: Any):
    """Every lexicon phrase in ``lowered``: arrays (start, end, entry index), character offsets."""
    import numpy as np

    automaton = arrays["automaton"]
    if automaton is not None and native.enabled():
        # the compiled core's automaton over code points: the same occurrences as pyahocorasick's over
        # UTF-8 (a term's UTF-8 can only match at a character's first byte), a duplicate term keeping
        # its last entry as add_word does
        got = arrays.get("native")
        if got is None:
            got = arrays["native"] = native.Automaton([e.term for e in lexicon.entries],
                                                      list(range(len(lexicon.entries))))
        index, start = got.scan(lowered)
        return start, start + arrays["clen"][index], index
    if automaton is None:
        found = lexicon.matcher(lowered)
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        arr = np.array(found, dtype=np.int64)
        return arr[:, 0], arr[:, 1], arr[:, 2]
    raw = lowered.encode("utf-8", "surrogatepass")
    flat = np.fromiter(itertools.chain.from_iterable(automaton.iter(raw.decode("latin-1"))), dtype=np.int64)
    if not len(flat):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    arr = flat.reshape(-1, 2)  # (last byte, entry index) per match
    index = arr[:, 1]
    bstart = arr[:, 0] + 1 - arrays["blen"][index]
    if len(raw) == len(lowered):  # ASCII: bytes are characters
        start = bstart
    else:  # a phrase starts on a character: find it among the characters' first bytes
        width = 1 + (code >= 0x80).astype(np.int64) + (code >= 0x800) + (code >= 0x10000)
        first_byte = np.zeros(len(code), dtype=np.int64)
        np.cumsum(width[:-1], out=first_byte[1:])
        start = np.searchsorted(first_byte, bstart)
    return start, start + arrays["clen"][index], index


def _is_word(codes):
    return (codes < 128) & (
        ((codes >= 0x30) & (codes <= 0x39)) | ((codes >= 0x41) & (codes <= 0x5A)) | ((codes >= 0x61) & (codes <= 0x7A))
    )


_VECTOR_COMBINE = 64  # conversations with more customer messages are combined one by one


# --------------------------------------------------------------------------- the compiled batch

TREND_NAMES = ("flat", "rising", "falling")  # EmotionBatch.trend_codes: -1 None, else an index here


def compiled_available() -> bool:
    """Whether the compiled emotion core (engine/_emotion.c) is built and the compiled core is on
    (:func:`.native.enabled`: ``SERVICECOACH_QA_NATIVE=0`` switches it off too)."""
    return _emotion is not None and native.enabled()


def _native_tables(lexicon: Lexicon) -> tuple:
    """The lexicon's tables for ``_emotion.analyse`` (see the top of _emotion.c), built once."""
    arrays = _batch_arrays(lexicon)
    got = arrays.get("c_tables")
    if got is None:
        import numpy as np

        entries = lexicon.entries
        terms = [e.term for e in entries]
        # a phrase listed twice keeps its last entry, as both matchers of Lexicon.tokens do
        phrases = native.Automaton(terms)
        mods = list(lexicon.modifiers.values())
        backwards = native.Automaton([m.term[::-1] for m in mods])
        root_next, ptr, cps, kids, _fail, out, _link, _depth = backwards.tables
        got = arrays["c_tables"] = (
            *phrases.tables,
            np.array([e.kind for e in entries], dtype=np.int8),
            np.array([e.weight for e in entries], dtype=np.float64),
            np.array([e.word_bounded_start for e in entries], dtype=np.uint8),
            np.array([e.word_bounded_end for e in entries], dtype=np.uint8),
            np.array([len(e.term) for e in entries], dtype=np.int64),
            root_next, ptr, cps, kids, out,
            np.array([m.kind for m in mods], dtype=np.int8),
            np.array([m.weight for m in mods], dtype=np.float64),
            np.array([m.word_bounded_start for m in mods], dtype=np.uint8),
            np.array([m.word_bounded_end for m in mods], dtype=np.uint8),
            np.array([len(m.term) for m in mods], dtype=np.int64),
        )
    return got


class EmotionBatch(Sequence):
    """The customer emotion of a batch as the compiled core computed it: arrays, and each
    conversation's :class:`EmotionResult` made only when asked for (indexing, iterating).

    ``scores`` (float64, one per conversation: ``EmotionResult.score``, 0.0 without customer
    messages), ``trend_codes`` (int8: -1 for None, else an index into :data:`TREND_NAMES`),
    ``trends`` (the names, a list). Equal to :func:`analyse` conversation by conversation (the
    tests in tests/quality/engine/test_native_emotion.py hold them equal)."""

    def __init__(self, raw: tuple, first: Any, cust: Any, all_texts: Sequence[str]):
        import numpy as np

        score, trend, net, hit_conv, hit_msg, hit_start, hit_end, hit_weight = raw
        self.scores = np.frombuffer(score, dtype=np.float64)
        self.trend_codes = np.frombuffer(trend, dtype=np.int8)
        self._net = np.frombuffer(net, dtype=np.float64)
        self._hits = tuple(np.frombuffer(a, dtype=np.int64) for a in (hit_conv, hit_msg, hit_start, hit_end))
        self._hit_weight = np.frombuffer(hit_weight, dtype=np.float64)
        self._first = first
        self._cust = cust
        self._texts = all_texts
        self._made: dict[int, EmotionResult] = {}
        self._lists: tuple | None = None

    def __len__(self) -> int:
        return len(self.scores)

    @property
    def trends(self) -> list[str | None]:
        names = (*TREND_NAMES, None)  # -1 picks None
        return [names[c] for c in self.trend_codes.tolist()]

    def __getitem__(self, ci):  # type: ignore[override]
        if isinstance(ci, slice):
            return [self[i] for i in range(*ci.indices(len(self)))]
        B = len(self.scores)
        if ci < 0:
            ci += B
        if not 0 <= ci < B:
            raise IndexError("conversation index out of range")
        got = self._made.get(ci)
        if got is None:
            got = self._made[ci] = self._make(ci)
        return got

    def __iter__(self):
        for ci in range(len(self.scores)):
            yield self[ci]

    def _make(self, ci: int) -> EmotionResult:
        lists = self._lists
        if lists is None:
            lists = self._lists = self._as_lists()
        kb, hb, first, cust, net, h_msg, h_start, h_end, h_weight, trends, scores = lists
        lo, hi = first[ci], first[ci + 1]
        per = [0.0] * (hi - lo)
        k0, k1 = kb[ci], kb[ci + 1]
        if k0 == k1:
            return EmotionResult(score=0.0, trend=None, per_message=per)
        mine = net[k0:k1]
        for g, score in zip(cust[k0:k1], mine):
            per[g - lo] = score if score > 0.0 else 0.0
        texts = self._texts
        hits = [EmotionHit(m, s, e, texts[lo + m][s:e], w) for m, s, e, w in
                zip(h_msg[hb[ci] : hb[ci + 1]], h_start[hb[ci] : hb[ci + 1]], h_end[hb[ci] : hb[ci + 1]],
                    h_weight[hb[ci] : hb[ci + 1]])]
        return EmotionResult(
            score=scores[ci], trend=trends[ci], per_message=per, hits=hits,
            peak=max(0.0, max(mine)), last=max(0.0, mine[-1]),
        )

    def _as_lists(self) -> tuple:
        import numpy as np

        conv, msg, start, end = self._hits
        return (
            np.searchsorted(self._cust, self._first).tolist(),
            np.searchsorted(conv, np.arange(len(self.scores) + 1)).tolist(),
            self._first.tolist(), self._cust.tolist(), self._net.tolist(),
            msg.tolist(), start.tolist(), end.tolist(), self._hit_weight.tolist(),
            self.trends, self.scores.tolist(),
        )

    def rule_states(self, over: Any, trend: str | None, has: Any) -> tuple[Any, Any]:
        """:func:`.measures.eval_emotion` for every conversation: (states int8: 1, 0, -1 not applicable;
        evidence rows (conversation, message, start, end): the negative phrases of those that hold,
        in the order of their hits). ``has``: whether each conversation has a customer message."""
        import numpy as np

        codes = self.trend_codes
        applicable = has & (codes >= 0) if trend is not None else has.copy()
        ok = applicable.copy()
        if over is not None:
            if type(over) is float or (type(over) is int and -(2**53) <= over <= 2**53):
                ok &= self.scores > over
            else:  # compared as Python compares them
                ok &= np.array([s > over for s in self.scores.tolist()], dtype=bool)
        if trend is not None:
            ok &= codes == (TREND_NAMES.index(trend) if trend in TREND_NAMES else -2)
        state = np.where(applicable, ok.astype(np.int8), np.int8(-1)).astype(np.int8)
        conv, msg, start, end = self._hits
        sel = (self._hit_weight > 0) & (end > start)
        if len(conv):
            sel &= ok[conv]
        if not sel.any():
            return state, np.zeros((0, 4), dtype=np.int64)
        return state, np.stack([conv[sel], msg[sel], start[sel], end[sel]], axis=1)


def analyse_columns(first: Any, cust: Any, all_texts: Sequence[str], *, lexicon: Lexicon | None = None) -> EmotionBatch:
    """The compiled :func:`analyse_batch` over a batch's columns (see there); requires
    :func:`compiled_available`. Lowering stays in Python (``str.lower``, as :func:`analyse`)."""
    import numpy as np

    lexicon = lexicon or default_lexicon()
    first = np.ascontiguousarray(first, dtype=np.int64)
    cust = np.ascontiguousarray(cust, dtype=np.int64)
    texts = [all_texts[g] for g in cust.tolist()]
    joined = "\n".join(texts)
    lowered = joined.lower()
    if len(lowered) != len(joined):  # lowered per conversation, as analyse does
        bounds = np.searchsorted(cust, first).tolist()
        parts = [lexicon.lower("\n".join(texts[bounds[ci] : bounds[ci + 1]]))
                 for ci in range(len(first) - 1) if bounds[ci + 1] > bounds[ci]]
        lowered = "\n".join(parts)
    raw = _emotion.analyse(texts, lowered, cust, first, _native_tables(lexicon))
    return EmotionBatch(raw, first, cust, all_texts)


def analyse_batch(
    conversations: Sequence[Conversation], *, lexicon: Lexicon | None = None, columns: tuple | None = None,
    lazy: bool = False,
) -> Sequence[EmotionResult]:
    """:func:`analyse` for many conversations at once: equal results (tests hold them equal).

    With the compiled core (:func:`compiled_available`) engine/_emotion.c scores the batch in one
    pass per customer message; with ``lazy`` the :class:`EmotionBatch` itself is returned (its
    ``scores`` and ``trends`` without any result object), else a list of :class:`EmotionResult`.
    Without it: one lowering, one matcher scan and numpy arrays over the customer messages of the
    whole batch instead of Python steps per message and per phrase (phrases with a negation or degree
    word before them, and messages in shouted English, are scored by the same code as :func:`analyse`),
    a list.

    ``columns`` (the batched evaluator passes them) are the batch's messages as arrays, to save
    reading them again: ``(first message of each conversation and the total, int64 array of B + 1;
    the batch's customer messages as global indices, in order; all the batch's texts)``."""
    import numpy as np

    lexicon = lexicon or default_lexicon()
    arrays = _batch_arrays(lexicon)
    entries = lexicon.entries
    B = len(conversations)
    if columns is None:
        counts = np.fromiter((len(c.messages) for c in conversations), dtype=np.int64, count=B)
        first = np.zeros(B + 1, dtype=np.int64)
        np.cumsum(counts, out=first[1:])
        all_texts = [m.text for c in conversations for m in c.messages]
        cust = np.array([g for g, m in enumerate(m for c in conversations for m in c.messages) if m.role == "customer"],
                        dtype=np.int64)
    else:
        first, cust, all_texts = columns
    if compiled_available():
        got = analyse_columns(first, cust, all_texts, lexicon=lexicon)
        return got if lazy else list(got)
    # the customer messages of the batch, in order: their conversation and index in it
    owner_arr = np.searchsorted(first, cust, side="right") - 1
    index_arr = cust - first[owner_arr]
    owner: list[int] = owner_arr.tolist()
    index: list[int] = index_arr.tolist()
    texts: list[str] = [all_texts[g] for g in cust.tolist()]
    n = len(texts)
    joined = "\n".join(texts)
    lowered = joined.lower()
    if len(lowered) != len(joined):  # lowered per conversation, as analyse does
        parts, k = [], 0
        for ci in range(len(conversations)):
            j = k
            while j < n and owner[j] == ci:
                j += 1
            if j > k:
                parts.append(lexicon.lower("\n".join(texts[k:j])))
            k = j
        lowered = "\n".join(parts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    offsets = np.zeros(n, dtype=np.int64)
    if n:
        np.cumsum(lengths[:-1] + 1, out=offsets[1:])
    code = _codes(lowered)
    original = _codes(joined) if lowered != joined else code

    # --- tokens: leftmost-longest phrases, English ones on word boundaries (Lexicon.tokens)
    start, end, which = _raw_matches(lexicon, arrays, lowered, code)
    if len(start):
        size = len(code)
        ok = np.ones(len(start), dtype=bool)
        bs = arrays["bstart"][which] & (start > 0)
        if bs.any():
            ok[bs] &= ~_is_word(code[start[bs] - 1])
        be = arrays["bend"][which] & (end < size)
        if be.any():
            ok[be] &= ~_is_word(code[end[be]])
        start, end, which = start[ok], end[ok], which[ok]
        order = np.lexsort((which, -end, start))
        start, end, which = start[order], end[order], which[order]
        # leftmost-longest: at each start the first (the longest, then the lowest index) ...
        if len(start) > 1:
            lead = np.ones(len(start), dtype=bool)
            lead[1:] = start[1:] != start[:-1]
            start, end, which = start[lead], end[lead], which[lead]
        # ... unless it begins inside a phrase kept before. A phrase that begins at or after the end
        # of every earlier one is kept whatever was kept before it; only runs of overlapping phrases
        # after it need the greedy choice, one by one
        reach = np.maximum.accumulate(end)
        clear = np.ones(len(start), dtype=bool)
        clear[1:] = start[1:] >= reach[:-1]
        if not clear.all():
            keep = clear.copy()
            covered = 0
            for k in np.nonzero(~clear)[0].tolist():
                if clear[k - 1]:  # the run's first overlap: the phrase before it was kept
                    covered = int(end[k - 1])
                if start[k] >= covered:
                    keep[k] = True
                    covered = int(end[k])
            start, end, which = start[keep], end[keep], which[keep]
    msg = np.searchsorted(offsets, start, side="right") - 1
    kind = arrays["kind"][which]
    weight = arrays["weight"][which].copy()
    # the floor of each token: the end of the previous token of its message, or the message's start
    floor = offsets[msg] if len(msg) else np.zeros(0, dtype=np.int64)
    if len(msg) > 1:
        same = msg[1:] == msg[:-1]
        floor[1:] = np.where(same, end[:-1], floor[1:])
    begin = start.copy()
    alive = kind != NEUTRAL
    modifiable = (kind == NEGATIVE) | (kind == POSITIVE)
    # most phrases have no modifier: the quick look of Lexicon.modifiers_before, for all at once
    look = modifiable & (start > floor)
    if look.any():
        at = np.nonzero(look)[0]
        s = start[at]
        before = code[s - 1]
        quiet = (~np.isin(before, arrays["last"])) & (before >= 128)
        two = np.where(s - 2 >= 0, s - 2, 0)
        quiet &= np.isin(before, arrays["breaks"]) | (s - 2 < floor[at]) | ~np.isin(code[two], arrays["last"])
        for k in at[~quiet].tolist():
            negated, degree, b = lexicon.modifiers_before(lowered, int(start[k]), int(floor[k]))
            begin[k] = b
            w = float(weight[k]) * min(degree, MAX_DEGREE)
            if negated:
                if kind[k] == NEGATIVE:
                    alive[k] = False
                    continue
                kind[k] = NEGATIVE
                w *= NEGATED_POSITIVE
            weight[k] = w
    alive &= weight != 0.0
    negative_tok = alive & (kind != POSITIVE)
    positive_tok = alive & (kind == POSITIVE)
    negative = np.bincount(msg[negative_tok], weights=weight[negative_tok], minlength=n)
    positive = np.bincount(msg[positive_tok], weights=weight[positive_tok], minlength=n)

    # --- punctuation (the second half of _score_tokens)
    def per_message(mask):
        return np.bincount(np.searchsorted(offsets, np.nonzero(mask)[0], side="right") - 1, minlength=n)

    excl = per_message((original == 0x21) | (original == 0xFF01))
    questions = per_message((original == 0x3F) | (original == 0xFF1F))
    mark = (original == 0x21) | (original == 0xFF01) | (original == 0x3F) | (original == 0xFF1F)
    size = len(original)
    prev_mark = np.zeros(size, dtype=bool)
    next_mark = np.zeros(size, dtype=bool)
    if size:
        prev_mark[1:] = mark[:-1]
        next_mark[:-1] = mark[1:]
    run_lo = np.nonzero(mark & ~prev_mark)[0]
    run_hi = np.nonzero(mark & ~next_mark)[0] + 1
    long_run = run_hi - run_lo >= 2
    run_lo, run_hi = run_lo[long_run], run_hi[long_run]
    run_msg = np.searchsorted(offsets, run_lo, side="right") - 1
    runs = np.bincount(run_msg, minlength=n)
    dots = original == 0x2E
    triple = np.zeros(size, dtype=bool)
    if size >= 3:
        triple[: size - 2] = dots[:-2] & dots[1:-1] & dots[2:]
    ellipsis = (per_message(original == 0x2026) + per_message(triple)) > 0
    amp = np.ones(n)
    amp = np.where(excl > 0, amp + EXCLAMATION_AMP * np.minimum(excl, 5), amp)
    amp = np.where(runs > 0, amp + RUN_AMP * np.minimum(runs, 3), amp)
    base = np.zeros(n)
    base = np.where(runs >= 1, base + RUN_BASE, base)
    base = np.where(runs >= 2, base + RUN_BASE, base)
    base = np.where(questions > 0, base + QUESTION_BASE * np.minimum(questions, 3), base)
    base = np.where(ellipsis, base + ELLIPSIS_BASE, base)
    scores = (negative * amp + base - positive).tolist()

    # --- hits, in _score_tokens' order: phrases, then the first two runs, per message
    hit_at = np.nonzero(alive)[0]
    first_runs = np.ones(len(run_msg), dtype=bool)
    if len(run_msg) > 2:
        first_runs[2:] = run_msg[2:] != run_msg[:-2]  # runs are in order: the third of a message is not
    r_at = np.nonzero(first_runs)[0]
    hit_msg = np.concatenate([msg[hit_at], run_msg[r_at]])
    hit_phase = np.concatenate([np.zeros(len(hit_at), dtype=np.int64), np.ones(len(r_at), dtype=np.int64)])
    hit_pos = np.concatenate([begin[hit_at], run_lo[r_at]])
    hit_end = np.concatenate([end[hit_at], run_hi[r_at]])
    signed = np.where(kind[hit_at] == POSITIVE, -weight[hit_at], weight[hit_at])
    hit_weight = np.concatenate([signed, np.full(len(r_at), RUN_BASE)])
    order = np.lexsort((hit_pos, hit_phase, hit_msg))
    hits_of: list[list[EmotionHit]] = [[] for _ in range(n)]
    offs = offsets.tolist()
    for m, s, e, w in zip(hit_msg[order].tolist(), hit_pos[order].tolist(), hit_end[order].tolist(),
                          hit_weight[order].tolist()):
        o = offs[m]
        hits_of[m].append(EmotionHit(index[m], s - o, e - o, joined[s:e], w))

    # --- messages with shouting (their lowered text differs): _score_tokens itself
    if original is not code:
        differs = per_message(original != code) > 0
        if differs.any():
            for m in np.nonzero(differs)[0].tolist():
                o = int(offsets[m])
                stop = o + len(texts[m])
                sel = np.nonzero(msg == m)[0]
                mine = [(int(start[k]) - o, int(end[k]) - o, entries[int(which[k])]) for k in sel]
                scores[m], hits_of[m] = _score_tokens(texts[m], lowered[o:stop], mine, lexicon, index[m])

    # --- per conversation: combine() and the per-message list with numpy, the rest as analyse does
    clipped = np.array(scores, dtype=np.float64) if n else np.zeros(0)
    clipped = np.where(clipped > 0.0, clipped, 0.0)
    per_all = np.zeros(int(first[-1]))
    per_all[cust] = clipped
    per_list = per_all.tolist()
    n_cust = np.bincount(owner_arr, minlength=B) if n else np.zeros(B, dtype=np.int64)
    k1 = np.zeros(B + 1, dtype=np.int64)
    np.cumsum(n_cust, out=k1[1:])
    score_arr = np.array(scores, dtype=np.float64) if n else np.zeros(0)
    total = np.zeros(B)
    norm = np.zeros(B)
    weight = 1.0
    longest = int(n_cust.max()) if B else 0
    for k in range(min(longest, _VECTOR_COMBINE)):  # most recent first, as combine() adds them
        has = np.nonzero(n_cust > k)[0]
        total[has] = total[has] + weight * score_arr[k1[has + 1] - 1 - k]
        norm[has] = norm[has] + weight
        weight *= RECENCY_DECAY
    with np.errstate(invalid="ignore", divide="ignore"):
        combined = (total / norm).tolist()
    out: list[EmotionResult] = []
    firsts = first.tolist()
    bounds = k1.tolist()
    hits_by_conv: list[list[EmotionHit]] = [[] for _ in range(B)]
    for m, h in enumerate(hits_of):
        if h:
            hits_by_conv[owner[m]].extend(h)
    for ci in range(B):
        k, j = bounds[ci], bounds[ci + 1]
        per = per_list[firsts[ci] : firsts[ci + 1]]
        if j == k:
            out.append(EmotionResult(score=0.0, trend=None, per_message=per))
            continue
        mine_scores = scores[k:j]
        if j - k > _VECTOR_COMBINE:
            value = combine(mine_scores)
        else:
            value = combined[ci]
            value = value if value > 0.0 else 0.0
        out.append(EmotionResult(
            score=round(value, 6), trend=_trend(mine_scores), per_message=per, hits=hits_by_conv[ci],
            peak=max(0.0, max(mine_scores)), last=max(0.0, mine_scores[-1]),
        ))
    return out
