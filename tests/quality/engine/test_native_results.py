"""The result lines written by C (engine/_results.c through results.Inspector.inspect_lines_batch)
against the Python ones (results.Inspector.inspect_json_batch and its dicts, orjson.dumps): the same
bytes and the same summary counts for any batch (hypothesis: any states matrix, hits, customer
emotion, scorecard, odd ids and texts), for the shipped packs on generated chats and on the Weibo
dialogues, and for ``qa run`` with and without the compiled core. Skipped when the module is not
built, except on CI, which always builds it (test_ci_builds_the_results_module fails there)."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tests.quality.engine.native_support import REAL, generator, path

from servicecoach.quality.cli import BAND_MINIMUMS, main
from servicecoach.quality.engine import results
from servicecoach.quality.engine.model import Conversation
from servicecoach.quality.engine.readers import iter_jsonl_raw, parse_jsonl_records
from servicecoach.quality.engine.results import Inspector, lines_of
from servicecoach.quality.engine.scorecard import Item, Scorecard, Section

NOT_BUILT = ("the compiled result writer servicecoach.quality.engine._results is not built "
             "(pip install -e . with a C compiler)")
_results = results._results
needs_results = pytest.mark.skipif(_results is None, reason=NOT_BUILT)
FUZZ = settings(
    max_examples=int(os.environ.get("SERVICECOACH_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)




# --------------------------------------------------------------------------- the value writers


edge_floats = [0.0, -0.0, 100.0, 83.33333333333334, 1e-05, 1e-4, 0.0001, 9.999999999999999e-05, 1e15, 1e16,
               9999999999999998.0, 1e16 - 2, 1.5e-7, 5e-324, -5e-324, 1.7976931348623157e308, 1e22, 1e23, 0.1, 2.5,
               0.30000000000000004, -83.33333333333334, math.inf, -math.inf, math.nan, 0.00005, 0.00015, 0.12345,
               1.00005, 2.675, 0.125, 0.375, 1e-300, -1e-300]


@needs_results
@FUZZ
@given(st.floats() | st.sampled_from(edge_floats))
@example(1e-05)
@example(-0.0)
def test_a_float_is_written_as_orjson_writes_it(x):
    assert _results.dumps_float(x, orjson.dumps) == orjson.dumps(x)


@needs_results
@FUZZ
@given(st.floats(allow_nan=False) | st.sampled_from(edge_floats[:-1]), st.sampled_from([2, 4]))
@example(2.675, 2)
@example(0.00005, 4)
@example(0.00015, 4)
@example(-1e-300, 4)
def test_round_is_pythons_round(x, places):
    assert repr(_results.round_float(x, places)) == repr(round(x, places))


@needs_results
@FUZZ
@given(st.text() | st.text(alphabet=st.characters(codec=None)) | st.sampled_from(
    ["", "\x00\x01\x1f\x7f", '"\\/', "\u2028\u2029\ufeff", "😀\U0002a6d6", "e\u0301", "\ud800", "a\udfff", "ÿé"]))
def test_a_str_is_written_as_orjson_writes_it(s):
    try:
        expected = orjson.dumps(s)
    except TypeError:  # a lone surrogate: orjson refuses it, and so does the writer
        with pytest.raises(TypeError, match="surrogates"):
            _results.dumps_str(s)
        return
    assert _results.dumps_str(s) == expected


# --------------------------------------------------------------------------- any batch, both ways

_PACKS: dict[str, Inspector] = {}


def pack(name: str) -> Inspector:
    if name not in _PACKS:
        _PACKS[name] = Inspector.load(name)
    return _PACKS[name]


odd_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(
        ["\x00", "\x1f", "\x7f", "\u2028", "\ufeff", "😀", "\U0002a6d6", "é", "\u0301", '"', "\\", "/", "\n", "是"]),
    max_size=10,
)
points = st.sampled_from([0.0, 1.0, 5.0, 1 / 3, 2.5, 1e-3, 7.0, 10.0, 1e6, 0.1]) | st.floats(0, 1e4)
emotion_scores = st.floats() | st.sampled_from(edge_floats) | st.floats(-10, 10)


@st.composite
def scorecards(draw, rule_ids: list[str]) -> Scorecard:
    sections = []
    n = 0
    for s in range(draw(st.integers(1, 3))):
        items = []
        for _ in range(draw(st.integers(1, 5))):
            mode = draw(st.sampled_from(["deduct", "award", "manual"]))
            rules = tuple(draw(st.lists(st.sampled_from(rule_ids), min_size=0 if mode == "manual" else 1, max_size=3)))
            n += 1
            items.append(Item(
                id=f"i{n}", name_zh="项", name_en="item", points=float(draw(points)), rules=rules, mode=mode,
                red_line=draw(st.booleans()), bonus=mode == "award" and draw(st.booleans()),
            ))
        sections.append(Section(id=f"s{s}", name_zh="节", name_en="section", items=tuple(items),
                                bonus_lifts=draw(st.booleans())))
    grades = sorted(((float(m), g) for m, g in draw(st.lists(
        st.tuples(st.sampled_from([0, 50, 60, 83.33, 90, 100, -1]), odd_text), max_size=4))), key=lambda b: -b[0])
    return Scorecard(id=draw(odd_text) or "card", version=draw(odd_text), sections=sections, grades=grades)


@st.composite
def batches(draw, rule_ids: list[str]):
    B = draw(st.integers(1, 12))
    R = len(rule_ids)
    dense = draw(st.sampled_from([(-1, 0, 1), (0,), (1,), (-1,), (0, 1)]))
    matrix = np.array(draw(st.lists(st.sampled_from(dense), min_size=B * R, max_size=B * R)), dtype=np.int8)
    matrix = matrix.reshape(B, R)
    convs, hits_of = [], []
    for _ in range(B):
        convs.append(Conversation(id=draw(odd_text), messages=[], source=draw(st.none() | odd_text)))
        hits = []
        for _ in range(draw(st.integers(0, 4))):
            if draw(st.booleans()):
                hits.append((draw(st.sampled_from(rule_ids)), None, None, None, ""))
            else:
                s = draw(st.integers(0, 2**40))
                hits.append((draw(st.sampled_from(rule_ids)), draw(st.integers(0, 300)), s,
                             s + draw(st.integers(0, 9)), draw(odd_text)))
        hits_of.append([list(h) if draw(st.integers(0, 9)) == 0 else h for h in hits])  # a list is read as a tuple
    present = np.array(draw(st.lists(st.booleans(), min_size=B, max_size=B)), dtype=np.int8)
    scores = np.array(draw(st.lists(emotion_scores, min_size=B, max_size=B)), dtype=np.float64)
    trend = st.none() | st.sampled_from(["rising", "falling", "stable"]) | odd_text | st.integers(-(2**63), 2**64 - 1)
    trends = draw(st.lists(trend, min_size=B, max_size=B))
    return convs, matrix, hits_of, (present, scores, trends)


def inspector_with(name: str, card: Scorecard) -> Inspector:
    base = pack(name)
    inspector = Inspector(base.ruleset, card)
    inspector._batch = base.batch  # the pack's batched evaluator (built once), rule order unchanged
    return inspector


def both_ways(inspector: Inspector, convs, matrix, hits_of, emotion, bands=BAND_MINIMUMS):
    expected = lines_of(inspector.records_of_parts(convs, matrix, hits_of, emotion), bands)
    got = inspector.lines_of_parts(convs, matrix, hits_of, emotion, bands)
    return got, expected


@needs_results
@FUZZ
@given(st.sampled_from(["zh", "en"]), st.data())
def test_any_batch_writes_the_same_lines_and_counts(name, data):
    ids = pack(name).batch.rule_ids
    card = data.draw(scorecards(ids))
    convs, matrix, hits_of, emotion = data.draw(batches(ids))
    inspector = inspector_with(name, card)
    bands = data.draw(st.sampled_from([BAND_MINIMUMS, (), (50.0,), (100.0, 0.0)]))
    got, expected = both_ways(inspector, convs, matrix, hits_of, emotion, bands)
    assert got.output == expected.output
    assert got == expected
    for line in got.output.splitlines():
        orjson.loads(line)  # each line is JSON


@needs_results
@FUZZ
@given(st.data())
def test_a_lone_surrogate_fails_both_ways(data):
    inspector = pack("zh")
    ids = inspector.batch.rule_ids
    convs, matrix, hits_of, emotion = data.draw(batches(ids))
    where = data.draw(st.sampled_from(["id", "source", "hit"]))
    if where == "hit":
        hits_of[0] = [(ids[0], 1, 0, 1, "a\ud83d")]
    else:
        setattr(convs[0], where, "\udc00x")
    with pytest.raises(TypeError):
        inspector.records_of_parts(convs, matrix, hits_of, emotion)
    with pytest.raises(TypeError):
        inspector.lines_of_parts(convs, matrix, hits_of, emotion, BAND_MINIMUMS)


@needs_results
def test_edge_scores_and_emotions():
    """Scores of 83.33333333333334 before rounding, 100, 0, no score; emotions of -0.0, 1e-05 and
    the like, rounded to 4 places as Python rounds."""
    inspector = pack("zh")
    ids = inspector.batch.rule_ids
    R = len(ids)
    card = Scorecard(id="edge", version="1", sections=[
        Section(id="a", name_zh="甲", name_en="a", items=(
            Item(id="x", name_zh="x", name_en="x", points=1.0, rules=(ids[0],)),
            Item(id="y", name_zh="y", name_en="y", points=2.0, rules=(ids[1], ids[2])),
            Item(id="z", name_zh="z", name_en="z", points=3.0, rules=(ids[3],), mode="award"),
        )),
        Section(id="b", name_zh="乙", name_en="b", items=(
            Item(id="r", name_zh="r", name_en="r", points=0.0, rules=(ids[4],), red_line=True),
            Item(id="m", name_zh="m", name_en="m", points=5.0, rules=(ids[5], ids[6]), mode="manual"),
        )),
    ], grades=[(90.0, "A"), (50.0, "B")])
    scores = [0.0, -0.0, 1e-05, 0.00005, 0.00015, 2.675, 83.33333333333334, 1e300, -3.33335, math.nan, math.inf]
    B = len(scores) * 4
    rng = np.random.default_rng(5)
    matrix = rng.choice(np.array([-1, 0, 1], dtype=np.int8), size=(B, R))
    matrix[0, :] = -1  # nothing applies: no score
    matrix[1, :] = 0  # all applicable, nothing fired: 3 of 6 (the award item earns nothing)
    matrix[2, :] = 1
    matrix[3, :4] = (0, 1, 1, 1)  # 1 + 0 + 3 of 6: a score that is not round
    matrix[3, 4:] = -1
    convs = [Conversation(id=f"c{i}", messages=[]) for i in range(B)]
    emotion = (np.array([i % 3 != 2 for i in range(B)], dtype=np.int8),
               np.array([scores[i % len(scores)] for i in range(B)]), ["rising"] * B)
    inspector = inspector_with("zh", card)
    got, expected = both_ways(inspector, convs, matrix, [[] for _ in range(B)], emotion)
    assert got.output == expected.output
    assert got == expected
    first = [orjson.loads(line) for line in got.output.splitlines()[:4]]
    assert [r["score"] for r in first] == [None, 50.0, 0.0, 66.67]
    assert b'"customer_emotion":-0.0' in got.output and b'"customer_emotion":0.0001,' in got.output


# --------------------------------------------------------------------------- the shipped packs and real data



def chunk_lines_every_way(inspector: Inspector, records: list, size: int = 97):
    """The chunks' lines and counts: compiled, pure-Python batched, per conversation."""
    out = []
    for use_native in (True, False):
        with path(use_native):
            done = [inspector.inspect_lines_batch(parse_jsonl_records(records[i : i + size]), BAND_MINIMUMS)
                    for i in range(0, len(records), size)]
        out.append(done)
    with path(False):
        convs = parse_jsonl_records(records)
    per_conversation = [lines_of([inspector.inspect_json(c) for c in convs[i : i + size]], BAND_MINIMUMS)
                        for i in range(0, len(convs), size)]
    return out[0], out[1], per_conversation


@needs_results
@pytest.mark.parametrize("name", ["zh", "en"])
def test_shipped_packs_on_generated_chats(name):
    lines = [orjson.dumps(rec) for rec in generator().generate(500, seed=23)]
    records = [("gen.jsonl", n + 1, raw) for n, raw in enumerate(lines)]
    compiled, python, per_conversation = chunk_lines_every_way(Inspector.load(name), records)
    assert compiled == python == per_conversation
    assert sum(c.ok for c in compiled) == 500
    assert sum(sum(c.hits.values()) for c in compiled) > 0


@needs_results
@pytest.mark.skipif(not REAL.exists(), reason=f"shared data not found: {REAL} (set SERVICECOACH_SHARED_DIR)")
@pytest.mark.parametrize("name", ["zh", "en"])
def test_shipped_packs_on_the_weibo_dialogues(name):
    records = [(str(REAL), n, raw) for n, raw in iter_jsonl_raw(REAL)]
    compiled, python, per_conversation = chunk_lines_every_way(Inspector.load(name), records, size=1024)
    assert [c.output for c in compiled] == [c.output for c in python] == [c.output for c in per_conversation]
    assert compiled == python == per_conversation


def run(tmp_path: Path, capsys, use_native: bool, *args: str) -> tuple:
    out = tmp_path / "out.jsonl"
    with path(use_native):
        rc = main(["run", *args, "-o", str(out), "--no-progress"])
    captured = capsys.readouterr()
    timeless = [re.sub(r"[0-9.,]+ s\b|[0-9,]+/s", "T", text) for text in (captured.out, captured.err)]
    return rc, out.read_bytes(), *timeless


@needs_results
@pytest.mark.parametrize("name", ["zh", "en"])
def test_qa_run_the_same_with_and_without(tmp_path, capsys, name):
    lines = [orjson.dumps(rec) for rec in generator().generate(1500, seed=29)]
    bad = [b"{not json", b'{"id": "z", "messages": [{"role": "agent", "text": "\\ud800"}]}',
           b'{"id": "\\udc00", "messages": [{"role": "agent", "text": "x"}]}',
           b'{"id": "p", "messages": [{"role": "customer", "text": "\\ud83d\\ude00 \\u0000\\u5dee\\u8bc4 e\\u0301"}]}']
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines[:700] + bad + lines[700:]) + b"\n")
    inputs = ["--rules", name, str(src)]
    if REAL.exists():
        inputs.append(str(REAL))
    compiled = run(tmp_path, capsys, True, *inputs)
    assert compiled == run(tmp_path, capsys, False, *inputs)
    assert compiled == run(tmp_path, capsys, True, *inputs, "--per-conversation")
    assert compiled[1].count(b"\n") >= 1500
    assert "Red lines:" in compiled[2]


@pytest.mark.parametrize("use_native", [True, False])
def test_the_emotion_adapter_reads_arrays_and_result_objects_alike(use_native):
    """The one adapter between the customer emotion and the result lines: an EmotionBatch (arrays,
    the compiled analysis), its EmotionResult objects, None entries filled in, and no emotion at all
    give the same columns; a custom analysis returning None gives nulls."""
    from servicecoach.quality.engine import emotion as emotion_module

    lines = [orjson.dumps(rec) for rec in generator().generate(120, seed=31)]
    with path(use_native):
        convs = parse_jsonl_records([("gen.jsonl", n + 1, raw) for n, raw in enumerate(lines)])
        convs.append(Conversation(id="none", messages=[]))
        inspector = pack("zh")
        lazy = emotion_module.analyse_batch(convs, lazy=True)
        assert isinstance(lazy, emotion_module.EmotionBatch) == (use_native and emotion_module.compiled_available())
        objects = list(lazy)
        holes = [None if i % 3 == 0 else e for i, e in enumerate(objects)]
        ways = [inspector._emotion_columns(convs, e) for e in (lazy, objects, holes, None)]
    expected = (np.ones(len(convs), dtype=np.int8), np.array([float(e.score) for e in objects]),
                [e.trend for e in objects])
    assert [float(e.score) for e in objects] == [emotion_module.analyse(c).score for c in convs]
    assert any(expected[1]) and any(expected[2])
    for present, scores, trends in ways:
        assert present.tolist() == expected[0].tolist()
        assert repr(scores.tolist()) == repr(expected[1].tolist())
        assert trends == expected[2]
    custom = Inspector(inspector.ruleset, inspector.scorecard, analyse=lambda conv: None)
    present, scores, trends = custom._emotion_columns(convs, None)
    assert not present.any() and trends == [None] * len(convs)
