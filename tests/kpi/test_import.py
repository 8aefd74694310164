"""Importing a month's figures from Excel/CSV: bad cells named by row, column and reason, the good rows
kept, a second import of the same file changing nothing, and a supervisor's import limited to their agents."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.utils import translation

from servicecoach.kpi import services
from servicecoach.kpi.models import AgentInput, InputChange, InputSource
from servicecoach.org.models import AuditEntry
from servicecoach.org.selectors import people_visible_to


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def xlsx(rows) -> io.BytesIO:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_good_rows_kept_bad_rows_named_and_import_is_idempotent(kpi_org, period):
    a1, a2, b1 = kpi_org.a1, kpi_org.a2, kpi_org.b1
    rows = [
        ["工号", "月份", "销售额", "销售目标", "迟到次数", "沟通能力"],
        [a1.employee_no, "2026-10", "¥87,000", 100000, 2, "B"],       # row 2: good
        [a2.name, "2026年10月", 120000, 100000, 1.5, "A"],             # row 3: 1.5 late arrivals
        [b1.employee_no, "2026-09", 50000, 100000, 0, "A"],            # row 4: another month
        ["K-nobody", "2026-10", 1, 1, 0, "A"],                         # row 5: unknown agent
        [b1.employee_no, "2026-10", 90000, None, 0, "E"],               # row 6: unknown level
        [b1.employee_no, "2026-10", 90000, 100000, 0, "A"],            # row 7: good (blank target above skipped)
    ]
    report = services.inputs_import(actor=kpi_org.manager.user, period=period, file=xlsx(rows),
                                    file_name="十月.xlsx")
    assert not report.error
    assert (report.rows_read, report.rows_imported) == (6, 2)
    problems = {(p.row, p.column): p.reason for p in report.problems}
    assert "whole number" in problems[(3, "迟到次数 / late arrivals")]
    assert "2026-09 is not this period's month (2026-10)" in problems[(4, "month")]
    assert "no agent K-nobody" in problems[(5, "agent")]
    assert "unknown level 'E'" in problems[(6, "沟通能力 / communication")]
    assert report.rows_skipped == 4

    a1_row = AgentInput.objects.get(period=period, person=a1)
    assert a1_row.figures == {"sales": 87000, "sales_target": 100000, "late_arrivals": 2, "communication": "B"}
    assert AgentInput.objects.get(period=period, person=a2).figures == {}  # the bad row changed nothing
    assert AgentInput.objects.get(period=period, person=b1).figures["sales"] == 90000
    changes = InputChange.objects.filter(period=period)
    assert changes.count() == 8 and set(changes.values_list("source", flat=True)) == {InputSource.IMPORT}
    assert AuditEntry.objects.filter(object_type="kpi.period", action="import").count() == 1

    again = services.inputs_import(actor=kpi_org.manager.user, period=period, file=xlsx(rows), file_name="十月.xlsx")
    assert again.values_changed == 0 and again.rows_imported == 2
    assert InputChange.objects.filter(period=period).count() == 8


def test_supervisor_imports_only_their_agents(kpi_org, period):
    rows = [["工号", "销售额"], [kpi_org.a1.employee_no, 1000], [kpi_org.b1.employee_no, 2000]]
    report = services.inputs_import(actor=kpi_org.supervisor.user, period=period, file=xlsx(rows), file_name="a.xlsx",
                                    people=people_visible_to(kpi_org.supervisor.user))
    assert report.rows_imported == 1 and [p.row for p in report.problems] == [3]
    assert AgentInput.objects.get(period=period, person=kpi_org.b1).figures == {}


def test_csv_in_gb18030_and_duplicate_rows(kpi_org, period):
    text = f"客服,咨询量\n{kpi_org.a1.employee_no},430\n{kpi_org.a1.employee_no},440\n"
    report = services.inputs_import(actor=None, period=period, file=io.BytesIO(text.encode("gb18030")),
                                    file_name="data.csv")
    assert report.rows_imported == 1
    assert "appears twice" in report.problems[0].reason and report.problems[0].row == 3
    assert AgentInput.objects.get(period=period, person=kpi_org.a1).figures == {"consultations": 430}


@pytest.mark.parametrize(("name", "content", "message"), [
    ("data.xls", b"old", "Give an .xlsx or .csv file"),
    ("data.xlsx", b"not a zip at all", "not an Excel .xlsx workbook"),
    ("data.csv", "月份,销售额\n2026-10,1\n".encode(), "no agent column"),
    ("data.csv", b"", "empty"),
])
def test_unreadable_files_are_refused_whole(kpi_org, period, name, content, message):
    report = services.inputs_import(actor=None, period=period, file=io.BytesIO(content), file_name=name)
    assert message in report.error and "/tmp" not in report.error
    assert not InputChange.objects.exists()


def test_import_into_a_locked_month_is_refused(kpi_org, period, perfect, fill):
    from django.core.exceptions import ValidationError

    fill(period, kpi_org.a1, perfect)
    services.period_score(actor=None, period=period)
    services.period_lock(actor=None, period=period)
    with pytest.raises(ValidationError, match="locked"):
        services.inputs_import(actor=None, period=period, file=xlsx([["工号", "销售额"], [kpi_org.a1.employee_no, 1]]),
                               file_name="a.xlsx")
    assert AgentInput.objects.get(period=period, person=kpi_org.a1).figures["sales"] == 100000


def test_reasons_are_given_in_chinese_on_a_chinese_page(kpi_org, period):
    rows = [["工号", "月份", "迟到次数", "沟通能力", "销售额"],
            [kpi_org.a1.employee_no, "十月", 1, "A", 1],
            [kpi_org.a2.employee_no, "2026-10", 1.5, "A", 1],
            [kpi_org.b1.employee_no, "2026-10", 1, "E", "很多"],
            [kpi_org.b1.employee_no, "2026-10", 1, "A", 1],
            [kpi_org.b1.employee_no, "2026-10", 1, "A", 1]]
    with translation.override("zh-hans"):
        report = services.inputs_import(actor=None, period=period, file=xlsx(rows), file_name="a.xlsx")
    reasons = {(p.row, p.column.split(" / ")[0]): p.reason for p in report.problems}
    assert reasons[(2, "月份")].startswith("不是月份")
    assert reasons[(3, "迟到次数")].startswith("必须是不小于 0 的整数")
    assert reasons[(4, "沟通能力")].startswith("未知等级 'E'")
    assert reasons[(4, "销售额")].startswith("不是数字")
    assert "重复出现" in reasons[(6, "客服")] and "第 5 行" in reasons[(6, "客服")]
