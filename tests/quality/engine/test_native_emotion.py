"""The compiled customer emotion (engine/_emotion.c, through emotion.analyse_columns / EmotionBatch)
against emotion.analyse and the numpy analyse_batch (SERVICECOACH_QA_NATIVE=0): equal results, float
for float (compared by repr), on hypothesis-generated conversations and lexicons, the shipped packs on
generated corpora, the real Weibo dialogues, and ``qa run`` output byte for byte. Skipped when the
module is not built, except on CI, which always builds it (test_ci_builds_the_compiled_emotion_core)."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.quality.engine.native_support import REAL, generator, path

from servicecoach.quality.cli import main
from servicecoach.quality.engine import emotion, measures, native
from servicecoach.quality.engine.batch import _Batch
from servicecoach.quality.engine.emotion import (
    DEGREE,
    NEGATION,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    RHETORICAL,
    EmotionBatch,
    Entry,
    Lexicon,
    analyse,
    analyse_batch,
    default_lexicon,
)
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.readers import iter_jsonl_raw, parse_jsonl_records
from servicecoach.quality.engine.results import Inspector
from servicecoach.quality.engine.rules import Emotion

NOT_BUILT = ("the compiled emotion core servicecoach.quality.engine._emotion (or _native) is not built "
             "(pip install -e . with a C compiler)")
BUILT = emotion._emotion is not None and native.available()
# on CI (CI is set there) nothing is skipped: the compiled core must be built, or these tests fail
pytestmark = pytest.mark.skipif(not BUILT and not os.environ.get("CI"), reason=NOT_BUILT)
FUZZ = settings(
    max_examples=int(os.environ.get("SERVICECOACH_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)




def compiled(convs: list[Conversation], lexicon: Lexicon | None = None) -> EmotionBatch:
    with path(True):
        got = analyse_batch(convs, lexicon=lexicon, lazy=True)
    assert isinstance(got, EmotionBatch)
    return got


def agree(convs: list[Conversation], lexicon: Lexicon | None = None) -> EmotionBatch:
    """The compiled batch, the numpy batch and analyse give the same results, float for float."""
    got = compiled(convs, lexicon)
    expected = [analyse(c, lexicon=lexicon) for c in convs]
    assert repr(list(got)) == repr(expected)
    assert repr(got.scores.tolist()) == repr([e.score for e in expected])
    assert got.trends == [e.trend for e in expected]
    with path(False):
        slow = analyse_batch(convs, lexicon=lexicon, lazy=True)
    assert isinstance(slow, list)
    assert repr(slow) == repr(expected)
    return got


def test_the_switch_turns_the_compiled_emotion_off():
    with path(False):
        assert not emotion.compiled_available()
    with path(True):
        assert emotion.compiled_available()


def test_the_c_constants_are_emotion_pys():
    c = emotion._emotion.CONSTANTS
    for name in ("RECENCY_DECAY", "NEGATED_POSITIVE", "MAX_DEGREE", "EXCLAMATION_AMP", "RUN_AMP", "RUN_BASE",
                 "QUESTION_BASE", "ELLIPSIS_BASE", "SHOUT_AMP", "SHOUT_BASE", "TREND_THRESHOLD", "MAX_GAP"):
        assert repr(c[name]) == repr(getattr(emotion, name)), name
    assert frozenset(c["CLAUSE_BREAK"]) == emotion._CLAUSE_BREAK
    assert len(c["CLAUSE_BREAK"]) == len(emotion._CLAUSE_BREAK)
    assert frozenset(c["ACRONYMS"]) == emotion._ACRONYMS
    assert (emotion.NEGATIVE, emotion.POSITIVE, emotion.NEUTRAL, emotion.NEGATION, emotion.DEGREE,
            emotion.RHETORICAL) == (0, 1, 2, 3, 4, 5)
    assert emotion._MARK_RE.pattern == r"[!！?？…]|\.\.\."
    assert emotion._RUN_RE.pattern == r"[!！?？]{2,}"
    assert emotion._SHOUT_RE.pattern == r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])"


# --------------------------------------------------------------------------- round(x, 6)

TIES = [k / 2**n for n in range(1, 12) for k in range(1, 40, 2)] + [0.0078125, 0.5, 2.5, 1e-7, 5e-7, 4e9, 4.5e9]


@FUZZ
@given(st.floats(min_value=0.0, max_value=1e20) | st.sampled_from(TIES)
       | st.integers(0, 10**12).map(lambda k: k / 2**20) | st.integers(0, 10**9).map(lambda k: (k + 0.5) / 1e6))
def test_round6_is_pythons_round(x):
    assert repr(emotion._emotion.round6(x)) == repr(round(x, 6))


def test_round6_on_special_values():
    for x in (math.inf, 0.0, 5e-324, 1.7976931348623157e308, 9007199254740993.0):
        assert repr(emotion._emotion.round6(x)) == repr(round(x, 6))
    assert math.isnan(emotion._emotion.round6(math.nan))


# --------------------------------------------------------------------------- the shipped lexicon

PIECES = [
    "生气", "不生气", "不", "没有", "很", "非常", "太", "太慢了", "慢", "满意", "不满意", "不太满意", "谢谢", "解决了",
    "骗子", "投诉", "12315", "凭什么", "到底", "麻烦您", "麻烦", "垃圾", "是在", "我", "，", "。", "！", "！！", "？",
    "？？？", "!", "?", "…", "……", "...", "..", ".", " ", "\u3000", "\t", "\n", "好的", "退款",
    "angry", "not", "very", "so", "happy", "thanks", "terrible", "not at all happy", "REFUND", "NOW", "OK", "WHY",
    "Angry", "ANGRY", "refund now", "how dare", "İ", "σ", "Σ", "ΣΑΣ", "i", "A", "'", "don't", "no", "really",
    "😀", "\U0002a6d6", "\u0301", "e\u0301", "\ud800", "\udfff", "ß", "ǅ", "ﬁ", "VIP", "APP", "GPS", "X", "XY",
]
texts = st.lists(st.sampled_from(PIECES), min_size=0, max_size=12).map("".join)


@st.composite
def conversations(draw, text_strategy=texts):
    msgs = [Message(role=draw(st.sampled_from(["customer", "customer", "agent", "bot", "system"])),
                    text=draw(text_strategy)) for _ in range(draw(st.integers(0, 8)))]
    return Conversation(id="c", messages=msgs)


LEXICONS = [default_lexicon(), Lexicon.load(use_automaton=False)]


@FUZZ
@given(st.lists(conversations(), min_size=0, max_size=6))
def test_random_conversations_with_the_shipped_lexicon(convs):
    for lexicon in LEXICONS:
        agree(convs, lexicon)


@FUZZ
@given(st.lists(conversations(st.text(max_size=20)), min_size=1, max_size=4))
def test_any_text(convs):
    agree(convs)


def test_edge_cases():
    empty = Conversation(id="e", messages=[])
    agents = Conversation(id="a", messages=[Message("agent", "生气！！")])
    one = Conversation(id="o", messages=[Message("customer", "我非常生气！！")])
    blank = Conversation(id="b", messages=[Message("customer", ""), Message("customer", "")])
    many = Conversation(id="m", messages=[Message("customer", t) for t in ["太慢了！", "谢谢", "垃圾！！！", "好的"] * 300])
    shout = Conversation(id="s", messages=[Message("customer", t) for t in (
        "WHY IS MY REFUND NOT HERE", "REFUND NOW!!", "OK VIP", "  ANGRY  ", "ANGRYx ANGRY", "ΣANGRY ANGRY")])
    got = agree([empty, agents, one, blank, many, shout, empty])
    assert got.trends == [None, None, None, "flat", got.trends[4], got.trends[5], None]
    assert got.scores[2] > 0 and got.scores[0] == 0.0
    assert any(h.weight > 0 for h in got[5].hits)
    agree([])


MODIFIERS = ["不", "没有", "很", "非常", "太", "不太", "not", "very", "so", "don't", "never", "really", "no", ""]
GAPS = ["", " ", "  ", "我", "啊", "我 ", " 我", "是在", "a", "at all ", "'", "，", "😀", "\u0301", "İ"]
EMOTION_WORDS = ["生气", "满意", "慢", "谢谢", "解决了", "垃圾", "angry", "happy", "resolved", "terrible", "凭什么", "麻烦您"]
segments = st.tuples(st.sampled_from(MODIFIERS), st.sampled_from(GAPS), st.sampled_from(MODIFIERS),
                     st.sampled_from(GAPS), st.sampled_from(EMOTION_WORDS), st.sampled_from(["", "！", "？", " ", "。"]))
chains = st.lists(segments, min_size=1, max_size=4).map(lambda parts: "".join("".join(p) for p in parts))


@FUZZ
@given(st.lists(st.lists(chains, min_size=1, max_size=3), min_size=1, max_size=3))
def test_modifier_chains(dialogues):
    # negation and degree words before an emotion word, with spaces, one character or English
    # words between them: the quick look and the walk back of Lexicon.modifiers_before
    agree([Conversation(id="c", messages=[Message("customer", t) for t in d]) for d in dialogues])


def test_modifiers_across_a_space_and_a_character():
    texts = ["很 我生气", "非常 我生气", "不 我满意", "not 我happy", "太 啊生气", "不，生气", "不是在生气", "not at all happy",
             "not  really   happy", "don't我angry", "很很很很生气", "不不满意"]
    got = agree([Conversation(id=str(i), messages=[Message("customer", t)]) for i, t in enumerate(texts)])
    assert got.scores.tolist()[:3] == [2.0, 2.0, 0.0]  # the quick look stops at a space after a character


SHOUTING = ["ANGRY", "NOW", "OK", "VIP", "WHY", "REFUND", "X", "AB", "refund", "Ab", "aB", "1", "_", " ", "\t",
            "\u3000", "\n", "\u2028", "\x1c", "\xa0", "我", "！", "?", "生气"]


@FUZZ
@given(st.lists(st.lists(st.lists(st.sampled_from(SHOUTING), max_size=16).map("".join), min_size=1, max_size=3),
                min_size=1, max_size=3))
def test_shouting(dialogues):
    # English in capitals: which runs count (acronyms, letters around them), and the share of letters
    # in the text stripped of any whitespace (str.strip)
    agree([Conversation(id="c", messages=[Message("customer", t) for t in d]) for d in dialogues])


def test_shouting_against_whitespace_of_every_kind():
    texts = ["ANGRY NOW" + ws * 12 for ws in (" ", "\t", "\u3000", "\n", "\u2028", "\x1c", "\xa0", "\u200b")]
    got = agree([Conversation(id=str(i), messages=[Message("customer", t)]) for i, t in enumerate(texts)])
    assert len(set(got.scores.tolist())) == 2  # U+200B is not whitespace to str.strip


# --------------------------------------------------------------------------- random lexicons

ALPHABET = list("ab生气不很满 '!？…") + ["xy", "😀", "e\u0301", "\ud800"]
terms = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=4).map("".join).map(str.strip).filter(bool)
weights = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5, 1e300, 1e-300, 7.3]) | st.floats(0, 10, allow_nan=False)


@st.composite
def lexicons(draw):
    entries = []
    for _ in range(draw(st.integers(0, 14))):
        term = draw(terms)
        kind = draw(st.sampled_from([NEGATIVE, NEGATIVE, POSITIVE, NEUTRAL, NEGATION, DEGREE, DEGREE, RHETORICAL]))
        entries.append(Entry(term=term, kind=kind, weight=draw(weights),
                             word_bounded_start=emotion._is_word_char(term[0]),
                             word_bounded_end=emotion._is_word_char(term[-1]), origin="hypothesis"))
    return Lexicon(entries, use_automaton=False)


@FUZZ
@given(lexicons(), st.lists(conversations(st.lists(st.sampled_from(ALPHABET + ["AB", "XY", "，", "\n"]), max_size=14)
                                          .map("".join)), min_size=1, max_size=4))
def test_random_lexicons(lexicon, convs):
    assume(any(m.role == "customer" for c in convs for m in c.messages))
    agree(convs, lexicon)


def test_a_lexicon_without_modifiers_or_phrases():
    convs = [Conversation(id="c", messages=[Message("customer", "不很生气！！ab"), Message("customer", "满？")])]
    for entries in ([], [Entry("生气", NEGATIVE, 2.0, False, False, "x")], [Entry("不", NEGATION, 0.0, False, False, "x")]):
        agree(convs, Lexicon(entries, use_automaton=False))


# --------------------------------------------------------------------------- EmotionBatch

def test_the_emotion_batch_is_a_sequence_made_lazily():
    convs = [Conversation(id=str(i), messages=[Message("customer", t), Message("agent", "好的"), Message("customer", u)])
             for i, (t, u) in enumerate([("太慢了！", "谢谢"), ("垃圾！！！", "我非常生气"), ("好", "")])]
    got = compiled(convs)
    assert len(got) == 3 and not got._made  # nothing made yet
    assert got[-1] is got[2] and got[-1] == analyse(convs[2])
    assert got[0:3:2] == [analyse(convs[0]), analyse(convs[2])]
    with pytest.raises(IndexError):
        got[3]
    with pytest.raises(IndexError):
        got[-4]
    assert list(got) == [analyse(c) for c in convs]
    assert got[1].hits[0].text == "垃圾"


@FUZZ
@given(st.lists(conversations(), min_size=1, max_size=6),
       st.sampled_from([None, 0, 0.0, 0.5, 1, 2.5, 3, -1, 10**30, True]),
       st.sampled_from([None, "rising", "falling", "flat", "sideways"]))
def test_rule_states_are_eval_emotions(convs, over, trend):
    node = Emotion(over=over, trend=trend)
    got = compiled(convs)
    has = np.array([any(m.role == "customer" for m in c.messages) for c in convs], dtype=bool)
    state, rows = got.rule_states(over, trend, has)
    expected_rows = []
    for ci, conv in enumerate(convs):
        value, evidence = measures.eval_emotion(node, conv, analyse)
        assert state[ci] == (-1 if value is None else int(value))
        if value:
            expected_rows += [(ci, *e) for e in evidence]
    assert rows.tolist() == [list(r) for r in expected_rows]


# --------------------------------------------------------------------------- packs, corpora, qa run


def generated_records(count: int, seed: int = 5) -> list[tuple[str, int, bytes]]:
    return [("gen.jsonl", n + 1, orjson.dumps(rec)) for n, rec in enumerate(generator().generate(count, seed=seed))]


def parts_both_ways(inspector: Inspector, records) -> None:
    """evaluate_parts with the compiled emotion and without: the same matrix, hits and emotions."""
    got = []
    for use_native in (True, False):
        with path(use_native):
            convs = parse_jsonl_records(records)
            batch = _Batch(inspector.batch, convs)
            emotions = batch.emotions()
            assert isinstance(emotions, EmotionBatch) == use_native
            matrix, hits, parts_emotions = inspector.batch.evaluate_parts(convs)
            got.append((matrix.tolist(), hits, None if parts_emotions is None else repr(list(parts_emotions)),
                        repr(list(emotions))))
    assert got[0] == got[1]
    assert got[0][3] == repr([analyse(c) for c in parse_jsonl_records(records)])


@pytest.mark.parametrize("pack", ["zh", "en"])
def test_the_packs_on_a_generated_corpus(pack):
    records = generated_records(400)
    parts_both_ways(Inspector.load(pack), records)
    inspector = Inspector.load(pack)
    lines = {}
    for use_native in (True, False):
        with path(use_native):
            convs = parse_jsonl_records(records)
            lines[use_native, "batched"] = [
                line for i in range(0, len(convs), 97) for line, _ in inspector.inspect_json_batch(convs[i : i + 97])]
            lines[use_native, "one by one"] = [Inspector.load(pack).inspect_json(c)[0] for c in convs]
    assert len(set(map(tuple, lines.values()))) == 1
    emotional = [orjson.loads(line) for line in lines[True, "batched"]]
    assert any(r["customer_emotion"] for r in emotional) and any(r["emotion_trend"] == "rising" for r in emotional)


def run_both(tmp_path: Path, inputs: list[Path], capsys, *extra: str) -> None:
    outputs = []
    out = tmp_path / "out.jsonl"
    for use_native in (True, False):
        with path(use_native):
            rc = main(["run", *map(str, inputs), "-o", str(out), "--no-progress", *extra])
        captured = capsys.readouterr()
        timeless = [re.sub(r"[0-9.,]+ s\b|[0-9,]+/s", "T", text) for text in (captured.out, captured.err)]
        outputs.append((rc, out.read_bytes(), *timeless))
    assert outputs[0] == outputs[1]
    assert outputs[0][1]


@pytest.mark.parametrize("pack", ["zh", "en"])
def test_qa_run_writes_the_same_file_with_and_without(tmp_path, capsys, pack):
    src = tmp_path / "in.jsonl"
    odd = [b'{"id": "s", "messages": [{"role": "customer", "text": "\\ud800 ANGRY NOW!! \xf0\x9f\x98\x80 e\xcc\x81"}]}',
           b'{"id": "n", "messages": [{"role": "agent", "text": "hello"}]}']
    src.write_bytes(b"\n".join([raw for _, _, raw in generated_records(150, seed=9)] + odd) + b"\n")
    run_both(tmp_path, [src], capsys, "--rules", pack)
    run_both(tmp_path, [src], capsys, "--rules", pack, "--per-conversation")


@pytest.mark.skipif(not REAL.exists(), reason=f"shared data not found: {REAL} (set SERVICECOACH_SHARED_DIR)")
def test_real_weibo_dialogues(tmp_path, capsys):
    records = [(str(REAL), n, raw) for n, raw in iter_jsonl_raw(REAL)]
    with path(True):
        convs = parse_jsonl_records(records)
    got = compiled(convs)
    assert repr(list(got)) == repr([analyse(c) for c in convs])
    parts_both_ways(Inspector.load("zh"), records[:1500])
    run_both(tmp_path, [REAL], capsys, "--rules", "zh")


def test_bad_arguments_are_refused():
    tables = emotion._native_tables(default_lexicon())
    first = np.array([0, 1], dtype=np.int64)
    cust = np.array([0], dtype=np.int64)
    analyse_c = emotion._emotion.analyse
    assert analyse_c(["生气"], "生气", cust, first, tables)[0]
    with pytest.raises(ValueError, match="lowered"):
        analyse_c(["生气"], "生气了", cust, first, tables)
    with pytest.raises(ValueError, match="tables"):
        analyse_c(["生气"], "生气", cust, first, tables[:-1])
    with pytest.raises(ValueError, match="tables"):
        analyse_c(["生气"], "生气", cust, first, (*tables[:8], tables[8][:-1], *tables[9:]))
    with pytest.raises(ValueError, match="outside"):
        analyse_c(["生气"], "生气", np.array([1], dtype=np.int64), first, tables)
    with pytest.raises(ValueError):
        analyse_c(["a", "b"], "a\nb", np.array([0, 0], dtype=np.int64), np.array([0, 2], dtype=np.int64), tables)
    with pytest.raises(TypeError):
        analyse_c([b"a"], "a", cust, first, tables)
