"""Importing people from Excel: the service over the ``org.people_import`` reader.

Each good row is written in its own savepoint through the ordinary services (so every change is
audited like one made by hand, and a row that fails half-way leaves nothing behind); a bad row is
reported with its row number, column and reason; the import as a whole gets one "import" entry
in the audit log. Rows are matched on the employee number: importing the same file twice creates
nobody twice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from servicecoach.org import services
from servicecoach.org.models import AuditAction, OrgUnit, Person, Role, RoleAssignment, User
from servicecoach.org.people_import import (
    COLUMN_BY_KEY,
    COLUMNS,
    ROLE_NAMES,
    ImportFileError,
    PersonRow,
    RowProblem,
    TemplateText,
    build_template,
    read_people,
)

MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class RowOutcome:
    row: int
    employee_no: str
    name: str
    changes: tuple[str, ...] = ()  # the column keys that changed (updates): "unit", "level", "roles"...

    @property
    def changed_columns(self) -> list[str]:
        """The changed columns by their template headers (入职日期, 角色...), for display."""
        headers = []
        for key in self.changes:
            column = COLUMN_BY_KEY.get(_FIELD_TO_COLUMN.get(key, key))
            headers.append(column.header if column else key)
        return headers


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str  # "Row 5, 入职日期: not a date (abc) …", translated


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool = False
    file_error: str | None = None
    created: list[RowOutcome] = field(default_factory=list)
    updated: list[RowOutcome] = field(default_factory=list)
    unchanged: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rows_with_errors(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.errors

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "rows_with_errors": self.rows_with_errors,
        }


# --- messages --------------------------------------------------------------------------------

def _role_choices() -> str:
    return ", ".join(f"{names[0]}/{names[-1]}" for names in ROLE_NAMES.values())


def problem_message(problem: RowProblem) -> str:
    value, params = problem.value, problem.params
    reasons = {
        "required": lambda: _("required, but empty"),
        "too_long": lambda: _("longer than %(limit)s characters") % {"limit": params.get("limit")},
        "not_a_date": lambda: _("not a date (%(value)s): write it like 2025-03-01") % {"value": value},
        "unknown_level": lambda: _("unknown level %(value)s: use 初级/中级/高级 or junior/intermediate/senior")
        % {"value": value},
        "unknown_role": lambda: _("unknown role %(value)s: use %(choices)s")
        % {"value": value, "choices": _role_choices()},
        "unknown_status": lambda: _("unknown status %(value)s: use 在职/离职 or active/left") % {"value": value},
        "unknown_unit": lambda: _("no unit has the code %(value)s") % {"value": value},
        "bad_email": lambda: _("not an e-mail address (%(value)s)") % {"value": value},
        "bad_phone": lambda: _("not a phone number (%(value)s)") % {"value": value},
        "bad_username": lambda: _("a login name may hold only letters, digits and @ . + - _ (%(value)s)")
        % {"value": value},
        "duplicate": lambda: _("employee number %(value)s is already in row %(first)s of this file")
        % {"value": value, "first": params.get("first")},
        "duplicate_username": lambda: _("login name %(value)s is already in row %(first)s of this file")
        % {"value": value, "first": params.get("first")},
    }
    reason = reasons.get(problem.code, lambda: problem.code)()
    return row_message(problem.row, problem.column, reason)


def row_message(row: int, column: str, reason: str) -> str:
    return _("Row %(row)s, %(column)s: %(reason)s") % {"row": row, "column": column, "reason": reason}


def file_error_message(error: ImportFileError, file_name: str) -> str:
    params = error.params
    if error.code == "not_xlsx":
        return _("%(file)s is not an Excel workbook (.xlsx): save it as .xlsx (Excel 2007 or later) and "
                 "upload it again.") % {"file": file_name}
    if error.code == "empty":
        return _("The first sheet of %(file)s is empty: put the headers in the first row and one person "
                 "per row below them (download the template).") % {"file": file_name}
    if error.code == "missing_columns":
        return _("%(file)s has no column %(columns)s: the required columns are %(required)s. Download the "
                 "template to see the expected headers.") % {
            "file": file_name, "columns": "、".join(params["columns"]),
            "required": "、".join(c.header for c in COLUMNS if c.required)}
    if error.code == "duplicate_column":
        return _("%(file)s has the column %(column)s twice (columns %(first)s and %(second)s): keep one.") % {
            "file": file_name, **params}
    if error.code == "too_many_rows":
        return _("%(file)s has more than %(limit)s rows: split it into several files.") % {
            "file": file_name, **params}
    if error.code == "too_large":
        return _("%(file)s is larger than %(limit)s MB: split it into several files.") % {
            "file": file_name, **params}
    return f"{file_name}: {error.code}"


# --- the service -----------------------------------------------------------------------------

def _read_upload(file: BinaryIO | bytes | str | os.PathLike) -> tuple[bytes, str]:
    if isinstance(file, bytes | bytearray):
        return bytes(file), "upload.xlsx"
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1), os.path.basename(file)
    name = os.path.basename(getattr(file, "name", "") or "upload.xlsx")
    return file.read(MAX_FILE_BYTES + 1), name


def people_import(*, actor: User | None, file: BinaryIO | bytes | str | os.PathLike, dry_run: bool = False,
                  file_name: str | None = None) -> ImportReport:
    """Import (or, with ``dry_run``, only check) the people of an Excel workbook."""
    data, default_name = _read_upload(file)
    report = ImportReport(file_name=file_name or default_name, dry_run=dry_run)
    if len(data) > MAX_FILE_BYTES:
        report.file_error = file_error_message(
            ImportFileError("too_large", limit=MAX_FILE_BYTES // (1024 * 1024)), report.file_name)
        return report
    units = {u.code: u for u in OrgUnit.objects.all()}
    try:
        parsed = read_people(data, unit_codes=units.keys())
    except ImportFileError as error:
        report.file_error = file_error_message(error, report.file_name)
        return report
    report.ignored_columns = parsed.ignored_headers
    report.errors = [RowError(p.row, p.column, problem_message(p)) for p in parsed.problems]

    with transaction.atomic():
        for row in parsed.rows:
            try:
                with transaction.atomic():
                    outcome, changes = _apply_row(actor=actor, row=row, unit=units[row.unit_code])
            except ValidationError as error:
                report.errors.extend(_validation_errors(row, error, parsed.headers))
                continue
            except IntegrityError as error:
                report.errors.append(RowError(row.row, "", row_message(row.row, "", str(error))))
                continue
            target = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}[outcome]
            target.append(RowOutcome(row.row, row.employee_no, row.name, tuple(changes)))
        report.errors.sort(key=lambda e: e.row)
        if dry_run:
            transaction.set_rollback(True)
        else:
            services.audit_record(actor=actor, action=AuditAction.IMPORT, object_type="org.person",
                                  object_repr=f"people import: {report.file_name}"[:200], changes=report.summary())
    return report


_FIELD_TO_COLUMN = {
    "employee_no": "employee_no", "name": "name", "unit": "unit_code", "hire_date": "hire_date",
    "level": "level", "status": "status", "email": "email", "phone": "phone", "username": "username",
    "user": "username", "role": "roles",
}


def _validation_errors(row: PersonRow, error: ValidationError, headers: dict[str, str]) -> list[RowError]:
    errors = []
    items = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
    for field_name, messages in items:
        key = _FIELD_TO_COLUMN.get(field_name)
        column = headers.get(key, COLUMN_BY_KEY[key].header) if key else field_name
        for message in messages:
            errors.append(RowError(row.row, column, row_message(row.row, column, message)))
    return errors


def _apply_row(*, actor: User | None, row: PersonRow, unit: OrgUnit) -> tuple[str, list[str]]:
    """Create or update one person from one row. Returns ("created"|"updated"|"unchanged", changed columns)."""
    person = Person.objects.select_related("user", "unit").filter(employee_no=row.employee_no).first()
    optional = {"hire_date": row.hire_date, "level": row.level, "status": row.status,
                "email": row.email, "phone": row.phone}
    given = {k: v for k, v in optional.items() if v is not None}
    changed: list[str] = []
    if person is None:
        person = services.person_create(actor=actor, employee_no=row.employee_no, name=row.name, unit=unit,
                                        **given)
        outcome = "created"
    else:
        fields = {"name": row.name, "unit": unit, **given}
        changes = {k: v for k, v in fields.items() if getattr(person, k) != v}
        if changes:
            services.person_update(actor=actor, person=person, **changes)
            changed.extend(changes)
        outcome = "unchanged"

    if row.roles:
        if _replace_roles(actor=actor, person=person, roles=row.roles):
            changed.append("roles")
    if row.username:
        if person.user is None:
            services.person_set_login(actor=actor, person=person, username=row.username, password=None)
            changed.append("username")
        elif person.user.username != row.username:
            raise ValidationError({"username": _(
                "this person already has the login %(current)s: rename it in the admin site, not by import"
            ) % {"current": person.user.username}})
    if outcome == "unchanged" and changed:
        outcome = "updated"
    return outcome, changed


def _replace_roles(*, actor: User | None, person: Person, roles: list[str]) -> bool:
    """Make the person's roles exactly ``roles`` (a role already held keeps its scope unit)."""
    current = list(RoleAssignment.objects.filter(person=person).select_related("unit"))
    changed = False
    for assignment in current:
        if assignment.role not in roles:
            services.role_revoke(actor=actor, person=person, role=assignment.role, unit=assignment.unit)
            changed = True
    held = {a.role for a in current}
    for role in roles:
        if role not in held:
            services.role_grant(actor=actor, person=person, role=role)
            changed = True
    return changed


# --- the template ----------------------------------------------------------------------------

def people_import_template() -> bytes:
    """The .xlsx users download, fill in and upload: headers, an example row, and a second sheet
    explaining each column and listing the unit codes and roles that exist."""
    column_help = {
        "employee_no": _("Unique per person; an existing employee number updates that person."),
        "name": _("Full name."),
        "unit_code": _("Code of the department or team (see the list below)."),
        "hire_date": _("A date, e.g. 2025-03-01."),
        "level": _("初级/中级/高级 or junior/intermediate/senior. Empty: junior for a new person, unchanged otherwise."),
        "roles": _("One or more roles separated by 、 or commas (see the list below). Empty: roles unchanged; "
                   "otherwise they replace the person's roles."),
        "status": _("在职/离职 or active/left. Empty: active for a new person, unchanged otherwise."),
        "email": _("Optional."),
        "phone": _("Optional."),
        "username": _("Optional login name. A new login gets no usable password until an administrator sets one."),
    }
    text = TemplateText(
        people_sheet=_("People"), help_sheet=_("Instructions"),
        help_headers=[_("Column"), _("English header"), _("Required"), _("What to write")],
        column_help=column_help, yes=_("yes"), no=_("no"),
        units_title=_("Unit codes"), unit_headers=[_("Code"), _("Name"), _("Kind")],
        roles_title=_("Roles"), role_headers=[_("Code"), _("Chinese names"), _("English names")],
    )
    unit_rows = [(u.code, u.name, str(u.get_kind_display())) for u in OrgUnit.objects.filter(active=True).order_by("path")]
    role_rows = []
    for code, names in ROLE_NAMES.items():
        chinese = "、".join(n for n in names if not n.isascii())
        english = ", ".join(n for n in names if n.isascii())
        role_rows.append((code, chinese, english or str(Role(code).label)))
    example_unit = next((code for code, _name, kind in unit_rows), "CS-PRE")
    team = OrgUnit.objects.filter(active=True, kind__in=["team", "shop", "site"]).order_by("path").first()
    example = {"employee_no": "HX1001", "name": "张三", "unit_code": team.code if team else example_unit,
               "hire_date": date(2025, 3, 1), "level": "初级", "roles": "客服", "status": "在职",
               "email": "zhangsan@example.com", "phone": "13800000000", "username": ""}
    return build_template(text=text, example=example, units=unit_rows, roles=role_rows)
