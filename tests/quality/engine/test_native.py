"""The compiled core (engine/_native.c through engine/native.py) against the pure-Python engine: the
same conversations, the same error messages with the same line numbers, and byte-identical result
lines on every path (native batched, pure-Python batched, per conversation, the reference
evaluator's outcome). Skipped when the extension is not built, except on CI, which always builds it
(test_ci_builds_the_compiled_core fails there when it cannot be imported)."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.quality.engine.native_support import REAL, generator, path

from servicecoach.quality.cli import main
from servicecoach.quality.engine import native, reference
from servicecoach.quality.engine.batch import _Batch
from servicecoach.quality.engine.model import Conversation
from servicecoach.quality.engine.readers import (
    ConversationFormatError,
    ReadError,
    iter_jsonl_raw,
    parse_jsonl_records,
    read_conversations,
)
from servicecoach.quality.engine.results import Inspector

NOT_BUILT = "the compiled core servicecoach.quality.engine._native is not built (pip install -e . with a C compiler)"
needs_native = pytest.mark.skipif(not native.available(), reason=NOT_BUILT)
FUZZ = settings(
    max_examples=int(os.environ.get("SERVICECOACH_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)




def test_the_environment_variable_switches_the_native_path_off():
    with path(False):
        assert not native.enabled()
    with path(True):
        assert native.enabled() == native.available()


def plain(item):
    """A conversation or an error as comparable plain data (repr keeps -0.0 apart from 0.0)."""
    if isinstance(item, ConversationFormatError):
        return ("error", item.file, item.line, item.reason, str(item))
    if isinstance(item, ReadError):
        return ("read-error", item.file, item.line, item.reason)
    assert isinstance(item, Conversation)
    return repr((item.id, item.source, item.channel, item.started_at, item.agent_id, item.agent_name,
                 item.customer_id, item.labels, item.timed, item.has_call_audio,
                 [(m.role, m.text, m.time, m.end, m.agent_id) for m in item.messages]))


def both(records: list[tuple[str, int, bytes]]) -> tuple[list, list]:
    with path(True):
        fast = parse_jsonl_records(records)
    with path(False):
        slow = parse_jsonl_records(records)
    return fast, slow



def generated_lines(count: int = 400) -> list[bytes]:
    """The benchmark's chats, plus calls (end times), untimed chats, and records with the extra fields
    and forms the native reader leaves to Python (started_at, at, agent objects, agent_id)."""
    rng = random.Random(7)
    lines = []
    for i, rec in enumerate(generator().generate(count, seed=11)):
        kind = i % 6
        if kind == 1:
            rec["channel"] = "call"
            for m in rec["messages"]:
                m["end"] = round(m["offset"] + rng.uniform(0.5, 12), 1)
        elif kind == 2:
            for m in rec["messages"]:
                del m["offset"]
        elif kind == 3:
            rec["started_at"] = "2026-11-01T09:00:00+08:00"
            rec["agent"] = {"id": "A7", "name": "小王"}
            for m in rec["messages"]:
                m["at"] = f"2026-11-01T09:{int(m.pop('offset')) // 60 % 60:02d}:00"
        elif kind == 4:
            rec["messages"][0]["agent_id"] = "A1"
            rec["customer"] = "C9"
            rec["extra"] = {"nested": [1, 2.5, None, True, "是"]}
        lines.append(orjson.dumps(rec) if i % 5 else json.dumps(rec, ensure_ascii=i % 2 == 0).encode())
    return lines


@needs_native
def test_generated_records_read_the_same_and_most_natively():
    lines = generated_lines()
    records = [("gen.jsonl", n + 1, raw) for n, raw in enumerate(lines)]
    fast, slow = both(records)
    assert [plain(x) for x in fast] == [plain(x) for x in slow]
    natively = sum(isinstance(x, native.ColumnConversation) for x in fast)
    assert natively >= len(lines) * 0.6  # kinds 0, 1, 2, 4 (less agent_id) are read natively
    assert not any(isinstance(x, native.ColumnConversation) for x in slow)


def result_lines(inspector: Inspector, convs: list, batched: bool) -> list[bytes]:
    if batched:
        return [line for i in range(0, len(convs), 97) for line, _ in inspector.inspect_json_batch(convs[i : i + 97])]
    return [inspector.inspect_json(c)[0] for c in convs]


@needs_native
@pytest.mark.parametrize("pack", ["zh", "en"])
def test_result_lines_are_byte_identical_on_every_path(pack):
    lines = generated_lines(300)
    records = [("gen.jsonl", n + 1, raw) for n, raw in enumerate(lines)]
    fast, slow = both(records)
    inspector = Inspector.load(pack)
    native_batched = result_lines(inspector, fast, batched=True)
    python_batched = result_lines(inspector, slow, batched=True)
    per_conversation = result_lines(inspector, slow, batched=False)
    native_per_conversation = result_lines(Inspector.load(pack), fast, batched=False)
    assert native_batched == python_batched == per_conversation == native_per_conversation
    # and the reference evaluator's outcome (states and hits) equals the native batch's
    batch = inspector.batch
    outcomes = batch.evaluate(fast)
    for conv, outcome in zip(slow, outcomes):
        expected = reference.evaluate(inspector.ruleset, conv)
        assert outcome.states == expected.states
        assert outcome.hits == expected.hits


@needs_native
def test_a_batch_mixing_native_and_python_conversations_has_the_right_columns():
    lines = generated_lines(60)
    records = [("gen.jsonl", n + 1, raw) for n, raw in enumerate(lines)]
    fast, slow = both(records)
    assert any(isinstance(c, native.ColumnConversation) for c in fast)
    assert any(not isinstance(c, native.ColumnConversation) for c in fast)
    inspector = Inspector.load("zh")
    mixed = _Batch(inspector.batch, fast[::-1])  # out of block order too
    pure = _Batch(inspector.batch, slow[::-1])
    assert mixed.texts == pure.texts
    for name in ("role", "length", "counts", "first", "conv_of", "local"):
        assert getattr(mixed, name).tolist() == getattr(pure, name).tolist(), name
    for a, b in zip(mixed.times(), pure.times()):
        assert repr(a.tolist()) == repr(b.tolist())
    assert repr(mixed.ends().tolist()) == repr(pure.ends().tolist())


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def run_both(tmp_path: Path, inputs: list[Path], capsys, *extra: str) -> None:
    outputs = []
    out = tmp_path / "out.jsonl"
    for use_native in (True, False):
        with path(use_native):
            rc = main(["run", "--rules", "zh", *map(str, inputs), "-o", str(out), "--no-progress", *extra])
        captured = capsys.readouterr()
        timeless = [re.sub(r"[0-9.,]+ s\b|[0-9,]+/s", "T", text) for text in (captured.out, captured.err)]
        outputs.append((rc, out.read_bytes(), *timeless))
    assert outputs[0] == outputs[1]
    assert outputs[0][1]  # something was scored


@needs_native
def test_qa_run_writes_the_same_file_and_messages_both_ways(tmp_path, capsys):
    lines = generated_lines(200)
    bad = [b'{"id": "x", "messages": []}', b"{not json", b'{"id": "y", "messages": [{"role": "boss", "text": "hi"}]}',
           b'{"id": "z", "messages": [{"role": "agent", "text": "\\ud800"}]}', b"[1, 2]",
           b'{"id": "w", "messages": [{"role": "agent", "text": "a", "offset": 5, "end": 1}]}']
    data = b"\xef\xbb\xbf" + b"\n".join(lines[:100] + bad + [b"", b"   "] + lines[100:]) + b"\n"
    src = write(tmp_path, "in.jsonl", data)
    run_both(tmp_path, [src], capsys)
    run_both(tmp_path, [src], capsys, "--per-conversation")


@needs_native
@pytest.mark.skipif(not REAL.exists(), reason=f"shared data not found: {REAL} (set SERVICECOACH_SHARED_DIR)")
def test_real_weibo_dialogues_the_same_both_ways(tmp_path, capsys):
    records = [(str(REAL), n, raw) for n, raw in iter_jsonl_raw(REAL)]
    fast, slow = both(records)
    assert [plain(x) for x in fast] == [plain(x) for x in slow]
    assert all(isinstance(x, native.ColumnConversation) for x in fast)
    run_both(tmp_path, [REAL], capsys)


# --------------------------------------------------------------------------- hypothesis

odd_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(
        ["\x00", "\x1f", "\x7f", "\u2028", "\ufeff", "😀", "\U0002a6d6", "é", "İ", "ß", '"', "\\", "/", "\n"]),
    max_size=12,
)
numbers = (st.integers(min_value=-(10**20), max_value=10**20) | st.floats(allow_nan=False, allow_infinity=False)
           | st.sampled_from([0, -0.0, 0.0, 1e-320, 5e-324, 1.7976931348623157e308, 123456789012345, 1234567890123456,
                              0.1, 2.5, 1e22, 1e23]))
json_values = st.recursive(
    st.none() | st.booleans() | numbers | odd_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(odd_text, children, max_size=3),
    max_leaves=8,
)
roles = st.sampled_from(["customer", "agent", "bot", "system", "Agent", "boss", ""]) | json_values


def rarely(draw, n: int = 8) -> bool:
    return draw(st.integers(0, n - 1)) == 0


times = st.floats(0, 1e6) | st.integers(0, 10**6) | st.sampled_from([0, -0.0, 0.5, 1e-320, 123456789012345])


@st.composite
def messages(draw):
    """Mostly the common shape (what the compiled core reads), now and then something else."""
    m = {"role": draw(st.sampled_from(["customer", "agent", "bot", "system"])), "text": draw(odd_text)}
    if draw(st.integers(0, 3)):
        m["offset"] = draw(times)
        if draw(st.booleans()):
            m["end"] = m["offset"] + draw(st.floats(0, 100) | st.integers(0, 100)) if draw(st.integers(0, 5)) else draw(times)
    elif rarely(draw, 3):
        m["end"] = draw(times)
    if rarely(draw, 30):
        m["role"] = draw(roles)
    if rarely(draw, 30):
        m["text"] = draw(json_values)
    if rarely(draw, 30):
        m[draw(st.sampled_from(["offset", "end"]))] = draw(numbers | json_values)
    if rarely(draw, 60):
        del m[draw(st.sampled_from(["role", "text"]))]
    if rarely(draw, 60):
        m[draw(st.sampled_from(["at", "agent_id", "extra", "ROLE"]))] = draw(json_values)
    if rarely(draw, 30):
        keys = list(m)
        draw(st.randoms()).shuffle(keys)
        m = {k: m[k] for k in keys}
    return m


@st.composite
def records(draw):
    """Mostly valid conversations of the common shape, now and then with a field wrong or unusual."""
    rec = {"id": draw(odd_text.filter(bool))}
    for key, good in (("source", odd_text), ("channel", st.sampled_from(["chat", "call", "email", "social"])),
                      ("agent", odd_text), ("customer", odd_text),
                      ("labels", st.dictionaries(odd_text, json_values, max_size=3)), ("weird", json_values)):
        if draw(st.integers(0, 2)) == 0:
            rec[key] = draw(st.none() | good)
    rec["messages"] = draw(st.lists(messages(), min_size=1, max_size=5))
    if rarely(draw):
        rec[draw(st.sampled_from(["id", "source", "channel", "agent", "customer", "labels", "messages",
                                  "started_at"]))] = draw(json_values)
    if rarely(draw, 16):
        del rec[draw(st.sampled_from(["id", "messages"]))]
    if rarely(draw):
        keys = list(rec)
        draw(st.randoms()).shuffle(keys)
        rec = {k: rec[k] for k in keys}
    return rec


def encode(draw, rec) -> bytes:
    how = draw(st.integers(0, 3))
    if how == 0:
        try:
            return orjson.dumps(rec)
        except orjson.JSONEncodeError:  # an integer beyond 64 bits
            pass
    text = json.dumps(rec, ensure_ascii=how == 1, indent=None if how < 3 else 1).replace("\n", " ")
    return text.encode("utf-8", "surrogatepass")


@st.composite
def lines(draw):
    raw = encode(draw, draw(records()))
    change = draw(st.integers(0, 23))
    if change == 0 and raw:  # cut
        raw = raw[: draw(st.integers(0, len(raw) - 1))]
    elif change == 1:  # a byte changed
        at = draw(st.integers(0, max(0, len(raw) - 1)))
        raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
    elif change == 2:  # an escaped surrogate (lone or paired) in a string
        raw = raw.replace(b'"text": "', b'"text": "' + draw(st.sampled_from([b"\\ud800", b"\\udfff", b"\\ud83d\\ude00",
                                                                           b"\\uDBFF\\uDFFF", b"\\u00e9"])), 1)
        raw = raw.replace(b'"text":"', b'"text":"\\ud83d\\ude00', 1)
    elif change == 3:  # deep nesting
        depth = draw(st.integers(60, 1100))
        raw = raw[:-1] + b', "deep": ' + b"[" * depth + b"]" * depth + b"}" if raw.endswith(b"}") else raw
    elif change == 4:  # a duplicate field
        raw = raw[:-1] + b', "id": "again", "messages": [{"role": "agent", "text": "dup"}]}' if raw.endswith(b"}") else raw
    elif change == 5:  # a huge number
        raw = raw.replace(b'"offset": ', b'"offset": 1' + b"0" * draw(st.integers(14, 400)) + b"", 1)
    elif change == 6:  # invalid UTF-8
        raw = raw.replace(b'"text": "', b'"text": "\xed\xa0\x80', 1).replace(b'"text":"', b'"text":"\xc0\xaf', 1)
    return raw


@st.composite
def files(draw):
    body = draw(st.lists(lines() | st.sampled_from([b"", b"  ", b"\t\r", b"null", b"{}", b"1e400"]), min_size=1,
                         max_size=6))
    data = b"\n".join(body)
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data + draw(st.sampled_from([b"", b"\n", b"\r\n"]))


@needs_native
@FUZZ
@given(files())
def test_any_file_reads_the_same_both_ways(data):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_bytes(data)
        with path(True):
            fast = list(read_conversations([src]))
        with path(False):
            slow = list(read_conversations([src]))
    assert [plain(x) for x in fast] == [plain(x) for x in slow]
    good = [c for c in slow if isinstance(c, Conversation)]
    if good:
        inspector = _inspector()
        fast_good = [c for c in fast if isinstance(c, Conversation)]
        assert result_lines(inspector, fast_good, batched=True) == result_lines(inspector, good, batched=False)


_INSPECTORS: dict[str, Inspector] = {}


def _inspector() -> Inspector:
    if "zh" not in _INSPECTORS:
        _INSPECTORS["zh"] = Inspector.load("zh")
    return _INSPECTORS["zh"]


@needs_native
@FUZZ
@given(st.lists(st.binary(max_size=120), min_size=1, max_size=8))
def test_random_bytes_read_the_same_both_ways(raws):
    records = [("r.jsonl", n + 1, raw) for n, raw in enumerate(raws)]
    fast, slow = both(records)
    assert [plain(x) for x in fast] == [plain(x) for x in slow]


@needs_native
@pytest.mark.parametrize("number", [b"0", b"-0", b"-0.0", b"0.0", b"1", b"1.5", b"1e5", b"1E+05", b"2.5e-3",
                                    b"123456789012345", b"1234567890123456", b"0.1", b"1e99", b"1e100", b"1e-99",
                                    b"0.30000000000000004", b"9007199254740993.0", b"-1", b"01", b"1.", b".5",
                                    b"1e", b"+1", b"true", b"null", b'"5"', b"NaN", b"Infinity"])
def test_numbers_read_the_same_both_ways(number):
    rec = b'{"id": "n", "messages": [{"role": "agent", "text": "t", "offset": ' + number + b', "end": 1e6}]}'
    fast, slow = both([("n.jsonl", 1, rec)])
    assert [plain(x) for x in fast] == [plain(x) for x in slow]


@st.composite
def common_shape(draw):
    """Records of exactly the shape the compiled core reads, any numbers and texts: most are read
    natively, the rest (negative or huge numbers, end before offset) must be refused as Python does."""
    msgs = []
    for _ in range(draw(st.integers(1, 4))):
        m = {"role": draw(st.sampled_from(["customer", "agent", "bot", "system"])), "text": draw(odd_text)}
        if draw(st.integers(0, 3)):
            m["offset"] = draw(numbers) if rarely(draw, 4) else draw(times)
            if draw(st.booleans()):
                m["end"] = draw(numbers) if rarely(draw, 3) else m["offset"] + draw(st.floats(0, 100) | st.integers(0, 9))
        msgs.append(m)
    rec = {"id": draw(odd_text.filter(bool)), "messages": msgs}
    if draw(st.booleans()):
        rec["labels"] = draw(st.dictionaries(odd_text, json_values, max_size=3))
    if draw(st.booleans()):
        rec["channel"] = draw(st.sampled_from(["chat", "call", "email", "social"]))
    return encode(draw, rec)


@needs_native
@FUZZ
@given(st.lists(common_shape(), min_size=1, max_size=6))
def test_records_of_the_common_shape_read_the_same_both_ways(raws):
    records = [("c.jsonl", n + 1, raw) for n, raw in enumerate(raws)]
    fast, slow = both(records)
    assert [plain(x) for x in fast] == [plain(x) for x in slow]
    good = [c for c in slow if isinstance(c, Conversation)]
    if good:
        inspector = _inspector()
        fast_good = [c for c in fast if isinstance(c, Conversation)]
        assert result_lines(inspector, fast_good, batched=True) == result_lines(inspector, good, batched=True)


clause_text = st.text(alphabet=st.sampled_from(list("，,。！？!?；;\n.…  aAİßé1２五_-好的请问吗？为什么可不以能哪") + ["\U0002a6d6", "\U0001f600",
                                                                                              "\u3007", "Ⅻ", "\x00", "Σ", "σ", "ς", "ǅ"]),
                      max_size=30)


@needs_native
@FUZZ
@given(st.lists(st.lists(st.tuples(st.sampled_from(["customer", "agent"]), clause_text), min_size=1, max_size=6),
                min_size=1, max_size=5))
def test_the_clause_table_is_the_same_both_ways(dialogues):
    from servicecoach.quality.engine.model import Message

    convs = [Conversation(id=f"c{i}", messages=[Message(r, t) for r, t in d]) for i, d in enumerate(dialogues)]
    engine = _inspector().batch
    got = []
    for use_native in (True, False):
        with path(use_native):
            b = _Batch(engine, convs)
            cl = b.clauses()
            got.append(None if cl is None else ({k: v.tolist() for k, v in cl.items()}, b.questioned().tolist()))
    assert got[0] == got[1]


word_alphabet = st.sampled_from(["a", "b", "好", "\U0001f600", "é", "\n"])


@needs_native
@FUZZ
@given(st.lists(st.text(alphabet=word_alphabet, min_size=0, max_size=4), max_size=12), st.data())
def test_the_automaton_finds_what_every_matcher_backend_finds(words, data):
    from servicecoach.quality.engine.fast import Matcher, available_backends

    # texts made of the words (so that they occur, overlapping) and of other characters
    pieces = st.sampled_from(words) if words else word_alphabet
    text = "".join(data.draw(st.lists(pieces | st.text(alphabet=word_alphabet | st.just("x"), max_size=3),
                                      max_size=10)))
    words = list(dict.fromkeys(w for w in words if w))
    values, starts = native.Automaton(words).scan(text)
    got = sorted(zip(values.tolist(), starts.tolist()))
    for backend in available_backends():
        assert got == sorted(Matcher(words, backend).scan(text)), backend
    # a word given twice keeps its last value (as pyahocorasick's add_word)
    if words:
        values, _ = native.Automaton(words + [words[0]], list(range(len(words))) + [99]).scan(text)
        assert 0 not in values.tolist()


@needs_native
@FUZZ
@given(st.lists(st.lists(st.tuples(st.sampled_from(["customer", "agent"]),
                                   st.lists(st.sampled_from(list("我很生气不满意太差了谢谢好的!！?？…. ") + ["非常", "不", "ANGRY", "İ", "Σ"]),
                                            max_size=12).map("".join)),
                         min_size=1, max_size=6), min_size=1, max_size=6))
def test_customer_emotion_is_the_same_both_ways(dialogues):
    from servicecoach.quality.engine import emotion
    from servicecoach.quality.engine.model import Message

    convs = [Conversation(id=f"c{i}", messages=[Message(r, t) for r, t in d]) for i, d in enumerate(dialogues)]
    got = []
    for use_native in (True, False):
        with path(use_native):
            got.append(repr(emotion.analyse_batch(convs)))
    assert got[0] == got[1]
    assert got[0] == repr([emotion.analyse(c) for c in convs])
