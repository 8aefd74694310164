"""analyse_batch (customer emotion for a whole batch, numpy over the batch's customer messages)
against analyse (one conversation at a time): equal EmotionResults, hit for hit, on random
conversations built from lexicon words, modifiers, punctuation and English (shouted too), with both
matchers; on the benchmark's generated chats; and on the real Weibo dialogues when present."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.quality.engine.emotion import Lexicon, analyse, analyse_batch, default_lexicon
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.readers import parse_conversation, parse_jsonl_line

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("SERVICECOACH_SHARED_DIR", ROOT.parent / "shared"))
REAL = SHARED / "data" / "stc3-dch1-cn-train.jsonl"
LEXICONS = {"automaton": default_lexicon(), "trie": Lexicon.load(use_automaton=False)}

PIECES = [
    "生气", "不生气", "不", "没有", "很", "非常", "太", "太慢了", "慢", "满意", "不满意", "不太满意", "谢谢", "解决了",
    "骗子", "投诉", "12315", "凭什么", "到底", "麻烦您", "麻烦", "垃圾", "是在", "我", "，", "。", "！", "！！", "？",
    "？？？", "!", "?", "…", "……", "...", "..", ".", " ", "好的", "退款",
    "angry", "not", "very", "so", "happy", "thanks", "terrible", "not at all happy", "REFUND", "NOW", "OK", "WHY",
    "Angry", "ANGRY", "refund now", "how dare", "İ", "σ", "Σ", "ΣΑΣ", "i", "A", "'", "don't", "no", "really",
]
texts = st.lists(st.sampled_from(PIECES), min_size=0, max_size=10).map("".join)


@st.composite
def conversations(draw):
    msgs = [Message(role=draw(st.sampled_from(["customer", "customer", "agent", "bot", "system"])), text=draw(texts))
            for _ in range(draw(st.integers(0, 7)))]
    return Conversation(id="c", messages=msgs)


def _agree(convs, lexicon):
    got = analyse_batch(convs, lexicon=lexicon)
    assert len(got) == len(convs)
    for conv, result in zip(convs, got):
        expected = analyse(conv, lexicon=lexicon)
        assert result == expected, [m.text for m in conv.messages if m.role == "customer"]
        # equal floats, also in their sign and type (the results write them)
        assert repr(result) == repr(expected)
    return got


@settings(max_examples=300, deadline=None)
@given(st.lists(conversations(), min_size=1, max_size=6))
def test_analyse_batch_equals_analyse_on_random_conversations(convs):
    for lexicon in LEXICONS.values():
        _agree(convs, lexicon)


def test_the_random_texts_are_not_trivial():
    convs = [Conversation(id="c", messages=[Message("customer", t) for t in (
        "我非常生气！！", "不太满意？", "not at all happy", "WHY IS MY REFUND NOT HERE", "麻烦您了，谢谢", "太慢了……",
        "ΣΑΣ ANGRY NOW", "İİ 生气", "", "太慢了！！真的？？？到底！！！还有？！", "...好的...",
    )])]
    result = _agree(convs, LEXICONS["automaton"])[0]
    assert result.score > 0 and result.hits and result.trend is not None
    assert {h.weight > 0 for h in result.hits} == {True, False}


def test_long_conversations_and_the_batched_evaluators_columns():
    # more customer messages than the vectorised recency weighting takes (64): combined one by one
    moods = ["太慢了！", "谢谢", "我非常生气", "好的", "不满意？", "垃圾！！！"]
    long = Conversation(id="l", messages=[Message("customer" if i % 3 else "agent", moods[i % 6]) for i in range(200)])
    short = Conversation(id="s", messages=[Message("customer", "生气")])
    for convs in ([long], [short, long, short]):
        _agree(convs, LEXICONS["automaton"])
    # what the batched evaluator passes: its message columns
    import numpy as np

    convs = [short, Conversation(id="e", messages=[]), long]
    first = np.array([0, 1, 1, 201], dtype=np.int64)
    texts = [m.text for c in convs for m in c.messages]
    cust = np.array([g for g, m in enumerate(m for c in convs for m in c.messages) if m.role == "customer"])
    assert analyse_batch(convs, columns=(first, cust, texts)) == [analyse(c) for c in convs]


def test_analyse_batch_of_nothing_and_of_conversations_without_customers():
    assert analyse_batch([]) == []
    convs = [Conversation(id="a", messages=[]), Conversation(id="b", messages=[Message("agent", "生气")])]
    assert analyse_batch(convs) == [analyse(c) for c in convs]


def test_analyse_batch_equals_analyse_on_the_generated_chats():
    spec = importlib.util.spec_from_file_location("gen_conversations", ROOT / "benchmarks" / "gen_conversations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    convs = [parse_conversation(rec) for rec in module.generate(800, seed=11)]
    for lexicon in LEXICONS.values():
        got = _agree(convs, lexicon)
    assert sum(r.score > 0 for r in got) > 100


@pytest.mark.skipif(not REAL.exists(), reason=f"shared data not found: {REAL} (set SERVICECOACH_SHARED_DIR)")
def test_analyse_batch_equals_analyse_on_real_dialogues():
    convs = [parse_jsonl_line(line) for line in REAL.read_bytes().splitlines() if line.strip()]
    for i in range(0, len(convs), 1000):
        _agree(convs[i : i + 1000], LEXICONS["automaton"])
