"""Reading people from an Excel workbook (and writing the blank template): plain Python over
openpyxl, no Django. Returns plain rows and problems; ``org.importing`` applies them to the
database and turns the problem codes into translated messages.

The first sheet is read. Its first non-empty row holds the headers (Chinese first, English
accepted: see ``COLUMNS``); each later non-empty row is one person. Row numbers are the
spreadsheet's own, so "row 5" is what the user sees in Excel.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

# --- columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header (Chinese)
    english: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("employee_no", "工号", "Employee number", True,
           ("员工编号", "员工工号", "employee no", "employee id", "employee_no"), 40),
    Column("name", "姓名", "Name", True, ("名字", "full name"), 80),
    Column("unit_code", "部门/团队编码", "Unit code", True,
           ("部门编码", "团队编码", "单位编码", "组织编码", "unit", "department code", "team code"), 40),
    Column("hire_date", "入职日期", "Hire date", False, ("入职时间", "hired on", "start date")),
    Column("level", "级别", "Level", False, ("职级", "等级")),
    Column("roles", "角色", "Roles", False, ("role",)),
    Column("status", "状态", "Status", False, ("在职状态",)),
    Column("email", "邮箱", "E-mail", False, ("电子邮箱", "邮件", "email"), 254),
    Column("phone", "手机", "Phone", False, ("手机号", "手机号码", "电话", "mobile"), 30),
    Column("username", "登录名", "Login name", False, ("用户名", "账号", "login", "username"), 150),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

LEVELS = {
    "初级": "junior", "中级": "intermediate", "高级": "senior",
    "junior": "junior", "intermediate": "intermediate", "senior": "senior",
}
STATUSES = {"在职": "active", "在岗": "active", "离职": "left", "active": "active", "left": "left"}

# Role codes as in ``org.models.Role`` (a test holds the two equal), with the names people write.
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "admin": ("管理员", "系统管理员", "administrator", "admin"),
    "training_manager": ("培训经理", "培训主管", "training manager"),
    "trainer": ("培训师", "讲师", "trainer"),
    "mentor": ("导师", "带教导师", "带教", "mentor"),
    "qa_reviewer": ("质检员", "质检专员", "质检", "qa reviewer", "qa"),
    "supervisor": ("主管", "组长", "班组长", "supervisor"),
    "agent": ("客服", "客服专员", "坐席", "agent"),
}
ROLE_SEPARATORS = re.compile(r"[,，、;；/\n]+")

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
USERNAME_RE = re.compile(r"^[\w.@+-]+\Z")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
PHONE_RE = re.compile(r"^[0-9+()\- ]+\Z")

MAX_ROWS = 20_000


def _norm_header(text: str) -> str:
    text = re.sub(r"[(（][^)）]*[)）]", "", text)
    return re.sub(r"[\s*_\-.:：]", "", text).lower()


def _norm_word(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip()).lower()


_HEADER_INDEX: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.header, _c.english, _c.key, *_c.aliases):
        _HEADER_INDEX[_norm_header(_name)] = _c.key
_ROLE_INDEX = {_norm_word(name): code for code, names in ROLE_NAMES.items() for name in (code, *names)}


def column_for_header(text: str) -> str | None:
    """The column key a header cell means, or None. "工号 / Employee number" works too."""
    key = _HEADER_INDEX.get(_norm_header(text))
    if key is None and " / " in text:
        for part in text.split(" / "):
            key = _HEADER_INDEX.get(_norm_header(part))
            if key:
                break
    return key


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One reason a row was not imported. ``column`` is the header as written in the file."""

    row: int
    column: str
    code: str  # required, not_a_date, unknown_level, unknown_role, unknown_status, unknown_unit,
    # bad_email, bad_phone, bad_username, too_long, duplicate, duplicate_username
    value: str = ""
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass
class PersonRow:
    row: int
    employee_no: str
    name: str
    unit_code: str
    # None: the cell was empty, keep what the person has (or the default for a new person).
    hire_date: date | None = None
    level: str | None = None
    roles: list[str] | None = None
    status: str | None = None
    email: str | None = None
    phone: str | None = None
    username: str | None = None


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing is imported. ``code``: not_xlsx, empty,
    missing_columns, duplicate_column, too_many_rows."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass
class ParsedPeople:
    rows: list[PersonRow]
    problems: list[RowProblem]
    headers: dict[str, str]  # column key -> header as written in the file
    ignored_headers: list[str]
    row_count: int  # non-empty data rows read


# --- reading ---------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: object) -> date | None:
    """A cell as a date; None when it is not one (empty cells are handled by the caller)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _text(value)  # 20250301 typed as a number
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_roles(text: str) -> tuple[list[str], list[str]]:
    """Role codes named in a cell, and the names not understood."""
    roles: list[str] = []
    unknown: list[str] = []
    for part in ROLE_SEPARATORS.split(text):
        if not part.strip():
            continue
        code = _ROLE_INDEX.get(_norm_word(part))
        if code is None:
            unknown.append(part.strip())
        elif code not in roles:
            roles.append(code)
    return roles, unknown


def _open_rows(data: bytes) -> Iterable[tuple[int, tuple[object, ...]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, InvalidFileException) as exc:
        raise ImportFileError("not_xlsx") from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError("empty")
        sheet = workbook.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def read_people(data: bytes, *, unit_codes: Collection[str] | None = None) -> ParsedPeople:
    """Parse and check every row. Raises ImportFileError when the file as a whole is unusable.

    ``unit_codes``: the codes that exist; a row naming another code is a problem. Codes match
    exactly, else ignoring case."""
    rows_iter = iter(_open_rows(data))
    header_row: tuple[object, ...] | None = None
    for _number, values in rows_iter:
        if any(_text(v) for v in values):
            header_row = values
            break
    if header_row is None:
        raise ImportFileError("empty")

    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header_row):
        text = _text(cell)
        if not text:
            continue
        key = column_for_header(text)
        if key is None:
            ignored.append(text)
            continue
        if key in positions:
            raise ImportFileError("duplicate_column", column=text, first=positions[key] + 1, second=index + 1)
        positions[key] = index
        headers[key] = text
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise ImportFileError("missing_columns", columns=missing)

    codes_exact = set(unit_codes) if unit_codes is not None else None
    codes_folded = {c.casefold(): c for c in unit_codes} if unit_codes is not None else None

    result = ParsedPeople(rows=[], problems=[], headers=headers, ignored_headers=ignored, row_count=0)
    seen_employee: dict[str, int] = {}
    seen_username: dict[str, int] = {}
    for number, values in rows_iter:
        cells = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        result.row_count += 1
        if result.row_count > MAX_ROWS:
            raise ImportFileError("too_many_rows", limit=MAX_ROWS)
        row, problems = _check_row(number, cells, headers, codes_exact, codes_folded, seen_employee, seen_username)
        if problems:
            result.problems.extend(problems)
        else:
            result.rows.append(row)
    return result


def _check_row(number, cells, headers, codes_exact, codes_folded, seen_employee, seen_username):
    problems: list[RowProblem] = []

    def problem(key: str, code: str, value: object = "", **params: object) -> None:
        problems.append(RowProblem(number, headers.get(key, COLUMN_BY_KEY[key].header), code, _text(value), params))

    text = {key: _text(value) for key, value in cells.items()}
    for column in COLUMNS:
        value = text.get(column.key, "")
        if column.required and not value:
            problem(column.key, "required")
        elif column.max_length and len(value) > column.max_length:
            problem(column.key, "too_long", value[:40], limit=column.max_length)

    row = PersonRow(number, text.get("employee_no", ""), text.get("name", ""), text.get("unit_code", ""))

    if row.employee_no:
        first = seen_employee.setdefault(row.employee_no, number)
        if first != number:
            problem("employee_no", "duplicate", row.employee_no, first=first)
    if row.unit_code and codes_exact is not None:
        if row.unit_code not in codes_exact:
            canonical = codes_folded.get(row.unit_code.casefold())
            if canonical is None:
                problem("unit_code", "unknown_unit", row.unit_code)
            else:
                row.unit_code = canonical
    if text.get("hire_date"):
        row.hire_date = parse_date(cells["hire_date"])
        if row.hire_date is None:
            problem("hire_date", "not_a_date", cells["hire_date"])
    if text.get("level"):
        row.level = LEVELS.get(_norm_word(text["level"]))
        if row.level is None:
            problem("level", "unknown_level", text["level"])
    if text.get("roles"):
        row.roles, unknown = parse_roles(text["roles"])
        if unknown:
            problem("roles", "unknown_role", "、".join(unknown))
    if text.get("status"):
        row.status = STATUSES.get(_norm_word(text["status"]))
        if row.status is None:
            problem("status", "unknown_status", text["status"])
    if text.get("email"):
        row.email = text["email"]
        if not EMAIL_RE.match(row.email):
            problem("email", "bad_email", row.email)
    if text.get("phone"):
        row.phone = text["phone"]
        if not PHONE_RE.match(row.phone):
            problem("phone", "bad_phone", row.phone)
    if text.get("username"):
        row.username = text["username"]
        if not USERNAME_RE.match(row.username):
            problem("username", "bad_username", row.username)
        else:
            first = seen_username.setdefault(row.username.casefold(), number)
            if first != number:
                problem("username", "duplicate_username", row.username, first=first)
    return row, problems


# --- the template ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateText:
    """The translated words of the template (the header cells stay Chinese: they are the keys)."""

    people_sheet: str
    help_sheet: str
    help_headers: Sequence[str]  # column, English header, required, what to write
    column_help: Mapping[str, str]  # column key -> explanation
    yes: str
    no: str
    units_title: str
    unit_headers: Sequence[str]  # code, name, kind
    roles_title: str
    role_headers: Sequence[str]  # code, Chinese names, English names


def _append(sheet, values: Iterable[object]) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        # openpyxl would store a text starting with "=" as a formula: keep it text.
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def build_template(
    *,
    text: TemplateText,
    example: Mapping[str, object],
    units: Sequence[tuple[str, str, str]],
    roles: Sequence[tuple[str, str, str]],
) -> bytes:
    """The downloadable workbook: headers and one example row on the first sheet; a second sheet
    explaining each column and listing the unit codes and roles that exist."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    people = workbook.active
    people.title = text.people_sheet[:31]
    people.append([c.header for c in COLUMNS])
    _append(people, [example.get(c.key, "") for c in COLUMNS])
    for cell in people[1]:
        cell.font = bold
    for index, column in enumerate(COLUMNS):
        letter = people.cell(row=1, column=index + 1).column_letter
        people.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
    people.freeze_panes = "A2"

    guide = workbook.create_sheet(text.help_sheet[:31])
    guide.append(list(text.help_headers))
    for column in COLUMNS:
        guide.append([column.header, column.english, text.yes if column.required else text.no,
                      text.column_help.get(column.key, "")])
    guide.append([])
    guide.append([text.units_title])
    guide.append(list(text.unit_headers))
    for code, name, kind in units:
        _append(guide, [code, name, kind])
    guide.append([])
    guide.append([text.roles_title])
    guide.append(list(text.role_headers))
    for code, chinese, english in roles:
        guide.append([code, chinese, english])
    for row in guide.iter_rows():
        if row and isinstance(row[0].value, str) and row[0].value in (
                text.help_headers[0], text.units_title, text.roles_title, text.unit_headers[0], text.role_headers[0]):
            for cell in row:
                cell.font = bold
    for letter, width in zip("ABCD", (18, 20, 30, 80), strict=True):
        guide.column_dimensions[letter].width = width

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
