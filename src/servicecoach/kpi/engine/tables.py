"""A month's figures from Excel (.xlsx) or CSV, and the results back out to either.

Input: the first worksheet (or the CSV file) has one header row, then one row per agent per month.
Columns, matched case-insensitively, a trailing unit in brackets ignored (``销售额（元）`` is
``销售额``):

- ``agent`` (客服, 客服姓名, 姓名, 工号, 员工): required;
- ``team`` (团队, 店铺, 小组, shop): optional, one team for everyone when absent;
- ``month`` (月份, period): optional; ``2026-10``, ``2026/10``, ``2026年10月``, ``202610`` or a date.
  Rows of the month before the scored one feed month-over-month items; other months are ignored.
- one column per figure of the template: its id, its Chinese or English name, or an alias
  (``servicecoach kpi templates`` lists them).

A blank cell is a missing figure (the items reading it score "no data"); write 0 for none. A cell
that is not what its column needs makes the whole row a :class:`RowProblem` (row number as the
spreadsheet shows it, column in Chinese and English, reason) and the row is skipped; the others
are kept. CSV is read as UTF-8 (with or without a byte-order mark), else as GB18030 (what Chinese
Excel writes). Results are written to .xlsx (Chinese headers, frozen header, widths set) or to CSV
in UTF-8 with a byte-order mark so that Excel opens it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .rules import fmt
from .scoring import AgentResult
from .template import Figure, Template

IDENTITY = {
    "agent": (("客服", "agent"), ("agent", "agent_id", "客服", "客服姓名", "姓名", "工号", "员工", "name")),
    "team": (("团队", "team"), ("team", "团队", "店铺", "小组", "shop", "group")),
    "month": (("月份", "month"), ("month", "月份", "月", "period", "考核月份")),
}
_UNIT_SUFFIX = re.compile(r"\s*[（(][^）)]*[）)]\s*$")
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?(?:[ T].*)?$")
_NUMBER_JUNK = str.maketrans({",": None, "，": None, "¥": None, "￥": None, " ": None, "元": None})


class TableError(ValueError):
    """The file as a whole cannot be read (not a spreadsheet, empty, no agent column)."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    column: tuple[str, str] | None
    reason: str

    def __str__(self) -> str:
        col = f", {self.column[0]} {self.column[1]}" if self.column else ""
        return f"第 {self.row} 行 / row {self.row}{col}: {self.reason}"


@dataclass(slots=True)
class Sheet:
    """The good rows (``agent``, ``team``, ``month``, figures; ``_row``: the spreadsheet row) and the
    problems of the bad ones."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    missing_figures: list[Figure] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # what could be read of skipped rows
    has_month: bool = False
    has_team: bool = False


def normalise_header(text: Any) -> str:
    return _UNIT_SUFFIX.sub("", str(text if text is not None else "")).strip().casefold()


def parse_month(value: Any) -> str | None:
    """``YYYY-MM`` from a cell, or None when it is not a month."""
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == int(value) and 190001 <= value <= 299912 and 1 <= int(value) % 100 <= 12:
            return f"{int(value) // 100:04d}-{int(value) % 100:02d}"
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{6}", text):
        return parse_month(int(text))
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def previous_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


def _cells(path: Path) -> Iterator[tuple[int, Sequence[Any]]]:
    """(row number, cell values) for every row of the file, the header first."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError:
                raise TableError(f"{path}: not UTF-8 or GB18030 text") from None
        for i, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield i, row
        return
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
            if isinstance(e, FileNotFoundError):
                raise TableError(f"{path}: no such file") from None
            raise TableError(f"{path}: not an Excel .xlsx workbook ({type(e).__name__})") from None
        try:
            ws = wb.worksheets[0]
            for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
                yield i, row
        finally:
            wb.close()
        return
    if suffix == ".xls":
        raise TableError(f"{path}: old .xls workbooks are not read: save it as .xlsx (or CSV) in Excel")
    raise TableError(f"{path}: give an .xlsx or .csv file")


def read_table(path: str | Path, template: Template) -> Sheet:
    """Read a month's figures for ``template``; raises :class:`TableError` for a file that cannot
    be read at all, reports bad rows in ``Sheet.problems``."""
    p = Path(path)
    if not p.exists():
        raise TableError(f"{p}: no such file")
    return read_rows(_cells(p), template, name=str(p))


def _column_map(header: Sequence[Any], template: Template) -> tuple[dict[int, str], list[str]]:
    lookup: dict[str, str] = {}
    for key, (_, names) in IDENTITY.items():
        for n in names:
            lookup[n.casefold()] = key
    for fid, fig in template.figures.items():
        for h in fig.headers():
            lookup[normalise_header(h)] = fid
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for i, h in enumerate(header):
        if h is None or str(h).strip() == "":
            continue
        key = lookup.get(normalise_header(h))
        if key is None or key in columns.values():
            ignored.append(str(h))
            continue
        columns[i] = key
    return columns, ignored


def _number(value: Any, fig: Figure) -> tuple[float | None, str | None]:
    if isinstance(value, bool):
        return None, "not a number"
    if isinstance(value, int | float):
        v = float(value)
    else:
        text = str(value).strip().translate(_NUMBER_JUNK)
        pct = text.endswith("%")
        if pct and fig.kind == "percent":
            text = text[:-1]
        try:
            v = float(text)
        except ValueError:
            return None, f"not a number ({str(value).strip()[:30]!r})"
    if v != v or v in (float("inf"), float("-inf")):
        return None, "not a number"
    if fig.kind == "count" and (v < 0 or v != int(v)):
        return None, f"must be a whole number of at least 0, not {fmt(v)}"
    return v, None


def read_rows(cells: Iterable[tuple[int, Sequence[Any]]], template: Template, *, name: str = "file") -> Sheet:
    """The parsing behind :func:`read_table`, over (row number, values) pairs, header first."""
    it = iter(cells)
    header = None
    for _, values in it:
        if any(v is not None and str(v).strip() for v in values):
            header = values
            break
    if header is None:
        raise TableError(f"{name}: empty: no header row")
    columns, ignored = _column_map(header, template)
    present = set(columns.values())
    if "agent" not in present:
        raise TableError(f"{name}: no agent column (header 客服, 姓名, 工号 or agent); headers found: "
                         f"{', '.join(str(h) for h in header if h is not None)}")
    sheet = Sheet(ignored_headers=ignored, has_month="month" in present, has_team="team" in present)
    sheet.missing_figures = [f for f in template.figures.values() if f.id not in present]
    ratings = {fid: template.rating_of(fid) for fid, f in template.figures.items() if f.kind == "level"}
    seen: dict[tuple[str, str | None], int] = {}
    for rownum, values in it:
        if not any(v is not None and str(v).strip() for v in values):
            continue
        row: dict[str, Any] = {"_row": rownum}
        problems: list[RowProblem] = []
        for i, key in columns.items():
            v = values[i] if i < len(values) else None
            if isinstance(v, str):
                v = v.strip()
            if v is None or v == "":
                continue
            if key == "agent":
                row["agent"] = str(int(v)) if isinstance(v, float) and v == int(v) else str(v)
            elif key == "team":
                row["team"] = str(int(v)) if isinstance(v, float) and v == int(v) else str(v)
            elif key == "month":
                m = parse_month(v)
                if m is None:
                    problems.append(RowProblem(rownum, IDENTITY["month"][0], f"not a month ({str(v)[:30]!r}): "
                                               "write 2026-10"))
                row["month"] = m
            else:
                fig = template.figures[key]
                if fig.kind == "level":
                    rating = ratings.get(key)
                    if rating is not None and rating.find(v) is None:
                        problems.append(RowProblem(rownum, fig.name, f"unknown level {str(v)[:30]!r} (levels: "
                                                   f"{', '.join(rating.accepted())})"))
                    row[key] = str(v)
                else:
                    num, why = _number(v, fig)
                    if why:
                        problems.append(RowProblem(rownum, fig.name, why))
                    row[key] = num
        if "agent" not in row:
            problems.insert(0, RowProblem(rownum, IDENTITY["agent"][0], "blank: every row needs the agent"))
        if sheet.has_month and "month" not in row and not any(p.column == IDENTITY["month"][0] for p in problems):
            problems.append(RowProblem(rownum, IDENTITY["month"][0], "blank: write the month, e.g. 2026-10"))
        if not problems:
            key2 = (row["agent"], row.get("month"))
            if key2 in seen:
                problems.append(RowProblem(rownum, IDENTITY["agent"][0],
                                           f"{row['agent']} appears twice for the same month (first at row {seen[key2]})"))
            else:
                seen[key2] = rownum
        if problems:
            sheet.problems.extend(problems)
            sheet.skipped.append({k: row.get(k) for k in ("_row", "agent", "team", "month")})
        else:
            sheet.rows.append(row)
    return sheet


# --------------------------------------------------------------------------- writing results

SUMMARY_HEADERS = ["月份", "团队", "排名", "客服", "总分", "满分", "激励档位", "数据完整", "无数据项目", "模板", "版本"]


def _summary_rows(template: Template, results: list[AgentResult]) -> tuple[list[str], list[list[Any]]]:
    headers = [*SUMMARY_HEADERS, *(f"{s.name[0]}小计" for s in template.sections),
               *(f"{it.name[0]}（{fmt(it.weight)}）" for it in template.items)]
    rows = []
    for r in results:
        rows.append([
            r.month or "", r.team, r.rank, r.agent, r.total, r.max_total, r.tier or "", "是" if r.complete else "否",
            "、".join(template.item(i).name[0] for i in r.missing), r.template, r.version,
            *(r.sections[s.id] for s in template.sections),
            *("无数据" if i.points is None else i.points for i in r.items),
        ])
    return headers, rows


def write_csv(path: str | Path, template: Template, results: list[AgentResult]) -> None:
    """One row per agent: totals, then each item's points and explanation (Chinese)."""
    headers, rows = _summary_rows(template, results)
    n_items = len(template.items)
    base = headers[: len(headers) - n_items]
    item_headers = []
    for it in template.items:
        item_headers += [f"{it.name[0]}得分", f"{it.name[0]}说明"]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(base + item_headers)
        for r, row in zip(results, rows):
            # whole numbers without ".0"; plain "-" (not fmt's minus sign) so Excel reads them as numbers
            cells = [int(c) if isinstance(c, float) and c == int(c) else c for c in row[: len(base)]]
            for i in r.items:
                cells += ["无数据" if i.points is None else (int(i.points) if i.points == int(i.points) else i.points),
                          i.zh]
            w.writerow(cells)


def write_xlsx(path: str | Path, template: Template, results: list[AgentResult], *,
               problems: Sequence[RowProblem] = (), month: str | None = None) -> None:
    """Sheets: 得分汇总 (one row per agent), 得分说明 (one row per item, Chinese and English
    explanation), 跳过的行 (skipped rows, when any), 模板 (template id, version, month). Written in
    openpyxl's streaming mode: memory and time stay linear in the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center")
    wb = Workbook(write_only=True)

    def sheet(title: str, headers: Sequence[str], widths: Sequence[float], freeze: str | None):
        ws = wb.create_sheet(title)
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        if freeze:
            ws.freeze_panes = freeze
        cells = []
        for h in headers:
            c = WriteOnlyCell(ws, value=h)
            c.font, c.fill, c.alignment = bold, fill, wrap
            cells.append(c)
        ws.append(cells)
        return ws

    headers, rows = _summary_rows(template, results)
    widths = [9, 12, 6, 14, 8, 8, 9, 9, 24, 14, 9] + [13] * (len(headers) - len(SUMMARY_HEADERS))
    ws = sheet("得分汇总", headers, widths, "E2")
    for row in rows:
        ws.append(row)

    wd = sheet("得分说明", ["月份", "团队", "客服", "分组", "项目", "得分", "满分", "说明", "Explanation"],
               (9, 12, 14, 10, 16, 8, 7, 60, 60), "D2")
    section_names = {s.id: s.name[0] for s in template.sections}
    item_names = {it.id: it.name[0] for it in template.items}
    for r in results:
        for i in r.items:
            wd.append([r.month or "", r.team, r.agent, section_names[i.section], item_names[i.item],
                       "无数据" if i.points is None else i.points, i.weight, i.zh, i.en])

    if problems:
        wp = sheet("跳过的行", ["行号", "列", "问题 (English)"], (8, 24, 70), "A2")
        for p in problems:
            wp.append([p.row, f"{p.column[0]} {p.column[1]}" if p.column else "", p.reason])

    wi = sheet("模板", ["模板", template.id], (10, 30), None)
    wi.append(["版本", template.version])
    wi.append(["名称", template.name[0]])
    wi.append(["月份", month or ""])
    wi.append(["满分", template.max_total])
    wb.save(path)
