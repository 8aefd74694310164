"""``servicecoach kpi``: listing templates, scoring a spreadsheet to .xlsx and .csv, exit codes."""

import csv

import openpyxl
import pytest

from servicecoach.cli import main as servicecoach_main
from servicecoach.kpi.cli import main

HEADER = ("客服,团队,月份,销售额,销售目标,访客数,订单数,主推单品销售额,退单数,咨询量,交易纠纷,产品知识,销售引导,"
          "沟通能力,应变能力,迟到次数,礼貌用语违规,责任心,投诉及差评,不文明用语,工作报告,违反团队制度,拖团队后腿")
# 张三: the perfect month but 87% of target and 2 late arrivals: 105 − 3 − 2 = 100; growth from
# September's 87,000 is 0%.  李四: perfect, 110.1% of target (+2) and +10.1% growth over September
# (2 whole steps, +2): 109.  王五 (another team): perfect but no September row: growth is no data, 97.
ROWS = [
    "张三,一组,2026-10,87000,100000,1000,20,70000,0,450,0,A,A,A,A,2,0,A,0,0,A,0,0",
    "李四,一组,2026-10,110100,100000,1000,20,90000,0,450,0,A,A,A,A,0,0,A,0,0,A,0,0",
    "王五,二组,2026-10,100000,100000,1000,20,90000,0,450,0,A,A,A,A,0,0,A,0,0,A,0,0",
    "张三,一组,2026-09,87000,100000,1000,20,70000,0,450,0,A,A,A,A,0,0,A,0,0,A,0,0",
    "李四,一组,2026-09,100000,100000,1000,20,90000,0,450,0,A,A,A,A,0,0,A,0,0,A,0,0",
    "王五,二组,2026-08,100000,100000,1000,20,90000,0,450,0,A,A,A,A,0,0,A,0,0,A,0,0",
]


@pytest.fixture
def data_csv(tmp_path):
    p = tmp_path / "data.csv"
    p.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def data_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in [HEADER, *ROWS]:
        ws.append([int(c) if c.isdigit() else c for c in line.split(",")])
    p = tmp_path / "data.xlsx"
    wb.save(p)
    return p


def test_templates_lists_input_columns(capsys):
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    assert "ecommerce-cs  (version 2026.11)  电商客服绩效考核" in out
    assert "visits               count 次数         visits | 访客数 | 访客 | UV" in out
    assert "levels: A=优秀, B=良好, C=合格, D=待改进" in out
    assert "agent                required" in out


def test_the_servicecoach_command_routes_to_kpi(capsys):
    assert servicecoach_main(["kpi", "templates", "--template", "ecommerce-cs"]) == 0
    assert "sales_target" in capsys.readouterr().out


def _check_totals(rows):
    got = {(r["客服"], r["团队"]): (float(r["总分"]), int(r["排名"]), r["激励档位"] or None) for r in rows}
    assert got == {("李四", "一组"): (109, 1, "A"), ("张三", "一组"): (100, 2, None), ("王五", "二组"): (97, 1, "A")}


def test_round_trip_csv(data_csv, tmp_path, capsys):
    out = tmp_path / "results.csv"
    assert main(["score", "--template", "ecommerce-cs", "--month", "2026-10", str(data_csv), "-o", str(out)]) == 0
    text = capsys.readouterr()
    assert "scored 3 agent(s) in 2 team(s) for 2026-10 with ecommerce-cs 2026.11" in text.out
    assert "1 row(s) of other months ignored" in text.err
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    _check_totals(rows)
    zs = next(r for r in rows if r["客服"] == "张三")
    assert zs["销售额完成率说明"] == "销售额完成率 87%：低于标准 13%，3 档 × −1 = −3 → 27/30"
    ww = next(r for r in rows if r["客服"] == "王五")
    assert ww["销售增长率说明"] == "销售增长率：无数据（没有上月数据）" and ww["数据完整"] == "否"


def test_round_trip_xlsx(data_xlsx, tmp_path, capsys):
    out = tmp_path / "results.xlsx"
    assert main(["score", "--template", "ecommerce-cs", "--month", "2026-10", str(data_xlsx), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    rows = list(wb["得分汇总"].iter_rows(values_only=True))
    header = rows[0]
    _check_totals([dict(zip(header, r)) for r in rows[1:]])
    explained = [r for r in wb["得分说明"].iter_rows(values_only=True) if r[2] == "李四" and r[4] == "销售增长率"]
    assert explained[0][5:] == (10, 8, "销售增长率 10.1%：高于标准 10.1%，2 档 × +1 = +2 → 10/8",
                                "sales growth 10.1%: 10.1% above standard, 2 steps × +1 = +2 → 10/8")


def test_xlsx_in_csv_out_and_printed_ranking(data_xlsx, tmp_path, capsys):
    assert main(["score", "--template", "ecommerce-cs", "--month", "2026-10", str(data_xlsx)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["team", "rank", "agent", "total", "tier", "missing"]
    assert out[1].split() == ["一组", "1", "李四", "109", "A"]
    assert out[3].split() == ["二组", "1", "王五", "97", "A", "sales_growth"]


def test_bad_rows_are_reported_and_the_rest_scored(tmp_path, capsys):
    p = tmp_path / "bad.csv"
    bad = ROWS[1].replace(",1000,20,", ",lots,20,")
    p.write_text("\n".join([HEADER, ROWS[0], bad, ROWS[2], ROWS[3]]) + "\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert main(["score", "--template", "ecommerce-cs", "--month", "2026-10", str(p), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "第 3 行 / row 3, 访客数 visits: not a number ('lots')" in err
    wb = openpyxl.load_workbook(out)
    assert [r[3] for r in wb["得分汇总"].iter_rows(min_row=2, values_only=True)] == ["张三", "王五"]
    assert list(wb["跳过的行"].iter_rows(values_only=True))[1] == (3, "访客数 visits", "not a number ('lots')")
    # 李四's row is lost, so 一组's order total is unknown: 张三's share is no data, not overstated
    detail = [r for r in wb["得分说明"].iter_rows(values_only=True) if r[2] == "张三" and r[4] == "个人成交率"]
    assert detail[0][5] == "无数据"


def test_missing_columns_make_items_no_data_with_a_note(tmp_path, capsys):
    p = tmp_path / "few.csv"
    p.write_text("客服,销售额,销售目标\na,100,100\n", encoding="utf-8")
    assert main(["score", "--template", "ecommerce-cs", "--month", "2026-10", str(p)]) == 0
    err = capsys.readouterr().err
    assert "note: no column for 访客数 visits" in err and "these items score no data: conversion rate, main product share" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "--template", "ecommerce-cs", "--month", "October", "{data}"], "--month 'October' is not a month"),
        (["score", "--template", "nope", "--month", "2026-10", "{data}"], "nope: no such template"),
        (["score", "--template", "ecommerce-cs", "--month", "2026-10", "{data}", "-o", "r.pdf"], "give a .xlsx or .csv"),
        (["score", "--template", "ecommerce-cs", "--month", "2026-11", "{data}"],
         "no rows to score for 2026-11 (months in the file: 2026-08, 2026-09, 2026-10)"),
        (["score", "--template", "ecommerce-cs", "--month", "2026-10", "{missing}"], "no such file"),
        (["score", "--month", "2026-10", "{data}"], "the following arguments are required: --template"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: command"),
    ],
)
def test_usage_errors_exit_2(args, message, data_csv, tmp_path, capsys):
    args = [a.format(data=data_csv, missing=tmp_path / "none.csv") for a in args]
    assert main(args) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty: no header row"),
        ("fake.xlsx", b"this is not a zip", "not an Excel .xlsx workbook"),
        ("noagent.csv", "销售额\n1\n".encode(), "no agent column"),
    ],
)
def test_malformed_files_exit_2(name, content, message, tmp_path, capsys):
    p = tmp_path / name
    p.write_bytes(content)
    assert main(["score", "--template", "ecommerce-cs", "--month", "2026-10", str(p)]) == 2
    assert message in capsys.readouterr().err


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "servicecoach kpi" in capsys.readouterr().out
