"""The batched rules' pieces in C (engine/_rules.c) against their Python forms: each conversation's
hits made from a batch's evidence rows (hypothesis: any rows, rule ids and texts, astral characters,
combining marks, lone surrogates, spans past a text's end or reversed, rows without a message), and
the shipped packs (zh, en) on generated chats and on the Weibo dialogues, and ``qa run``, with and
without the compiled core (SERVICECOACH_QA_NATIVE=0). Skipped when the module is not built, except on
CI, which always builds it (test_ci_builds_the_rules_module fails there)."""

from __future__ import annotations

import re

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.quality.engine.native_support import REAL, generator, path

from servicecoach.quality.cli import main
from servicecoach.quality.engine import batch
from servicecoach.quality.engine.readers import iter_jsonl_raw, parse_jsonl_records
from servicecoach.quality.engine.results import Inspector

_rules = batch._rules
needs_rules = pytest.mark.skipif(_rules is None, reason=(
    "the compiled rules module servicecoach.quality.engine._rules is not built (pip install -e . with a C compiler)"))



CHARS = st.sampled_from(["好", "a", "\U0001f600", "\U00020000", "e\u0301", "\u0301", "\ud800", "\udfff", " ", "\x00", "ß"])
TEXT = st.lists(CHARS, max_size=8).map("".join)


@st.composite
def batches(draw):
    B = draw(st.integers(0, 6))
    counts = draw(st.lists(st.integers(0, 4), min_size=B, max_size=B))
    texts = [draw(TEXT) for _ in range(sum(counts))]
    first = np.zeros(B + 1, dtype=np.int64)
    np.cumsum(counts, out=first[1:])
    ids = draw(st.lists(st.sampled_from(["r1", "规则", "\U0001f600", "", "a\ud800"]), min_size=1, max_size=4))
    rows = []
    for c in range(B):
        for _ in range(draw(st.integers(0, 4))):
            j = draw(st.integers(0, len(ids) - 1))
            if counts[c] and draw(st.booleans()):
                rows.append((c, j, draw(st.integers(0, counts[c] - 1)), draw(st.integers(0, 10)), draw(st.integers(0, 10))))
            else:
                rows.append((c, j, -1, -1, -1))
    arr = np.array(rows, dtype=np.int64).reshape(-1, 5)
    return arr, ids, texts, first, B


@needs_rules
@settings(max_examples=400, deadline=None)
@given(batches())
def test_hit_lists_are_the_python_ones(drawn):
    rows, ids, texts, first, B = drawn
    got = _rules.hit_lists(rows, ids, texts, first, B)
    expected = batch._hit_lists_py(rows, ids, texts, first, B)
    assert got == expected
    assert [[tuple(map(type, h)) for h in hs] for hs in got] == [[tuple(map(type, h)) for h in hs] for hs in expected]
    with path(True):
        assert batch.hit_lists(rows, ids, texts, first, B) == expected


@needs_rules
def test_hit_lists_refuse_bad_rows():
    first = np.array([0, 1], dtype=np.int64)
    for rows in ([[1, 0, 0, 0, 1]], [[0, 1, 0, 0, 1]], [[0, 0, 1, 0, 1]], [[-1, 0, 0, 0, 1]]):
        with pytest.raises(IndexError):
            _rules.hit_lists(np.array(rows, dtype=np.int64), ["r"], ["好"], first, 1)
    with pytest.raises(ValueError):
        _rules.hit_lists(np.array([[1, 0, 0, 0, 1], [0, 0, 0, 0, 1]], dtype=np.int64), ["r"], ["好", "x"],
                         np.array([0, 1, 2], dtype=np.int64), 2)
    with pytest.raises(ValueError):
        _rules.hit_lists(np.zeros(4, dtype=np.int64), ["r"], ["好"], first, 1)
    with pytest.raises(ValueError):
        _rules.hit_lists(np.zeros((0, 5), dtype=np.int64), ["r"], ["好"], np.zeros(3, dtype=np.int64), 1)
    with pytest.raises(TypeError):
        _rules.hit_lists(np.zeros((1, 5), dtype=np.int32), ["r"], ["好"], first, 1)


def test_the_switch_turns_the_compiled_hits_off(monkeypatch):
    calls = []

    class Spy:
        @staticmethod
        def hit_lists(*args):
            calls.append(args)
            return batch._hit_lists_py(*args)

    monkeypatch.setattr(batch, "_rules", Spy)
    rows = np.array([[0, 0, 0, 0, 1]], dtype=np.int64)
    with path(False):
        assert batch.hit_lists(rows, ["r"], ["好的"], np.array([0, 1]), 1) == [[("r", 0, 0, 1, "好")]]
    assert not calls



def parts_both_ways(inspector: Inspector, records, size: int = 1024) -> int:
    got = []
    for use_native in (True, False):
        with path(use_native):
            convs = parse_jsonl_records(records)
            parts = [inspector.batch.evaluate_parts(convs[i : i + size]) for i in range(0, len(convs), size)]
            got.append([(m.tolist(), hits) for m, hits, _ in parts])
    assert got[0] == got[1]
    return sum(len(h) for _, hits in got[0] for h in hits)


@needs_rules
@pytest.mark.parametrize("pack", ["zh", "en"])
def test_the_packs_on_a_generated_corpus(pack):
    records = [("gen.jsonl", n + 1, orjson.dumps(rec)) for n, rec in enumerate(generator().generate(600, seed=31))]
    assert parts_both_ways(Inspector.load(pack), records, size=257) > 0


@needs_rules
@pytest.mark.skipif(not REAL.exists(), reason=f"shared data not found: {REAL} (set SERVICECOACH_SHARED_DIR)")
def test_the_packs_on_the_weibo_dialogues():
    records = [(str(REAL), n, raw) for n, raw in iter_jsonl_raw(REAL)]
    for pack in ("zh", "en"):
        parts_both_ways(Inspector.load(pack), records)


@needs_rules
@pytest.mark.parametrize("pack", ["zh", "en"])
def test_qa_run_writes_the_same_file_with_and_without(tmp_path, capsys, pack):
    src = tmp_path / "in.jsonl"
    odd = [b'{"id": "s", "messages": [{"role": "customer", "text": "\\ud800 \xe9\x80\x80\xe6\xac\xbe \xf0\x9f\x98\x80 e\xcc\x81"}]}',
           b'{"id": "n", "messages": [{"role": "agent", "text": "hello"}]}', b'{"id": "e", "messages": []}']
    lines = [orjson.dumps(rec) for rec in generator().generate(300, seed=37)]
    src.write_bytes(b"\n".join(lines[:100] + odd + lines[100:]) + b"\n")
    out = tmp_path / "out.jsonl"
    outputs = []
    for use_native, extra in ((True, []), (False, []), (True, ["--per-conversation"])):
        with path(use_native):
            rc = main(["run", str(src), "--rules", pack, "-o", str(out), "--no-progress", *extra])
        captured = capsys.readouterr()
        timeless = [re.sub(r"[0-9.,]+ s\b|[0-9,]+/s", "T", text) for text in (captured.out, captured.err)]
        outputs.append((rc, out.read_bytes(), *timeless))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][1].count(b"\n") >= 300
