"""Readers of conversation-v1 JSON Lines, CSV and Excel (servicecoach.quality.engine.readers)."""

from __future__ import annotations

import csv
import json
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook

from servicecoach.quality.engine.model import Conversation
from servicecoach.quality.engine.readers import (
    ConversationFormatError,
    ReadError,
    iter_jsonl_raw,
    parse_conversation,
    parse_jsonl_line,
    read_conversations,
)

EXAMPLE = {
    "id": "c-20261101-0001",
    "source": "shop-a",
    "channel": "chat",
    "started_at": "2026-11-01T09:00:00+08:00",
    "agent": "A017",
    "messages": [
        {"role": "customer", "text": "我的快递三天了还没到", "offset": 0},
        {"role": "agent", "text": "您好，很抱歉让您久等了，我马上为您查询", "offset": 18},
        {"role": "customer", "text": "好的", "offset": 40},
        {"role": "agent", "text": "已为您催促站点，预计明天送达。请问还有什么可以帮您？", "offset": 95},
    ],
    "labels": {"csat": 4},
}


def line(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def write_jsonl(path: Path, lines: list[str], *, bom: bool = False) -> Path:
    data = "\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))
    return path


def split(items):
    good = [x for x in items if isinstance(x, Conversation)]
    bad = [x for x in items if isinstance(x, ReadError)]
    return good, bad


def convo(**overrides):
    obj = {"id": "c1", "messages": [{"role": "customer", "text": "你好"}]}
    obj.update(overrides)
    return obj


# --------------------------------------------------------------------------- JSON Lines


def test_example_of_the_format_reads_with_every_field(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [line(EXAMPLE)])
    [c] = list(read_conversations([path]))
    assert c.id == "c-20261101-0001"
    assert c.source == "shop-a"
    assert c.channel == "chat"
    assert c.started_at == datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    assert c.agent_id == "A017"
    assert [m.role for m in c.messages] == ["customer", "agent", "customer", "agent"]
    assert [m.time for m in c.messages] == [0, 18, 40, 95]
    assert c.messages[2].text == "好的"
    assert c.labels == {"csat": 4}
    assert c.timed


def test_defaults_when_optional_fields_are_absent():
    c = parse_conversation(convo())
    assert (c.source, c.channel, c.started_at, c.agent_id, c.customer_id, c.labels) == (
        "default",
        "chat",
        None,
        None,
        None,
        {},
    )
    assert c.messages[0].time is None
    assert not c.timed


def test_unknown_label_keys_are_kept_as_they_are():
    labels = {"csat": 2, "stc3_quality_mean": {"A": -0.5, "S": 0.25}, "tags": ["refund"], "x-vendor": None}
    assert parse_conversation(convo(labels=labels)).labels == labels


def test_agent_and_customer_as_objects():
    c = parse_conversation(convo(agent={"id": "A1", "name": "小王"}, customer={"id": "U9", "vip": True}))
    assert (c.agent_id, c.agent_name, c.customer_id) == ("A1", "小王", "U9")


def test_times_from_at_are_relative_to_the_earliest_at():
    c = parse_conversation(
        convo(
            messages=[
                {"role": "customer", "text": "a", "at": "2026-11-01T09:00:05+08:00"},
                {"role": "agent", "text": "b", "at": "2026-11-01T01:00:35Z"},
                {"role": "customer", "text": "c", "offset": 100, "at": "2030-01-01T00:00:00+08:00"},
            ]
        )
    )
    # offset wins over at; at is measured from the first at when there is no started_at
    assert [m.time for m in c.messages] == [0.0, 30.0, 100.0]


def test_times_from_at_are_relative_to_started_at_and_naive_times_use_the_default_zone():
    obj = convo(
        started_at="2026-11-01T09:00:00",
        messages=[{"role": "customer", "text": "a", "at": "2026-11-01T09:01:00"}],
    )
    c = parse_conversation(obj)
    assert c.started_at == datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # Asia/Shanghai is UTC+8
    assert c.messages[0].time == 60.0
    c = parse_conversation(obj, default_tz="UTC")
    assert c.started_at == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    c = parse_conversation(obj, default_tz=timezone(timedelta(hours=-5)))
    assert c.started_at == datetime(2026, 11, 1, 14, 0, tzinfo=UTC)


def test_started_at_after_the_first_message_does_not_give_negative_times():
    c = parse_conversation(
        convo(
            started_at="2026-11-01T09:10:00+08:00",
            messages=[
                {"role": "customer", "text": "a", "at": "2026-11-01T09:00:00+08:00"},
                {"role": "agent", "text": "b", "at": "2026-11-01T09:00:20+08:00"},
            ],
        )
    )
    assert [m.time for m in c.messages] == [0.0, 20.0]


def test_call_messages_keep_end_and_agent_id():
    c = parse_conversation(
        convo(
            channel="call",
            messages=[
                {"role": "agent", "text": "您好", "offset": 0, "end": 1.5, "agent_id": "A2"},
                {"role": "customer", "text": "喂", "offset": 2, "end": 2.5},
            ],
        )
    )
    assert [(m.time, m.end, m.agent_id) for m in c.messages] == [(0.0, 1.5, "A2"), (2.0, 2.5, None)]
    assert c.has_call_audio


def test_bom_and_blank_lines_are_tolerated_and_line_numbers_count_them(tmp_path):
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [line(convo(id="x")), "", "   ", line(convo(id="y")), "{broken", line(convo(id="z"))],
        bom=True,
    )
    good, bad = split(list(read_conversations([path])))
    assert [c.id for c in good] == ["x", "y", "z"]
    assert [(e.line, e.reason.split(":")[0]) for e in bad] == [(5, "not valid JSON")]
    assert str(bad[0]).startswith(f"{path}:5: not valid JSON: ")


def test_crlf_line_endings(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes((line(convo(id="x")) + "\r\n\r\n" + line(convo(id="y")) + "\r\n").encode())
    assert [c.id for c in read_conversations([path])] == ["x", "y"]


@pytest.mark.parametrize("suffix", [".json", ".ndjson", ".JSONL"])
def test_other_json_lines_extensions(tmp_path, suffix):
    path = write_jsonl(tmp_path / f"a{suffix}", [line(convo())])
    assert [c.id for c in read_conversations([path])] == ["c1"]


BAD_RECORDS = [
    ("[1, 2]", "must be a JSON object, not an array"),
    ('"text"', "must be a JSON object, not a string"),
    ("null", "must be a JSON object, not null"),
    (line({"messages": [{"role": "agent", "text": ""}]}), "id: required"),
    (line(convo(id=12)), "id: must be a non-empty string"),
    (line(convo(id="")), "id: must be a non-empty string"),
    (line(convo(source=3)), "source: must be a string"),
    (line(convo(channel="fax")), "channel: must be one of chat, call, email, social"),
    (line(convo(started_at="yesterday")), "started_at: not an ISO 8601 time"),
    (line(convo(started_at=1700000000)), "started_at: must be an ISO 8601 time string"),
    (line(convo(agent=5)), "agent: must be a string or an object with an id"),
    (line(convo(agent={"name": "x"})), "agent.id: must have a string id"),
    (line(convo(agent={"id": "A", "name": 3})), "agent.name: must be a string"),
    (line(convo(customer=[])), "customer: must be a string or an object with an id"),
    (line(convo(labels=[1])), "labels: must be an object"),
    (line({"id": "c1"}), "messages: must be a non-empty list"),
    (line(convo(messages=[])), "messages: must be a non-empty list"),
    (line(convo(messages={"role": "agent"})), "messages: must be a non-empty list"),
    (line(convo(messages=[{"role": "agent", "text": "a"}, "hi"])), "messages[1]: must be an object"),
    (line(convo(messages=[{"text": "a"}])), "messages[0].role: required"),
    (
        line(convo(messages=[{"role": "agent", "text": "a"}] * 3 + [{"role": "boss", "text": "a"}])),
        "messages[3].role: must be one of customer, agent, bot, system",
    ),
    (line(convo(messages=[{"role": "agent"}])), "messages[0].text: required"),
    (line(convo(messages=[{"role": "agent", "text": None}])), "messages[0].text: must be a string"),
    (line(convo(messages=[{"role": "agent", "text": 5}])), "messages[0].text: must be a string"),
    (
        line(convo(messages=[{"role": "agent", "text": "a", "offset": "5"}])),
        "messages[0].offset: must be a number",
    ),
    (
        line(convo(messages=[{"role": "agent", "text": "a", "offset": True}])),
        "messages[0].offset: must be a number",
    ),
    (
        line(convo(messages=[{"role": "agent", "text": "a", "offset": -1}])),
        "messages[0].offset: must not be negative",
    ),
    (
        line(convo(messages=[{"role": "agent", "text": "a", "at": "noon"}])),
        "messages[0].at: not an ISO 8601 time",
    ),
    (line(convo(messages=[{"role": "agent", "text": "a", "end": [1]}])), "messages[0].end: must be a number"),
    (
        line(convo(messages=[{"role": "agent", "text": "a", "offset": 10, "end": 4}])),
        "messages[0].end: must not be before the message starts (10 s)",
    ),
    (
        line(convo(messages=[{"role": "agent", "text": "a", "agent_id": 7}])),
        "messages[0].agent_id: must be a string",
    ),
]


@pytest.mark.parametrize(("record", "reason"), BAD_RECORDS)
def test_every_kind_of_bad_record_is_reported_with_its_field_and_skipped(tmp_path, record, reason):
    path = write_jsonl(tmp_path / "in.jsonl", [line(convo(id="before")), record, line(convo(id="after"))])
    items = list(read_conversations([path]))
    assert [getattr(x, "id", None) for x in items] == ["before", None, "after"]
    assert items[1] == ReadError(str(path), 2, reason)
    assert str(items[1]) == f"{path}:2: {reason}"


def test_invalid_json_reason_quotes_the_decoder():
    with pytest.raises(ConversationFormatError) as info:
        parse_jsonl_line(b'{"id": ', file="f.jsonl", line=7)
    assert (info.value.file, info.value.line) == ("f.jsonl", 7)
    assert info.value.reason.startswith("not valid JSON: unexpected end of data")
    assert str(info.value).startswith("f.jsonl:7: not valid JSON")


def test_invalid_utf8_and_nan_are_reported_not_raised(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(
        b'{"id": "\xff"}\n{"id": "c", "messages": [{"role": "agent", "text": "", "offset": NaN}]}\n'
    )
    items = list(read_conversations([path]))
    assert [(e.line, e.reason.split(":")[0]) for e in items] == [(1, "not valid JSON"), (2, "not valid JSON")]


def test_parse_conversation_error_carries_place_and_path():
    with pytest.raises(ConversationFormatError) as info:
        parse_conversation(
            convo(messages=[{"role": "agent", "text": "a"}, {"role": "x", "text": ""}]), file="api", line=3
        )
    err = info.value
    assert (err.file, err.line, err.path) == ("api", 3, ("messages", 1, "role"))
    assert err.reason == "messages[1].role: must be one of customer, agent, bot, system"
    assert err.to_read_error() == ReadError("api", 3, err.reason)
    assert parse_conversation(convo(id="ok")).id == "ok"
    with pytest.raises(ConversationFormatError):
        parse_conversation(float("nan"))  # not a dict at all
    with pytest.raises(ConversationFormatError, match="must be a finite number"):
        parse_conversation(convo(messages=[{"role": "agent", "text": "", "offset": float("inf")}]))


def test_iter_jsonl_raw_gives_line_numbers_and_stripped_bytes(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", ['  {"a": 1}  ', "", "[2]"], bom=True)
    assert list(iter_jsonl_raw(path)) == [(1, b'{"a": 1}'), (3, b"[2]")]
    assert parse_jsonl_line(line(convo(id="q")).encode(), file="f", line=1).id == "q"


def test_a_single_path_may_be_given_bare(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [line(convo(id="solo"))])
    assert [c.id for c in read_conversations(path)] == ["solo"]
    assert [c.id for c in read_conversations(str(path))] == ["solo"]


def test_several_files_in_order_with_a_missing_one_and_an_unknown_type(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [line(convo(id="a1"))])
    b = write_jsonl(tmp_path / "b.jsonl", [line(convo(id="b1"))])
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    items = list(read_conversations([a, tmp_path / "missing.jsonl", txt, str(b)]))
    assert [getattr(x, "id", None) for x in items] == ["a1", None, None, "b1"]
    assert items[1].line == 0 and items[1].reason.startswith("cannot read the file: No such file")
    assert items[2] == ReadError(
        str(txt), 0, "unsupported file type '.txt': use .jsonl, .ndjson, .json, .csv or .xlsx"
    )


# --------------------------------------------------------------------------- CSV


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_csv_one_message_per_row_groups_contiguous_rows(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["conversation_id", "role", "text", "time", "source", "channel", "agent", "customer", "end"],
            ["c1", "customer", "快递还没到", "0", "shop", "call", "A1", "U1", "2.5"],
            ["c1", "agent", "马上查询", "3", "", "", "", "", "4"],
            ["c2", "Customer", "hello", "2026-11-01T09:00:00+08:00", "", "", "", "", ""],
            ["c2", "agent", "", "2026-11-01T09:00:30+08:00", "", "", "", "", ""],
        ],
    )
    c1, c2 = list(read_conversations([path]))
    assert (c1.id, c1.source, c1.channel, c1.agent_id, c1.customer_id) == ("c1", "shop", "call", "A1", "U1")
    assert [(m.role, m.text, m.time, m.end) for m in c1.messages] == [
        ("customer", "快递还没到", 0.0, 2.5),
        ("agent", "马上查询", 3.0, 4.0),
    ]
    assert (c2.source, c2.channel) == ("default", "chat")
    assert [(m.role, m.text, m.time) for m in c2.messages] == [
        ("customer", "hello", 0.0),
        ("agent", "", 30.0),
    ]


def test_csv_minimal_columns_id_header_alias_bom_and_case(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [["ID", "Role", "Text"], ["7", "agent", "您好"]], encoding="utf-8-sig"
    )
    [c] = list(read_conversations([path]))
    assert (c.id, c.messages[0].role, c.messages[0].text, c.messages[0].time) == ("7", "agent", "您好", None)


def test_csv_column_mapping(tmp_path):
    path = write_csv(
        tmp_path / "export.csv",
        [
            ["会话ID", "角色", "内容", "时间", "客服"],
            ["s1", "agent", "您好", "5", "A9"],
            ["s1", "customer", "在吗", "9", ""],
        ],
    )
    mapping = {"id": "会话ID", "role": "角色", "text": "内容", "time": "时间", "agent": "客服"}
    [c] = list(read_conversations([path], csv_columns=mapping))
    assert (c.id, c.agent_id, [m.time for m in c.messages]) == ("s1", "A9", [5.0, 9.0])
    items = list(read_conversations([path]))  # default names do not fit this file
    assert items == [ReadError(str(path), 1, "missing column(s): conversation_id, role, text")]


def test_csv_column_mapping_with_an_unknown_field_is_refused_at_once():
    with pytest.raises(ValueError, match="csv_columns: unknown field"):
        read_conversations(["x.csv"], csv_columns={"speaker": "who"})


def test_csv_bad_row_skips_its_conversation_once_naming_row_and_column(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["conversation_id", "speaker", "text", "time"],
            ["c1", "agent", "ok", "0"],
            ["c2", "agent", "fine", "0"],
            ["c2", "boss", "bad", "1"],
            ["c2", "nobody", "bad too", "2"],
            ["c3", "agent", "later", "soon"],
            ["c5", "agent", "early", "-3"],
            ["", "agent", "orphan", "1"],
            ["c4", "agent", "ok", "1"],
        ],
    )
    items = list(read_conversations([path], csv_columns={"role": "speaker"}))
    assert [getattr(x, "id", None) for x in items] == ["c1", None, None, None, None, "c4"]
    assert [str(e) for e in items if isinstance(e, ReadError)] == [
        f"{path}:4: speaker: must be one of customer, agent, bot, system (conversation 'c2' skipped)",
        f"{path}:6: time: must be a number of seconds or an ISO 8601 time (conversation 'c3' skipped)",
        f"{path}:7: time: must not be negative (conversation 'c5' skipped)",
        f"{path}:8: conversation_id: required",
    ]


def test_csv_conversation_that_is_not_contiguous_is_reported_where_it_comes_back(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["conversation_id", "role", "text"],
            ["c1", "customer", "one"],
            ["c2", "customer", "two"],
            ["c1", "agent", "late reply"],
            ["c1", "agent", "another late reply"],
            ["c3", "customer", "three"],
        ],
    )
    items = list(read_conversations([path]))
    assert [getattr(x, "id", None) for x in items] == ["c1", "c2", None, "c3"]
    assert items[0].messages[0].text == "one" and len(items[0].messages) == 1
    assert items[2].line == 4
    assert items[2].reason.startswith(
        "conversation_id: conversation 'c1' seen again after other conversations"
    )


def test_csv_quoted_newlines_count_as_one_row_and_blank_rows_are_skipped(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [["conversation_id", "role", "text"], ["c1", "customer", "第一行\n第二行"], [], ["c1", "robot", "x"]],
    )
    [err] = list(read_conversations([path]))
    assert err.line == 4  # header 1, the two-line cell is row 2, the blank row 3
    assert "\n" not in str(err)


def test_csv_not_utf8_is_reported_with_a_hint(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("conversation_id,role,text\nc1,客服,您好\n".encode("gbk"))
    [err] = list(read_conversations([path]))
    assert err.line == 2
    assert err.reason.startswith(
        "role: must be one of customer, agent, bot, system (the file is not valid UTF-8"
    )


def test_csv_empty_file(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(b"")
    assert list(read_conversations([path])) == [ReadError(str(path), 0, "empty file: no header row")]


# --------------------------------------------------------------------------- Excel


def test_excel_same_layout_with_typed_cells(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["conversation_id", "role", "text", "time", "end"])
    ws.append([1001, "customer", "电话打不通", datetime(2026, 11, 1, 9, 0, 0), None])
    ws.append([1001, "agent", "抱歉", datetime(2026, 11, 1, 9, 0, 45), None])
    ws.append(["c2", "agent", "您好", 0, 1.5])
    ws.append(["c2", "customer", None, 2, 3])
    ws.append(["c3", "agent", "x", "later", None])
    ws.append([None, None, None, None, None])
    ws.append(["c4", "customer", "y", 1, None])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    items = list(read_conversations([path]))
    assert [getattr(x, "id", None) for x in items] == ["1001", "c2", None, "c4"]
    c1, c2 = items[0], items[1]
    assert c1.started_at is None and [m.time for m in c1.messages] == [0.0, 45.0]
    assert [(m.text, m.time, m.end) for m in c2.messages] == [("您好", 0.0, 1.5), ("", 2.0, 3.0)]
    assert str(items[2]) == (
        f"{path}:6: time: must be a number of seconds or an ISO 8601 time (conversation 'c3' skipped)"
    )


def test_excel_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    [err] = list(read_conversations([path]))
    assert err.line == 0 and err.reason.startswith("not a readable Excel workbook")


# --------------------------------------------------------------------------- streaming


def big_jsonl(path: Path, count: int) -> Path:
    messages = [
        {"role": "customer" if i % 2 else "agent", "text": "您好请问有什么可以帮您" * 20, "offset": i * 7}
        for i in range(20)
    ]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(count):
            fh.write(line({"id": f"c{i}", "messages": messages}) + "\n")
    return path


def test_reading_is_lazy_and_memory_does_not_grow_with_the_file(tmp_path):
    path = big_jsonl(tmp_path / "big.jsonl", 1000)
    size = path.stat().st_size
    assert size > 10_000_000
    tracemalloc.start()
    try:
        items = read_conversations([path])
        first = next(items)
        _, peak_first = tracemalloc.get_traced_memory()
        count = 1 + sum(1 for _ in items)
        _, peak_all = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first.id == "c0" and count == 1000
    # Holding the file would take > 10 MB; one conversation at a time stays a tiny fraction of it.
    assert peak_first < 500_000
    assert peak_all < 500_000


def test_csv_reading_is_lazy(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["conversation_id", "role", "text", "time"])
        for i in range(40000):
            writer.writerow([f"c{i // 20}", "agent", "您好请问有什么可以帮您" * 3, i % 20])
    assert path.stat().st_size > 3_000_000
    tracemalloc.start()
    try:
        items = read_conversations([path])
        first = next(items)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first.id == "c0" and len(first.messages) == 20
    assert peak < 300_000
