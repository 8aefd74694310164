"""The agenda of a classroom session: building it from topics, reading and checking the editable text.

Plain Python (no Django): times are minutes since midnight, days are indexes 0, 1, ... of the session's
working days. The rules (docs/programmes.md):

- a teaching block lasts at most 90 minutes; two teaching blocks are separated by a break of at least
  10 minutes (a longer break such as lunch counts);
- the first day opens with a 15-minute opening; every day ends with a 30-minute wrap-up.

The editable text has one line per block, days introduced by a line holding the date::

    2026-11-30
    09:00-09:15 opening 开场
    09:15-10:45 teaching 服务流程
    10:45-10:55 break
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MAX_TEACHING = 90
MIN_BREAK = 10
OPENING = 15
WRAP_UP = 30
MIN_USEFUL_BLOCK = 15  # a teaching block shorter than this is not worth starting
KINDS = ("opening", "teaching", "break", "wrap_up")


@dataclass(frozen=True)
class Block:
    day: int
    start: int
    end: int
    kind: str
    title: str = ""

    @property
    def minutes(self) -> int:
        return self.end - self.start


class AgendaError(ValueError):
    """Problems found, each a (line number or 0, code, params) triple: the caller words them."""

    def __init__(self, problems: list[tuple[int, str, dict]]):
        super().__init__("; ".join(f"{line}: {code} {params}" for line, code, params in problems))
        self.problems = problems


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def build_agenda(
    topics: list[tuple[str, int]],
    *,
    days: int,
    day_start: int,
    day_end: int,
    lunch: tuple[int, int] | None = (720, 780),
) -> list[Block]:
    """Lay ``topics`` (title, minutes) out over ``days`` days. A topic longer than a block continues in
    the next block. Raises AgendaError("too_long", {"missing": minutes}) when they do not fit."""
    if days < 1 or day_end - day_start < OPENING + WRAP_UP + MIN_USEFUL_BLOCK:
        raise AgendaError([(0, "day_too_short", {})])
    if lunch is not None and not (day_start < lunch[0] < lunch[1] < day_end - WRAP_UP):
        lunch = None
    queue = [[title, minutes] for title, minutes in topics if minutes > 0]
    blocks: list[Block] = []
    for day in range(days):
        t = day_start
        if day == 0:
            blocks.append(Block(day, t, t + OPENING, "opening"))
            t += OPENING
        limit = day_end - WRAP_UP
        prev_teaching = False
        while queue:
            start = t + (MIN_BREAK if prev_teaching else 0)
            cap = limit
            if lunch is not None and start < lunch[1] and t < lunch[1]:
                if start >= lunch[0]:
                    blocks.append(Block(day, t, lunch[1], "break"))
                    t, prev_teaching = lunch[1], False
                    continue
                cap = min(cap, lunch[0])
            available = min(MAX_TEACHING, cap - start)
            if available < MIN_USEFUL_BLOCK:
                if lunch is not None and cap == lunch[0] and t < lunch[1]:
                    blocks.append(Block(day, t, lunch[1], "break"))
                    t, prev_teaching = lunch[1], False
                    continue
                break
            if prev_teaching:
                blocks.append(Block(day, t, start, "break"))
            take = min(available, queue[0][1])
            blocks.append(Block(day, start, start + take, "teaching", queue[0][0]))
            queue[0][1] -= take
            if queue[0][1] == 0:
                queue.pop(0)
            t, prev_teaching = start + take, True
        blocks.append(Block(day, limit, day_end, "wrap_up"))
    if queue:
        raise AgendaError([(0, "too_long", {"missing": sum(minutes for _, minutes in queue)})])
    return blocks


def check_agenda(blocks: list[Block], *, days: int, day_start: int, day_end: int,
                 lines: list[int] | None = None) -> list[tuple[int, str, dict]]:
    """Every rule the agenda breaks, as (line, code, params); an empty list when it is sound."""
    lines = lines or [0] * len(blocks)
    problems: list[tuple[int, str, dict]] = []
    by_day: dict[int, list[tuple[Block, int]]] = {}
    for block, line in zip(blocks, lines, strict=True):
        if block.end <= block.start:
            problems.append((line, "ends_before_start", {}))
        elif block.start < day_start or block.end > day_end:
            problems.append((line, "outside_day", {"start": hhmm(day_start), "end": hhmm(day_end)}))
        if block.kind == "teaching" and block.minutes > MAX_TEACHING:
            problems.append((line, "teaching_too_long", {"minutes": block.minutes, "max": MAX_TEACHING}))
        if not 0 <= block.day < days:
            problems.append((line, "not_a_session_day", {}))
        by_day.setdefault(block.day, []).append((block, line))
    for day in range(days):
        entries = sorted(by_day.get(day, []), key=lambda e: e[0].start)
        for (a, _), (b, line_b) in zip(entries, entries[1:], strict=False):
            if b.start < a.end:
                problems.append((line_b, "overlap", {"start": hhmm(b.start)}))
        teaching = [e for e in entries if e[0].kind == "teaching"]
        for (a, _), (b, line_b) in zip(teaching, teaching[1:], strict=False):
            if b.start - a.end < MIN_BREAK:
                problems.append((line_b, "break_missing", {"minutes": MIN_BREAK}))
        wrap = [e for e in entries if e[0].kind == "wrap_up"]
        if not wrap or wrap[-1][0].end != day_end or wrap[-1][0].minutes < WRAP_UP:
            problems.append((0, "wrap_up_missing", {"day": day + 1, "minutes": WRAP_UP, "end": hhmm(day_end)}))
    if days and not any(b.kind == "opening" and b.day == 0 for b in blocks):
        problems.append((0, "opening_missing", {"minutes": OPENING}))
    return problems


_TIME = r"(\d{1,2}):(\d{2})"
_LINE = re.compile(rf"^{_TIME}\s*-\s*{_TIME}\s+(\w+)\s*(.*)$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_agenda(text: str, days: list[date]) -> tuple[list[Block], list[int]]:
    """Read the editable text; returns the blocks and the line number of each. Raises AgendaError with
    every line it could not read."""
    blocks: list[Block] = []
    lines: list[int] = []
    problems: list[tuple[int, str, dict]] = []
    day_index: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if m := _DATE.match(line):
            try:
                d = date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                problems.append((number, "bad_date", {"text": line}))
                continue
            if d not in days:
                problems.append((number, "not_a_session_day", {"text": line}))
                day_index = None
                continue
            day_index = days.index(d)
            continue
        m = _LINE.match(line)
        if not m:
            problems.append((number, "unreadable", {"text": line}))
            continue
        h1, m1, h2, m2 = (int(m[i]) for i in range(1, 5))
        kind, title = m[5], m[6].strip()
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
            problems.append((number, "bad_time", {"text": line}))
            continue
        if kind not in KINDS:
            problems.append((number, "bad_kind", {"kind": kind, "kinds": ", ".join(KINDS)}))
            continue
        if day_index is None:
            problems.append((number, "no_day", {}))
            continue
        blocks.append(Block(day_index, h1 * 60 + m1, h2 * 60 + m2, kind, title))
        lines.append(number)
    if problems:
        raise AgendaError(problems)
    return blocks, lines


def format_agenda(blocks: list[Block], days: list[date]) -> str:
    out: list[str] = []
    current = None
    for block in sorted(blocks, key=lambda b: (b.day, b.start)):
        if block.day != current:
            if out:
                out.append("")
            out.append(days[block.day].isoformat())
            current = block.day
        out.append(f"{hhmm(block.start)}-{hhmm(block.end)} {block.kind}{' ' + block.title if block.title else ''}")
    return "\n".join(out)


def parse_topics(text: str) -> list[tuple[str, int]]:
    """Topics, one a line: ``title | minutes``. Raises AgendaError naming the unreadable lines."""
    topics, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        title, sep, minutes = line.rpartition("|")
        if not sep or not title.strip() or not minutes.strip().isdigit() or int(minutes) <= 0:
            problems.append((number, "bad_topic", {"text": line}))
            continue
        topics.append((title.strip(), int(minutes)))
    if problems:
        raise AgendaError(problems)
    if not topics:
        raise AgendaError([(0, "no_topics", {})])
    return topics
