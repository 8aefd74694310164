"""Reading a month's figures from CSV/Excel (malformed files included) and writing results."""

import csv
from datetime import date, datetime

import openpyxl
import pytest

from servicecoach.kpi.engine.scoring import score_month
from servicecoach.kpi.engine.tables import (
    TableError,
    parse_month,
    previous_month,
    read_table,
    write_csv,
    write_xlsx,
)

from .conftest import PERFECT


def write(tmp_path, name, lines, encoding="utf-8"):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding=encoding)
    return p


@pytest.mark.parametrize(
    ("cell", "month"),
    [("2026-10", "2026-10"), ("2026/1", "2026-01"), ("2026年10月", "2026-10"), ("2026.10", "2026-10"),
     ("202610", "2026-10"), (202610, "2026-10"), ("2026-10-31", "2026-10"), (date(2026, 10, 3), "2026-10"),
     (datetime(2026, 9, 1, 8), "2026-09"), ("2026-13", None), ("October", None), (12, None), ("", None)],
)
def test_months(cell, month):
    assert parse_month(cell) == month


def test_previous_month():
    assert previous_month("2026-10") == "2026-09" and previous_month("2026-01") == "2025-12"


def test_headers_in_chinese_english_or_alias_with_units(tmp_path, ecs):
    p = write(tmp_path, "d.csv", [
        "工号,店铺,month,销售额（元）,sales target,UV,成交订单数,退单",
        "1001,A店,2026-10,\"87,000\",¥100000,1000,12,",
    ])
    sheet = read_table(p, ecs)
    assert sheet.problems == [] and sheet.has_month and sheet.has_team
    [row] = sheet.rows
    assert row["agent"] == "1001" and row["team"] == "A店" and row["month"] == "2026-10"
    assert (row["sales"], row["sales_target"], row["visits"], row["orders"]) == (87000, 100000, 1000, 12)
    assert "refunds" not in row  # a blank cell is a missing figure, not 0
    assert {f.id for f in sheet.missing_figures} >= {"consultations", "late_arrivals", "main_product_sales"}


def test_bad_cells_skip_the_row_with_row_number_column_and_reason(tmp_path, ecs):
    p = write(tmp_path, "d.csv", [
        "客服,月份,访客数,订单数,迟到次数,沟通能力",
        "a,2026-10,1000,10,0,A",
        "b,2026-10,abc,10,0,A",
        "c,2026-10,1000,-1,0,A",
        "d,2026-10,1000,10,1.5,A",
        "e,2026-10,1000,10,0,E",
        ",2026-10,1000,10,0,A",
        "f,Oct,1000,10,0,A",
        "a,2026-10,5,5,0,B",
        "g,,1000,10,0,A",
        ",,,,,",
        "h,2026-10,1000,10,0,良好",
    ])
    sheet = read_table(p, ecs)
    assert [str(x) for x in sheet.problems] == [
        "第 3 行 / row 3, 访客数 visits: not a number ('abc')",
        "第 4 行 / row 4, 订单数 orders: must be a whole number of at least 0, not −1",
        "第 5 行 / row 5, 迟到次数 late arrivals: must be a whole number of at least 0, not 1.5",
        "第 6 行 / row 6, 沟通能力 communication: unknown level 'E' (levels: A, B, C, D)",
        "第 7 行 / row 7, 客服 agent: blank: every row needs the agent",
        "第 8 行 / row 8, 月份 month: not a month ('Oct'): write 2026-10",
        "第 9 行 / row 9, 客服 agent: a appears twice for the same month (first at row 2)",
        "第 10 行 / row 10, 月份 month: blank: write the month, e.g. 2026-10",
    ]
    assert [r["agent"] for r in sheet.rows] == ["a", "h"]
    assert [s["_row"] for s in sheet.skipped] == [3, 4, 5, 6, 7, 8, 9, 10]


def test_missing_agent_column_is_a_file_error(tmp_path, ecs):
    p = write(tmp_path, "d.csv", ["销售额,订单数", "1,2"])
    with pytest.raises(TableError, match="no agent column .* headers found: 销售额, 订单数"):
        read_table(p, ecs)


def test_empty_files(tmp_path, ecs):
    p = tmp_path / "e.csv"
    p.write_bytes(b"")
    with pytest.raises(TableError, match="empty: no header row"):
        read_table(p, ecs)
    p = tmp_path / "e.xlsx"
    openpyxl.Workbook().save(p)
    with pytest.raises(TableError, match="empty: no header row"):
        read_table(p, ecs)


def test_not_an_xlsx(tmp_path, ecs):
    p = write(tmp_path, "fake.xlsx", ["客服,销售额", "a,1"])
    with pytest.raises(TableError, match=r"fake.xlsx: not an Excel .xlsx workbook"):
        read_table(p, ecs)
    p = write(tmp_path, "old.xls", ["x"])
    with pytest.raises(TableError, match="save it as .xlsx"):
        read_table(p, ecs)
    p = write(tmp_path, "d.txt", ["x"])
    with pytest.raises(TableError, match="give an .xlsx or .csv file"):
        read_table(p, ecs)
    with pytest.raises(TableError, match="no such file"):
        read_table(tmp_path / "none.csv", ecs)


def test_gb18030_csv_from_chinese_excel(tmp_path, ecs):
    p = write(tmp_path, "gbk.csv", ["客服,团队,销售额", "张三,一组,100"], encoding="gb18030")
    [row] = read_table(p, ecs).rows
    assert (row["agent"], row["team"], row["sales"]) == ("张三", "一组", 100)


def test_xlsx_cells_numbers_dates_and_numeric_ids(tmp_path, ecs):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])  # a blank first row before the header is skipped
    ws.append(["工号", "月份", "销售额", "订单数", "产品知识"])
    ws.append([1001, datetime(2026, 10, 1), 87000.0, 12, "A"])
    ws.append([1002, "2026-10", "n/a", 12, "A"])
    p = tmp_path / "d.xlsx"
    wb.save(p)
    sheet = read_table(p, ecs)
    assert [(r["agent"], r["month"], r["sales"], r["orders"]) for r in sheet.rows] == [("1001", "2026-10", 87000, 12)]
    assert [str(x) for x in sheet.problems] == ["第 4 行 / row 4, 销售额 sales: not a number ('n/a')"]


def test_results_to_csv_and_xlsx(tmp_path, ecs):
    rows = [{"agent": "a", "team": "t", **PERFECT}, {"agent": "b", "team": "t", **PERFECT, "late_arrivals": 2}]
    results = score_month(ecs, rows, previous={"a": {"sales": 100000}}, month="2026-10")
    out = tmp_path / "r.csv"
    write_csv(out, ecs, results)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [(g["客服"], g["排名"], g["总分"], g["数据完整"]) for g in got] == [("a", "1", "105", "是"),
                                                                         ("b", "2", "95", "否")]
    assert got[1]["出勤得分"] == "2" and got[1]["出勤说明"] == "出勤 2：迟到 2 次 × −1 = −2 → 2/4"
    assert got[1]["销售增长率得分"] == "无数据" and got[1]["无数据项目"] == "销售增长率"

    out = tmp_path / "r.xlsx"
    write_xlsx(out, ecs, results, month="2026-10")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["得分汇总", "得分说明", "模板"]
    ws = wb["得分汇总"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["月份", "团队", "排名", "客服", "总分"] and "销售额完成率（30）" in header
    assert [c.value for c in ws[2]][:6] == ["2026-10", "t", 1, "a", 105, 105]
    assert ws.freeze_panes == "E2"
    detail = list(wb["得分说明"].iter_rows(values_only=True))
    assert len(detail) == 1 + 2 * 19
    assert detail[1][4:] == ("销售额完成率", 30, 30, "销售额完成率 100%：无扣分 → 30/30",
                             "sales completion 100%: no deduction → 30/30")
    info = dict(wb["模板"].iter_rows(values_only=True))
    assert info["模板"] == "ecommerce-cs" and info["版本"] == "2026.11"
