"""Fuzzing the readers: no input makes them raise, every bad line gets exactly one ReadError with its
line number, and good lines still come out."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicecoach.quality.engine.model import Conversation
from servicecoach.quality.engine.readers import ConversationFormatError, ReadError, read_conversations

# More examples on demand: SERVICECOACH_FUZZ_EXAMPLES=5000 pytest tests/quality/engine/test_readers_fuzz.py
FUZZ = settings(
    max_examples=int(os.environ.get("SERVICECOACH_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

VALID = {
    "id": "ok",
    "channel": "call",
    "started_at": "2026-11-01T09:00:00+08:00",
    "agent": {"id": "A1", "name": "小李"},
    "messages": [
        {"role": "customer", "text": "我要投诉！", "at": "2026-11-01T09:00:03+08:00"},
        {"role": "agent", "text": "非常抱歉", "offset": 12, "end": 15.5, "agent_id": "A1"},
        {"role": "bot", "text": "", "at": "2026-11-01T09:01:00"},
    ],
    "labels": {"csat": 1, "tags": ["complaint"]},
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ["id", "source", "channel", "started_at", "agent", "customer", "messages", "labels"]
MESSAGE_FIELDS = ["role", "text", "at", "offset", "end", "agent_id"]


def read_bytes(data: bytes, suffix: str = ".jsonl") -> list:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"in{suffix}"
        path.write_bytes(data)
        return list(read_conversations([path]))


def nonblank_line_numbers(data: bytes) -> list[int]:
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    return [i for i, raw in enumerate(lines, start=1) if raw.strip(b" \t\r\n")]


def check_one_item_per_line(items: list, data: bytes) -> None:
    for item in items:
        assert isinstance(item, Conversation | ReadError)
        if isinstance(item, ReadError):
            assert item.reason and "\n" not in item.reason
    errors = [x.line for x in items if isinstance(x, ReadError)]
    assert len(errors) == len(set(errors))  # one message per bad line
    assert len(items) == len(nonblank_line_numbers(data))
    assert set(errors) <= set(nonblank_line_numbers(data))


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_never_raise_and_each_nonblank_line_gives_one_item(data):
    check_one_item_per_line(read_bytes(data), data)


@FUZZ
@given(st.lists(json_values, min_size=1, max_size=6))
def test_random_json_values_each_get_one_item(values):
    data = "\n".join(json.dumps(v) for v in values).encode()
    items = read_bytes(data)
    check_one_item_per_line(items, data)


@st.composite
def mutated_lines(draw):
    """Valid lines interleaved with lines broken in one of many ways."""
    lines: list[tuple[str, bool]] = []
    for i in range(draw(st.integers(1, 6))):
        obj = json.loads(json.dumps(VALID))
        obj["id"] = f"c{i}"
        how = draw(st.sampled_from(["keep", "field", "message_field", "drop", "truncate", "byte"]))
        if how == "keep":
            lines.append((json.dumps(obj, ensure_ascii=False), True))
            continue
        if how == "field":
            obj[draw(st.sampled_from(FIELDS))] = draw(json_values)
        elif how == "message_field":
            message = obj["messages"][draw(st.integers(0, 2))]
            message[draw(st.sampled_from(MESSAGE_FIELDS))] = draw(json_values)
        elif how == "drop":
            del obj[draw(st.sampled_from(["id", "messages"]))]
        text = json.dumps(obj, ensure_ascii=draw(st.booleans()))
        if how == "truncate":
            text = text[: draw(st.integers(0, len(text) - 1))]
        elif how == "byte":
            at = draw(st.integers(0, len(text)))
            text = (
                text[:at]
                + draw(st.sampled_from(["\x00", "}", "{", '"', "\\", ",", "\r", "é", "\udcff"]))
                + text[at:]
            )
        # "drop" always breaks the record; other mutations may happen to leave it valid
        lines.append((text, False))
    blank = draw(st.sampled_from(["", "  ", "\r"]))
    return lines, blank


@FUZZ
@given(mutated_lines())
def test_mutated_valid_lines(case):
    lines, blank = case
    rows = []
    for text, ok in lines:
        rows.append((text.encode("utf-8", "surrogatepass"), ok))
        rows.append((blank.encode(), None))
    data = b"\xef\xbb\xbf" + b"\n".join(raw for raw, _ in rows)
    items = read_bytes(data)
    check_one_item_per_line(items, data)
    by_line = {}
    for item in items:
        if isinstance(item, ReadError):
            by_line[item.line] = item
    good = [x for x in items if isinstance(x, Conversation)]
    kept = [json.loads(text)["id"] for text, ok in lines if ok]
    assert [c.id for c in good if c.id in kept] == kept  # unbroken lines all come out, in order
    for number, (_, ok) in enumerate(rows, start=1):
        if ok:
            assert number not in by_line


@FUZZ
@given(st.text(alphabet=st.sampled_from(list('c1,"\n\r;xa gent customer时间')), max_size=200))
def test_random_csv_never_raises(text):
    data = ("conversation_id,role,text,time\n" + text).encode()
    items = read_bytes(data, ".csv")
    assert all(isinstance(x, Conversation | ReadError) for x in items)
    errors = [x.line for x in items if isinstance(x, ReadError)]
    assert len(errors) == len(set(errors))


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_as_csv_or_excel_never_raise(data):
    for suffix in (".csv", ".xlsx"):
        items = read_bytes(data, suffix)
        assert all(isinstance(x, Conversation | ReadError) for x in items)


message_values = {
    "role": st.sampled_from(["customer", "agent", "bot", "system"]) | st.sampled_from(["boss", "", None, 1]),
    "text": st.sampled_from(["你好", ""]) | st.sampled_from([None, 3, ["x"]]),
    "offset": st.sampled_from([0, 3, 7.5, 100, -1, -0.5, math.inf, math.nan, True, None, "5"]),
    "end": st.sampled_from([0, 2, 8, 9.5, 200, -1, math.inf, math.nan, False, None]),
    "at": st.sampled_from(["2026-11-01T09:00:00+08:00", "2026-11-01T09:01:00", "noon"]),
    "agent_id": st.sampled_from(["A1", 7]),
    "extra": st.just(1),
}


@st.composite
def raw_messages(draw):
    out = []
    for _ in range(draw(st.integers(1, 5))):
        common = st.sampled_from([set(), {"offset"}, {"offset", "end"}])  # the shapes of the fast path
        keys = draw(common | st.sets(st.sampled_from(list(message_values)), max_size=5)) | {"role", "text"}
        out.append({key: draw(message_values[key]) for key in sorted(keys)})
    return out


@FUZZ
@given(raw_messages())
def test_fast_message_path_agrees_with_the_full_validation(messages):
    """The tight loop for the common case must accept exactly what the full check accepts, with the
    same result; whatever it declines goes to the full check."""
    from servicecoach.quality.engine.readers import DEFAULT_TZ, _messages_fast, _messages_full

    fast = _messages_fast(messages)
    try:
        full = _messages_full(messages, None, DEFAULT_TZ)
    except ConversationFormatError:
        full = None
    if fast is not None:
        assert fast == full
