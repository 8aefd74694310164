"""Read conversations from conversation-v1 JSON Lines, CSV and Excel, streaming.

Every reader yields one :class:`~servicecoach.quality.engine.model.Conversation` per good record and
one :class:`ReadError` per bad record, then carries on: a bad record never stops a file, and nothing
here raises on bad input. Memory stays flat in the size of a file: a file is read one line (JSON
Lines) or one row (CSV, Excel) at a time and only the conversation being built is held.

Formats, chosen by the file's extension:

- ``.jsonl``, ``.ndjson``, ``.json``: conversation-v1 (``shared/formats/conversation-v1.md``): one
  conversation per line, blank lines ignored, a UTF-8 byte-order mark tolerated. A ``.json`` file is
  read as JSON Lines too (a pretty-printed single document gets one error per line).
- ``.csv``: one message per row, first row headers, UTF-8 (a byte-order mark is tolerated). Columns
  (our field name -> default header): ``id`` -> ``conversation_id`` (``id`` is accepted too), ``role``,
  ``text``, ``time`` (a number of seconds since the start, or an ISO 8601 time), and optional
  ``source``, ``channel``, ``agent``, ``customer``, ``end`` (seconds), ``agent_id``. Headers are matched
  case-insensitively; ``csv_columns`` maps our field names to the file's headers. Conversation-level
  columns (source, channel, agent, customer) are taken from the first non-empty cell of the
  conversation.
- ``.xlsx``: the same layout as CSV on the workbook's first worksheet.

CSV and Excel: the rows of one conversation must be contiguous. A conversation id seen again after
another conversation started is a :class:`ReadError` at that row and the rows of that second run are
skipped (the first run has already been yielded). To detect this the reader remembers the ids seen
in the file (a few dozen bytes per conversation: the only memory that grows with the input). A bad
row makes its whole conversation a single :class:`ReadError` at the first bad row (a partial
conversation would be scored wrongly), so each skipped conversation is counted once.

Times: ``time`` is ``offset`` when given, else ``at`` minus the earliest of ``started_at`` and the
messages' ``at``. Naive times are read in ``default_tz`` (Asia/Shanghai unless told otherwise).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from . import native
from .model import CHANNELS, ROLES, Conversation, Message

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_FIELDS = ("id", "role", "text", "time", "source", "channel", "agent", "customer", "end", "agent_id")
REQUIRED_CSV_FIELDS = ("id", "role", "text")
DEFAULT_CSV_COLUMNS = {field: field for field in CSV_FIELDS} | {"id": "conversation_id"}

_ROLES = frozenset(ROLES)
_CHANNELS = frozenset(CHANNELS)
_ROLE_RULE = "must be one of " + ", ".join(ROLES)
_CHANNEL_RULE = "must be one of " + ", ".join(CHANNELS)
_BOM = b"\xef\xbb\xbf"
_JSON_WS = b" \t\r\n"


@dataclass(slots=True, frozen=True)
class ReadError:
    """A record that was skipped: where it is and why."""

    file: str
    line: int  # JSON line number, or CSV/Excel row (header = row 1); 0 = the whole file
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class ConversationFormatError(ValueError):
    """A decoded record that is not a valid conversation. ``path`` names the field at fault
    (``("messages", 3, "role")``), ``rule`` what is wrong with it; ``reason`` joins the two."""

    def __init__(self, rule: str, *, path: tuple[str | int, ...] = (), file: str = "<input>", line: int = 0):
        self.path = path
        self.rule = rule
        self.file = file
        self.line = line
        self.reason = f"{format_path(path)}: {rule}" if path else rule
        super().__init__(f"{file}:{line}: {self.reason}")

    def to_read_error(self) -> ReadError:
        return ReadError(self.file, self.line, self.reason)


def format_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# --------------------------------------------------------------------------- validation of one dict


def _tz(default_tz: tzinfo | str | None) -> tzinfo:
    if default_tz is None:
        return DEFAULT_TZ
    if isinstance(default_tz, str):
        return ZoneInfo(default_tz)
    return default_tz


def _parse_time(value: Any, path: tuple[str | int, ...], tz: tzinfo) -> datetime:
    if not isinstance(value, str):
        raise ConversationFormatError("must be an ISO 8601 time string", path=path)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConversationFormatError("not an ISO 8601 time", path=path) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _number(value: Any, path: tuple[str | int, ...]) -> float:
    # bool is an int in Python but never a number of seconds.
    if type(value) is bool or not isinstance(value, int | float):
        raise ConversationFormatError("must be a number", path=path)
    if isinstance(value, float) and not math.isfinite(value):
        raise ConversationFormatError("must be a finite number", path=path)
    if value < 0:
        raise ConversationFormatError("must not be negative", path=path)
    return float(value)


def _party(value: Any, name: str) -> tuple[str, str | None]:
    """``agent``/``customer``: an id string, or an object with a string ``id`` (and ``name``)."""
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict):
        pid = value.get("id")
        if not isinstance(pid, str):
            raise ConversationFormatError("must have a string id", path=(name, "id"))
        pname = value.get("name")
        if pname is not None and not isinstance(pname, str):
            raise ConversationFormatError("must be a string", path=(name, "name"))
        return pid, pname
    raise ConversationFormatError("must be a string or an object with an id", path=(name,))


def _optional_str(obj: dict, key: str, default: str | None = None) -> str | None:
    value = obj.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ConversationFormatError("must be a string", path=(key,))
    return value


def _validate(obj: Any, tz: tzinfo) -> Conversation:
    if not isinstance(obj, dict):
        raise ConversationFormatError(f"must be a JSON object, not {_json_kind(obj)}")
    cid = obj.get("id")
    if cid is None:
        raise ConversationFormatError("required", path=("id",))
    if not isinstance(cid, str) or not cid:
        raise ConversationFormatError("must be a non-empty string", path=("id",))
    source = _optional_str(obj, "source", "default") or "default"
    channel = _optional_str(obj, "channel", "chat")
    if channel not in _CHANNELS:
        raise ConversationFormatError(_CHANNEL_RULE, path=("channel",))
    started_at = obj.get("started_at")
    if started_at is not None:
        started_at = _parse_time(started_at, ("started_at",), tz)
    agent_id = agent_name = customer_id = None
    if obj.get("agent") is not None:
        agent_id, agent_name = _party(obj["agent"], "agent")
    if obj.get("customer") is not None:
        customer_id, _ = _party(obj["customer"], "customer")
    labels = obj.get("labels")
    if labels is None:
        labels = {}
    elif not isinstance(labels, dict):
        raise ConversationFormatError("must be an object", path=("labels",))

    raw_messages = obj.get("messages")
    if not isinstance(raw_messages, list) or not raw_messages:
        raise ConversationFormatError("must be a non-empty list", path=("messages",))
    messages = _messages_fast(raw_messages)
    if messages is None:
        messages = _messages_full(raw_messages, started_at, tz)
    return Conversation(
        id=cid,
        messages=messages,
        source=source,
        channel=channel,
        started_at=started_at,
        agent_id=agent_id,
        agent_name=agent_name,
        customer_id=customer_id,
        labels=labels,
    )


def _messages_full(raw_messages: list, started_at: datetime | None, tz: tzinfo) -> list[Message]:
    """Validate every field of every message, naming the first one at fault."""
    messages: list[Message] = []
    stamps: list[tuple[int, datetime]] = []  # messages timed by ``at`` only
    for i, raw in enumerate(raw_messages):
        if not isinstance(raw, dict):
            raise ConversationFormatError("must be an object", path=("messages", i))
        role = raw.get("role")
        if type(role) is not str or role not in _ROLES:
            if role is None:
                raise ConversationFormatError("required", path=("messages", i, "role"))
            raise ConversationFormatError(_ROLE_RULE, path=("messages", i, "role"))
        text = raw.get("text")
        if not isinstance(text, str):
            if text is None and "text" not in raw:
                raise ConversationFormatError("required", path=("messages", i, "text"))
            raise ConversationFormatError("must be a string", path=("messages", i, "text"))
        when = None
        offset = raw.get("offset")
        if offset is not None:
            when = _number(offset, ("messages", i, "offset"))
        elif raw.get("at") is not None:
            stamps.append((i, _parse_time(raw["at"], ("messages", i, "at"), tz)))
        end = raw.get("end")
        if end is not None:
            end = _number(end, ("messages", i, "end"))
        agent = raw.get("agent_id")
        if agent is not None and not isinstance(agent, str):
            raise ConversationFormatError("must be a string", path=("messages", i, "agent_id"))
        messages.append(Message(role, text, when, end, agent))

    if stamps:
        try:
            base = min(t for _, t in stamps)
            if isinstance(started_at, datetime) and started_at < base:
                base = started_at
            for i, stamp in stamps:
                messages[i].time = (stamp - base).total_seconds()
        except (OverflowError, ValueError):
            raise ConversationFormatError(
                "time out of range", path=("messages", stamps[0][0], "at")
            ) from None
    for i, message in enumerate(messages):
        if message.end is not None and message.time is not None and message.end < message.time:
            raise ConversationFormatError(
                f"must not be before the message starts ({message.time:g} s)", path=("messages", i, "end")
            )
    return messages


_INF = math.inf


def _messages_fast(raw_messages: list) -> list[Message] | None:
    """The common case (role, text, optional offset and end; nothing else) checked in one tight
    loop; None as soon as anything else is seen, and :func:`_messages_full` decides (and explains).
    A property test holds the two equal. The messages are made without the dataclass ``__init__``
    (a Python call per message, a third of this loop's time): a blank object, its five slots set."""
    messages = []
    append = messages.append
    roles = _ROLES
    new = _new
    for raw in raw_messages:
        if raw.__class__ is not dict:
            return None
        role = raw.get("role")
        text = raw.get("text")
        if role.__class__ is not str or role not in roles or text.__class__ is not str:
            return None
        size = len(raw)
        message = new(Message)
        message.role = role
        message.text = text
        message.agent_id = None
        if size == 2:
            message.time = message.end = None
            append(message)
            continue
        offset = raw.get("offset")
        if (offset.__class__ is not int and offset.__class__ is not float) or not 0 <= offset < _INF:
            return None
        message.time = float(offset)
        if size == 3:
            message.end = None
            append(message)
            continue
        end = raw.get("end")
        if size != 4 or (end.__class__ is not int and end.__class__ is not float) or not offset <= end < _INF:
            return None
        message.end = float(end)
        append(message)
    return messages


_new = object.__new__


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return type(value).__name__


def parse_conversation(
    obj: Any, *, file: str = "<input>", line: int = 0, default_tz: tzinfo | str | None = None
) -> Conversation:
    """Validate one decoded conversation-v1 record and build its :class:`Conversation`.

    The one place a decoded dict is validated (the readers and the REST API use it). Raises
    :class:`ConversationFormatError` naming the field at fault, e.g. ``messages[3].role: must be one
    of customer, agent, bot, system``."""
    try:
        return _validate(obj, _tz(default_tz))
    except ConversationFormatError as exc:
        exc.file, exc.line = file, line
        exc.args = (f"{file}:{line}: {exc.reason}",)
        raise


# --------------------------------------------------------------------------- JSON Lines


def iter_jsonl_raw(path: str | Path) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line number, bytes)`` for each non-blank line of a JSON Lines file, a leading BOM
    removed and surrounding whitespace stripped. Raises OSError if the file cannot be opened."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[3:]
            raw = raw.strip(_JSON_WS)
            if raw:
                yield number, raw


def parse_jsonl_line(
    raw: bytes, *, file: str = "<input>", line: int = 0, default_tz: tzinfo | str | None = None
) -> Conversation:
    """Decode and validate one JSON Lines record; raises :class:`ConversationFormatError`."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ConversationFormatError(f"not valid JSON: {exc}", file=file, line=line) from None
    return parse_conversation(obj, file=file, line=line, default_tz=default_tz)


def parse_jsonl_records(
    records: Sequence[tuple[str, int, bytes]], *, default_tz: tzinfo | str | None = None
) -> list[Conversation | ConversationFormatError]:
    """:func:`parse_jsonl_line` for many records ``(file, line number, bytes)``: for each, in order,
    its :class:`Conversation` or the :class:`ConversationFormatError` that explains it. With the
    compiled core (:mod:`.native`, unless ``SERVICECOACH_QA_NATIVE=0``) the records of the common
    shape are read straight into columns; every other record, and every bad one, is read by
    :func:`parse_jsonl_line`, so conversations and messages are the same either way."""
    fast: list[Any] = native.parse_records([r[2] for r in records]) if native.enabled() else [None] * len(records)
    tz = _tz(default_tz)
    out: list[Conversation | ConversationFormatError] = []
    for (name, number, raw), conv in zip(records, fast):
        if conv is None:
            try:
                conv = parse_jsonl_line(raw, file=name, line=number, default_tz=tz)
            except ConversationFormatError as exc:
                conv = exc
        out.append(conv)
    return out


# JSON lines read together (the compiled core reads a chunk at once): at most this many lines and
# about this many bytes, so that memory stays a small constant however long the lines
_CHUNK_LINES = 256
_CHUNK_BYTES = 64 * 1024


def _read_jsonl(path: Path, name: str, tz: tzinfo) -> Iterator[Conversation | ReadError]:
    chunk: list[tuple[str, int, bytes]] = []
    size = 0
    for number, raw in iter_jsonl_raw(path):
        chunk.append((name, number, raw))
        size += len(raw)
        if len(chunk) >= _CHUNK_LINES or size >= _CHUNK_BYTES:
            yield from _records(chunk, tz)
            chunk, size = [], 0
    if chunk:
        yield from _records(chunk, tz)


def _records(chunk: list[tuple[str, int, bytes]], tz: tzinfo) -> Iterator[Conversation | ReadError]:
    for got in parse_jsonl_records(chunk, default_tz=tz):
        yield got.to_read_error() if isinstance(got, ConversationFormatError) else got


# --------------------------------------------------------------------------- CSV and Excel


class _Columns:
    """Where each of our fields sits in a header row, and the header name to report it by."""

    def __init__(self, header: list[Any], mapping: dict[str, str], defaults: bool):
        names = [("" if h is None else str(h)).strip() for h in header]
        lowered = [n.casefold() for n in names]
        self.index: dict[str, int] = {}
        self.header: dict[str, str] = {}
        missing = []
        for field in CSV_FIELDS:
            wanted = [mapping[field]]
            if defaults and field == "id":
                wanted.append("id")
            for want in wanted:
                want_key = want.strip().casefold()
                if want_key in lowered:
                    self.index[field] = lowered.index(want_key)
                    self.header[field] = names[self.index[field]]
                    break
            else:
                self.header[field] = mapping[field]
                if field in REQUIRED_CSV_FIELDS:
                    missing.append(mapping[field])
        self.missing = missing

    def get(self, row: tuple | list, field: str) -> Any:
        i = self.index.get(field)
        if i is None or i >= len(row):
            return None
        value = row[i]
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value


def _cell_text(value: Any, tz: tzinfo) -> str | None:
    """A cell as text (Excel gives numbers and datetimes, CSV strings)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell_time(value: Any) -> tuple[str, Any] | None:
    """A ``time`` cell: seconds since the start (``offset``) or an ISO 8601 time (``at``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "at", value  # refused by validation with the column's name
    if isinstance(value, int | float):
        return "offset", value
    if isinstance(value, datetime):
        return "at", value.isoformat()
    if isinstance(value, date | time):
        return "at", repr(value)  # a date or a clock time alone is not a point in time
    text = str(value)
    try:
        return "offset", float(text)
    except ValueError:
        return "at", text


def _cell_number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


_TYPE_RULES = ("must be a number", "not an ISO 8601 time", "must be an ISO 8601 time string")
_CSV_RULES = {
    "offset": "must be a number of seconds or an ISO 8601 time",
    "at": "must be a number of seconds or an ISO 8601 time",
}


def _rows_to_conversations(
    rows: Iterator[tuple[int, tuple | list]], name: str, mapping: dict[str, str], defaults: bool, tz: tzinfo
) -> Iterator[Conversation | ReadError]:
    """Group contiguous rows by conversation id; ``rows`` yields (row number, cells), header first."""
    header_row = next(rows, None)
    if header_row is None:
        yield ReadError(name, 0, "empty file: no header row")
        return
    if isinstance(header_row[1], ReadError):
        yield header_row[1]
        return
    columns = _Columns(list(header_row[1]), mapping, defaults)
    if columns.missing:
        yield ReadError(name, 1, "missing column(s): " + ", ".join(columns.missing))
        return
    seen: set[str] = set()
    current: str | None = None
    group: list[tuple[int, tuple | list]] = []
    skipping: str | None = None  # id of a non-contiguous run being skipped

    pending: list[ReadError] = []  # row errors inside the current conversation's run, kept in row order

    def flush() -> Iterator[Conversation | ReadError]:
        if group:
            yield _group_to_conversation(group, columns, name, tz)
        yield from pending
        pending.clear()

    for number, row in rows:
        if isinstance(row, ReadError):
            pending.append(row)
            continue
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
            continue
        cid = _cell_text(columns.get(row, "id"), tz)
        if cid is None:
            pending.append(ReadError(name, number, f"{columns.header['id']}: required"))
            continue
        if cid == current:
            group.append((number, row))
            continue
        if cid == skipping:
            continue
        yield from flush()
        group, current, skipping = [], None, None
        if cid in seen:
            skipping = cid
            yield ReadError(
                name,
                number,
                f"{columns.header['id']}: conversation {cid!r} seen again after other conversations "
                "(the rows of one conversation must be contiguous); these rows are skipped",
            )
            continue
        seen.add(cid)
        current = cid
        group = [(number, row)]
    yield from flush()


def _group_to_conversation(
    group: list[tuple[int, tuple | list]], columns: _Columns, name: str, tz: tzinfo
) -> Conversation | ReadError:
    first = group[0][1]
    obj: dict[str, Any] = {"id": _cell_text(columns.get(first, "id"), tz)}
    for field in ("source", "channel", "agent", "customer"):
        for _, row in group:
            value = columns.get(row, field)
            if value is not None:
                obj[field] = _cell_text(value, tz)
                break
    messages = []
    for _, row in group:
        message: dict[str, Any] = {
            "role": columns.get(row, "role"),
            "text": _cell_text(columns.get(row, "text"), tz),
        }
        if message["role"] is not None:
            message["role"] = _cell_text(message["role"], tz).casefold()
        if message["text"] is None:
            message["text"] = ""  # an empty cell is an empty message (a non-text event)
        when = _cell_time(columns.get(row, "time"))
        if when is not None:
            message[when[0]] = when[1]
        end = columns.get(row, "end")
        if end is not None:
            message["end"] = _cell_number(end)
        agent_id = columns.get(row, "agent_id")
        if agent_id is not None:
            message["agent_id"] = _cell_text(agent_id, tz)
        messages.append(message)
    obj["messages"] = messages
    try:
        return _validate(obj, tz)
    except ConversationFormatError as exc:
        path = exc.path
        number = group[0][0]
        field = path[0] if path else "id"
        if len(path) >= 3 and path[0] == "messages":
            number = group[path[1]][0]
            field = path[2]
        elif path and path[0] in ("agent", "customer"):
            field = path[0]
        column_field = {"offset": "time", "at": "time"}.get(field, field)
        header = columns.header.get(column_field, str(column_field))
        rule = exc.rule
        if field in _CSV_RULES and rule in _TYPE_RULES:  # one column holds both kinds of time
            rule = _CSV_RULES[field]
        if any(_has_surrogates(cell) for _, row in group for cell in row):
            rule += " (the file is not valid UTF-8: save it as UTF-8)"
        return ReadError(name, number, f"{header}: {rule} (conversation {obj['id']!r} skipped)")


def _has_surrogates(cell: Any) -> bool:
    return isinstance(cell, str) and any("\udc80" <= ch <= "\udcff" for ch in cell)


def _csv_rows(path: Path, name: str) -> Iterator[tuple[int, list[str] | ReadError]]:
    with open(path, "rb") as raw:
        # Bytes that are not UTF-8 become lone surrogates, so the row is reported, not the whole file.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.reader(text)
        number = 0
        while True:
            number += 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield number, ReadError(name, number, f"not valid CSV: {exc}")
                continue
            yield number, row


def _xlsx_rows(path: Path, name: str) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


# --------------------------------------------------------------------------- entry point


def _columns_mapping(csv_columns: dict[str, str] | None) -> dict[str, str]:
    if not csv_columns:
        return dict(DEFAULT_CSV_COLUMNS)
    unknown = sorted(set(csv_columns) - set(CSV_FIELDS))
    if unknown:
        raise ValueError(
            f"csv_columns: unknown field(s) {', '.join(unknown)}; the fields are {', '.join(CSV_FIELDS)}"
        )
    return DEFAULT_CSV_COLUMNS | dict(csv_columns)


def read_conversations(
    paths: Iterable[str | Path],
    *,
    csv_columns: dict[str, str] | None = None,
    default_tz: tzinfo | str | None = DEFAULT_TZ,
) -> Iterator[Conversation | ReadError]:
    """Stream conversations (and :class:`ReadError` for skipped records) from files, in order.

    ``csv_columns`` maps our CSV field names (``id``, ``role``, ``text``, ``time``, ``source``,
    ``channel``, ``agent``, ``customer``, ``end``, ``agent_id``) to the file's headers; an unknown
    field name raises ValueError at once. A file that cannot be opened or has an unknown extension
    is one ReadError with line 0."""
    mapping = _columns_mapping(csv_columns)
    defaults = not csv_columns or "id" not in csv_columns
    if isinstance(paths, str | Path):  # one path given bare: not a string of one-letter paths
        paths = [paths]
    return _read_all(paths, mapping, defaults, _tz(default_tz))


def _read_all(
    paths: Iterable[str | Path], mapping: dict[str, str], defaults: bool, tz: tzinfo
) -> Iterator[Conversation | ReadError]:
    for item in paths:
        path = Path(item)
        name = str(item)
        suffix = path.suffix.lower()
        try:
            if suffix in JSONL_SUFFIXES:
                yield from _read_jsonl(path, name, tz)
            elif suffix == ".csv":
                yield from _rows_to_conversations(_csv_rows(path, name), name, mapping, defaults, tz)
            elif suffix == ".xlsx":
                yield from _rows_to_conversations(_xlsx_rows(path, name), name, mapping, defaults, tz)
            else:
                yield ReadError(
                    name,
                    0,
                    f"unsupported file type {suffix or '(none)'!r}: use .jsonl, .ndjson, .json, .csv or .xlsx",
                )
        except OSError as exc:
            yield ReadError(name, 0, f"cannot read the file: {exc.strerror or exc}")
        except Exception as exc:  # openpyxl/zipfile raise many kinds for a file that is not a workbook
            if suffix != ".xlsx":
                raise
            yield ReadError(name, 0, f"not a readable Excel workbook: {exc}")
