"""Excel import of people: good rows, each kind of bad row, re-import, malformed files, template."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from servicecoach.org import people_import
from servicecoach.org.importing import people_import as run_import
from servicecoach.org.importing import people_import_template
from servicecoach.org.models import AuditAction, AuditEntry, Person, Role, RoleAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the zh-hans catalogue translates them)."""
    with translation.override("en"):
        yield

HEADERS = ["工号", "姓名", "部门/团队编码", "入职日期", "级别", "角色", "状态", "邮箱", "手机", "登录名"]


def xlsx(rows, headers=HEADERS, *, sheets=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if headers is not None:
        sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


GOOD = [
    ["HX001", "王芳", "CS-PRE", date(2024, 3, 1), "中级", "客服、导师", "在职", "wangfang@example.com", "13800000001", "wangfang"],
    ["HX002", "李强", "cs-aft", "2023/7/15", "senior", "supervisor", "active", "", 13800000002, ""],
    [10003, "张伟", "EC-TM", datetime(2025, 1, 6), "", "", "", "", "", ""],
]


def test_role_names_cover_every_role():
    assert set(people_import.ROLE_NAMES) == set(Role.values)


def test_good_rows_are_imported(org, admin_user):
    report = run_import(actor=admin_user, file=xlsx(GOOD), file_name="people.xlsx")
    assert report.ok, report.errors
    assert [o.employee_no for o in report.created] == ["HX001", "HX002", "10003"]
    wang = Person.objects.get(employee_no="HX001")
    assert (wang.name, wang.unit, wang.hire_date, wang.level, wang.status) == (
        "王芳", org.pre, date(2024, 3, 1), "intermediate", "active")
    assert set(wang.roles.values_list("role", flat=True)) == {"agent", "mentor"}
    assert wang.user.username == "wangfang" and not wang.user.has_usable_password()
    li = Person.objects.get(employee_no="HX002")
    assert li.unit == org.aft and li.hire_date == date(2023, 7, 15) and li.phone == "13800000002"
    zhang = Person.objects.get(employee_no="10003")
    assert zhang.level == "junior" and zhang.user is None and not zhang.roles.exists()
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.actor == admin_user
    assert entry.changes == {"file": "people.xlsx", "created": 3, "updated": 0, "unchanged": 0,
                             "rows_with_errors": []}
    # every person and role is audited like a change made by hand
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="org.person", actor=admin_user).count() == 3


def test_reimport_is_idempotent(org):
    run_import(actor=None, file=xlsx(GOOD))
    audit_before = AuditEntry.objects.exclude(action=AuditAction.IMPORT).count()
    report = run_import(actor=None, file=xlsx(GOOD))
    assert report.ok
    assert report.created == [] and report.updated == []
    assert len(report.unchanged) == 3
    assert Person.objects.count() == 3
    assert RoleAssignment.objects.count() == 3
    assert AuditEntry.objects.exclude(action=AuditAction.IMPORT).count() == audit_before


def test_reimport_updates(org):
    run_import(actor=None, file=xlsx(GOOD))
    changed = [
        ["HX001", "王芳", "EC-TM", "", "高级", "", "离职", "", "", ""],  # roles empty: kept
        ["HX002", "李强", "CS-AFT", "", "", "质检员", "", "", "", ""],  # roles replace
    ]
    report = run_import(actor=None, file=xlsx(changed))
    assert report.ok, report.errors
    assert {o.employee_no: set(o.changes) for o in report.updated} == {
        "HX001": {"unit", "level", "status"}, "HX002": {"roles"}}
    wang = Person.objects.get(employee_no="HX001")
    assert (wang.unit, wang.level, wang.status, wang.hire_date) == (org.tm, "senior", "left", date(2024, 3, 1))
    assert wang.user.is_active is False  # leaving deactivates the login
    assert set(wang.roles.values_list("role", flat=True)) == {"agent", "mentor"}
    li = Person.objects.get(employee_no="HX002")
    assert list(li.roles.values_list("role", flat=True)) == ["qa_reviewer"]


BAD_ROWS = [
    (["", "无工号", "CS-PRE"], "工号", "required"),
    (["B01", "", "CS-PRE"], "姓名", "required"),
    (["B02", "赵六", ""], "部门/团队编码", "required"),
    (["B03", "赵六", "NOPE"], "部门/团队编码", "NOPE"),
    (["B04", "赵六", "CS-PRE", "去年春天"], "入职日期", "not a date"),
    (["B05", "赵六", "CS-PRE", "", "专家"], "级别", "专家"),
    (["B06", "赵六", "CS-PRE", "", "", "客服、老板"], "角色", "老板"),
    (["B07", "赵六", "CS-PRE", "", "", "", "休假"], "状态", "休假"),
    (["B08", "赵六", "CS-PRE", "", "", "", "", "not-an-email"], "邮箱", "not-an-email"),
    (["B09", "赵六", "CS-PRE", "", "", "", "", "", "call me"], "手机", "call me"),
    (["B10", "赵六", "CS-PRE", "", "", "", "", "", "", "bad name!"], "登录名", "bad name!"),
    (["B11", "赵" * 81, "CS-PRE"], "姓名", "80"),
]


@pytest.mark.parametrize(("cells", "column", "says"), BAD_ROWS, ids=[r[1] + "-" + r[2] for r in BAD_ROWS])
def test_a_bad_row_is_reported_and_the_good_rows_imported(org, cells, column, says):
    rows = [GOOD[0], cells + [""] * (10 - len(cells)), GOOD[2]]
    report = run_import(actor=None, file=xlsx(rows))
    assert [o.row for o in report.created] == [2, 4]
    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.row == 3 and error.column == column
    assert error.message.startswith(f"Row 3, {column}: ") or error.message.startswith("第 3 行")
    assert says in error.message
    assert Person.objects.count() == 2
    assert AuditEntry.objects.get(action=AuditAction.IMPORT).changes["rows_with_errors"] == [3]


def test_duplicate_employee_number_in_the_file(org):
    report = run_import(actor=None, file=xlsx([GOOD[0], GOOD[1], ["HX001", "又一个", "CS-PRE"]]))
    assert [(e.row, e.column) for e in report.errors] == [(4, "工号")]
    assert "row 2" in report.errors[0].message
    assert Person.objects.count() == 2


def test_a_login_name_taken_by_someone_else_leaves_nothing_half_written(org, make_person):
    other = make_person(Role.AGENT)
    row = ["N01", "钱七", "CS-PRE", "", "", "客服", "", "", "", other.user.username]
    report = run_import(actor=None, file=xlsx([row]))
    assert [(e.row, e.column) for e in report.errors] == [(2, "登录名")]
    assert report.created == []
    # the person and their role were rolled back with the row
    assert not Person.objects.filter(employee_no="N01").exists()
    assert not AuditEntry.objects.filter(object_repr__contains="N01").exists()


def test_renaming_a_login_by_import_is_refused(org):
    run_import(actor=None, file=xlsx([GOOD[0]]))
    renamed = list(GOOD[0])
    renamed[9] = "fang.wang"
    renamed[4] = "高级"
    report = run_import(actor=None, file=xlsx([renamed]))
    assert [(e.row, e.column) for e in report.errors] == [(2, "登录名")]
    assert Person.objects.get(employee_no="HX001").level == "intermediate"  # row rolled back whole


def test_english_headers_and_extra_columns(org):
    headers = ["Employee number", "Name", "Unit code", "Hire date", "Level", "Roles", "Remarks"]
    rows = [["E1", "Chen Jing", "CS-PRE", "2025-02-03", "Intermediate", "agent, QA reviewer", "n/a"]]
    report = run_import(actor=None, file=xlsx(rows, headers))
    assert report.ok, report.errors
    assert report.ignored_columns == ["Remarks"]
    person = Person.objects.get(employee_no="E1")
    assert person.level == "intermediate"
    assert set(person.roles.values_list("role", flat=True)) == {"agent", "qa_reviewer"}


def test_dry_run_writes_nothing(org):
    report = run_import(actor=None, file=xlsx(GOOD), dry_run=True)
    assert len(report.created) == 3 and report.dry_run
    assert Person.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="org.person").exists()


def test_blank_rows_are_skipped_and_row_numbers_stay_the_sheets(org):
    rows = [GOOD[0], [None] * 10, ["B1", "赵六", "CS-PRE", "bad date"]]
    report = run_import(actor=None, file=xlsx(rows))
    assert [e.row for e in report.errors] == [4]


# --- malformed files: a clear message, nothing imported

def test_not_an_xlsx(org):
    report = run_import(actor=None, file=b"name,unit\nx,y\n", file_name="people.csv")
    assert report.file_error.startswith("people.csv is not an Excel workbook") or "people.csv" in report.file_error
    assert Person.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


def test_an_empty_sheet(org):
    report = run_import(actor=None, file=xlsx([], headers=None), file_name="empty.xlsx")
    assert "empty" in report.file_error or "空" in report.file_error
    assert Person.objects.count() == 0


def test_a_missing_required_column(org):
    report = run_import(actor=None, file=xlsx([["HX9", "孙八"]], headers=["工号", "姓名"]), file_name="p.xlsx")
    assert "部门/团队编码" in report.file_error
    assert Person.objects.count() == 0


def test_a_column_given_twice(org):
    report = run_import(actor=None, file=xlsx([["1", "a", "b", "CS"]], headers=["工号", "姓名", "Name", "部门编码"]))
    assert "Name" in report.file_error and Person.objects.count() == 0


def test_an_uploaded_file_object(org, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("名单.xlsx", xlsx(GOOD[:1]))
    report = run_import(actor=None, file=upload)
    assert report.file_name == "名单.xlsx" and len(report.created) == 1
    path = tmp_path / "p.xlsx"
    path.write_bytes(xlsx(GOOD[1:2]))
    assert len(run_import(actor=None, file=str(path)).created) == 1


# --- the template

def test_the_template_round_trips(org):
    data = people_import_template()
    workbook = load_workbook(io.BytesIO(data))
    people, guide = workbook.worksheets
    assert [c.value for c in people[1]] == HEADERS
    texts = [str(c.value) for row in guide.iter_rows() for c in row if c.value is not None]
    for code in ("HQ", "CS", "CS-PRE", "EC-TM"):
        assert code in texts
    for role in Role.values:
        assert role in texts
    # the example row imports as it is
    report = run_import(actor=None, file=data)
    assert report.ok, report.errors
    assert [o.employee_no for o in report.created] == ["HX1001"]


def test_header_variants():
    assert people_import.column_for_header("工号*") == "employee_no"
    assert people_import.column_for_header("入职日期（必填）") == "hire_date"
    assert people_import.column_for_header("工号 / Employee number") == "employee_no"
    assert people_import.column_for_header("E-mail") == "email"
    assert people_import.column_for_header("备注") is None


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-03-01", date(2025, 3, 1)), ("2025/3/1", date(2025, 3, 1)), ("2025年3月1日", date(2025, 3, 1)),
    (20250301, date(2025, 3, 1)), (datetime(2025, 3, 1, 0, 0), date(2025, 3, 1)), ("3/1/2025", None),
    ("2025-02-30", None), (45000, None),
])
def test_parse_date(value, expected):
    assert people_import.parse_date(value) == expected


def test_changed_columns_are_named_by_their_headers(org):
    run_import(actor=None, file=xlsx(GOOD[:1]))
    changed = [["HX001", "王芳", "EC-TM", "", "高级", "", "", "", "", ""]]
    (outcome,) = run_import(actor=None, file=xlsx(changed)).updated
    assert outcome.changed_columns == ["部门/团队编码", "级别"]
