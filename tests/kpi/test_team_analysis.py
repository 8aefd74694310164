"""Team analysis (issue #8): the per-team monthly labour cost (entered on the grid page, audited, in the
Excel export and import), the comparison of teams with its ratios (zero and missing shown as "—", never
a crash), the working days of the month from the organisation's calendar, and the charts' data."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from servicecoach.kpi import selectors, services
from servicecoach.kpi.models import TeamCost
from servicecoach.org import services as org_services
from servicecoach.org.calendar import get_calendar
from servicecoach.org.models import AuditAction, AuditEntry, Role
from servicecoach.org.selectors import people_visible_to


def _agent(unit, name, n):
    p = org_services.person_create(actor=None, employee_no=f"TA{n:04d}", name=name, unit=unit)
    org_services.role_grant(actor=None, person=p, role=Role.AGENT)
    return p


@pytest.fixture
def shops(kpi_org, ecs, fill):
    """The issue's example: shop A (售前组) 3 agents, 650 consultations a working day, ¥8,000 payroll,
    ¥500k sales; shop B (售后组) 5 agents, 600 a day, ¥9,000, ¥350k. Scored."""
    extra_a = [_agent(kpi_org.pre, "客服丁", 1)]
    extra_b = [_agent(kpi_org.aft, f"客服B{i}", 10 + i) for i in range(4)]
    period = services.period_create(actor=None, template=ecs, month="2026-10")
    days = selectors.month_working_days("2026-10")
    team_a = [kpi_org.a1, kpi_org.a2, *extra_a]
    team_b = [kpi_org.b1, *extra_b]
    consult_a = [650 * days // 3] * 3
    consult_a[0] += 650 * days - sum(consult_a)
    consult_b = [600 * days // 5] * 5
    consult_b[0] += 600 * days - sum(consult_b)
    sales_a = [200000, 150000, 150000]
    sales_b = [70000] * 5
    for people, consult, sales in ((team_a, consult_a, sales_a), (team_b, consult_b, sales_b)):
        for p, c, s in zip(people, consult, sales, strict=True):
            fill(period, p, {"consultations": c, "sales": s, "sales_target": 100000, "orders": 10, "visits": 1000})
    services.team_cost_set(actor=kpi_org.manager.user, period=period, unit=kpi_org.pre, raw="¥8,000")
    services.team_cost_set(actor=kpi_org.manager.user, period=period, unit=kpi_org.aft, raw="9000元")
    services.period_score(actor=None, period=period)
    return period


def test_working_days_come_from_the_organisations_calendar(db):
    from datetime import date

    cal = get_calendar()
    expected = len(cal.working_days_in(date(2026, 10, 1), date(2026, 10, 31)))
    assert selectors.month_working_days("2026-10") == expected
    # October 2026 has the National Day holidays: fewer working days than its 22 weekdays.
    assert expected < 22
    assert selectors.month_working_days("2026-12") == len(cal.working_days_in(date(2026, 12, 1), date(2026, 12, 31)))


def test_the_issues_two_shops_compared(kpi_org, shops):
    days = selectors.month_working_days("2026-10")
    teams = {t["unit"].code: t for t in selectors.team_comparison(user=kpi_org.manager.user, period=shops)}
    a, b = teams["CS-PRE"], teams["CS-AFT"]
    assert (a["staff"], b["staff"]) == (3, 5)
    assert (a["working_days"], b["working_days"]) == (days, days)
    assert (a["consultations_per_day"], b["consultations_per_day"]) == (650, 600)
    assert (a["consultations_per_agent_per_day"], b["consultations_per_agent_per_day"]) == (216.7, 120)
    assert (a["labour_cost"], b["labour_cost"]) == (8000, 9000)
    assert (a["sales"], b["sales"]) == (500000, 350000)
    assert (a["sales_per_agent"], b["sales_per_agent"]) == (166666.67, 70000)
    assert (a["sales_per_cost"], b["sales_per_cost"]) == (62.5, 38.89)
    assert (a["cost_per_agent"], b["cost_per_agent"]) == (2666.67, 1800)
    assert (a["conversion"], b["conversion"]) == (1.0, 1.0)  # 30 ÷ 3000, 50 ÷ 5000


def test_the_supervisor_compares_only_their_team(kpi_org, shops):
    teams = selectors.team_comparison(user=kpi_org.supervisor.user, period=shops)
    assert [t["unit"].code for t in teams] == ["CS-PRE"] and teams[0]["staff"] == 3


def test_missing_and_zero_parts_give_no_ratio_not_a_crash(kpi_org, period, fill, as_user):
    fill(period, kpi_org.a1, {"sales": 1000, "visits": 0, "orders": 0})
    # 售后组: no figures at all, and a labour cost of 0.
    services.team_cost_set(actor=None, period=period, unit=kpi_org.aft, raw="0")
    services.period_score(actor=None, period=period)
    teams = {t["unit"].code: t for t in selectors.team_comparison(user=kpi_org.manager.user, period=period)}
    pre, aft = teams["CS-PRE"], teams["CS-AFT"]
    assert pre["labour_cost"] is None and pre["sales_per_cost"] is None and pre["cost_per_agent"] is None
    assert pre["conversion"] is None  # 0 visits
    assert pre["consultations_per_day"] is None and pre["consultations_per_agent_per_day"] is None
    assert pre["sales"] == 1000 and pre["sales_per_agent"] == 500
    assert aft["labour_cost"] == 0 and aft["sales_per_cost"] is None and aft["sales"] is None
    page = as_user(kpi_org.manager).get(f"/kpi/analysis/?month={period.month}")
    assert page.status_code == 200
    html = page.content.decode()
    row = re.search(r"<tr><td>售后组</td>(.*?)</tr>", html).group(1)
    assert row.count("—") >= 6
    export = as_user(kpi_org.manager).get(f"/kpi/analysis.xlsx?month={period.month}")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    aft_row = dict(zip(rows[0], next(r for r in rows if r[0] == "售后组"), strict=True))
    assert aft_row["人力成本"] == 0 and aft_row["每元人力成本销售额"] is None


def test_labour_cost_is_parsed_audited_and_cleared(kpi_org, period):
    user = kpi_org.supervisor.user
    assert services.team_cost_set(actor=user, period=period, unit=kpi_org.pre, raw="¥8,000.5", note="10 月工资")
    cost = TeamCost.objects.get(period=period, unit=kpi_org.pre)
    assert (cost.labour_cost, cost.note, cost.updated_by) == (Decimal("8000.50"), "10 月工资", user)
    entry = AuditEntry.objects.filter(object_type="kpi.teamcost").latest("id")
    assert entry.action == AuditAction.CREATE and entry.changes["labour_cost"] == [None, "8000.50"]
    assert not services.team_cost_set(actor=user, period=period, unit=kpi_org.pre, raw="8000.50")  # unchanged
    with translation.override("en"):
        for raw, words in (("-1", "at least 0"), ("八千", "not an amount"), ("1e20", "too large")):
            with pytest.raises(ValidationError) as err:
                services.team_cost_set(actor=user, period=period, unit=kpi_org.pre, raw=raw)
            assert words in " ".join(err.value.message_dict["labour_cost"])
    assert TeamCost.objects.get(period=period, unit=kpi_org.pre).labour_cost == Decimal("8000.50")
    assert services.team_cost_set(actor=user, period=period, unit=kpi_org.pre, raw="")
    assert not TeamCost.objects.filter(period=period).exists()
    assert AuditEntry.objects.filter(object_type="kpi.teamcost").latest("id").action == AuditAction.DELETE


def test_labour_cost_refused_on_a_locked_month_and_for_a_unit_without_agents(kpi_org, period):
    with pytest.raises(ValidationError) as err:
        services.team_cost_set(actor=None, period=period, unit=kpi_org.cs, raw="100")
    assert "labour_cost" in err.value.message_dict
    services.period_score(actor=None, period=period)
    services.period_lock(actor=None, period=period)
    with pytest.raises(ValidationError):
        services.team_cost_set(actor=None, period=period, unit=kpi_org.pre, raw="100")
    assert not TeamCost.objects.exists()


def test_grid_page_form_saves_refuses_and_keeps_scope(kpi_org, period, as_user):
    client = as_user(kpi_org.supervisor)
    url = f"/kpi/periods/{period.pk}/teams/{kpi_org.pre.pk}/cost/"
    month_page = client.get(f"/kpi/periods/{period.pk}/").content.decode()
    assert "人力成本 —" in month_page
    grid = client.get(f"/kpi/periods/{period.pk}/teams/{kpi_org.pre.pk}/").content.decode()
    assert f'action="{url}"' in grid and 'name="labour_cost"' in grid
    ok = client.post(url, {"labour_cost": "8000", "note": "工资表"})
    assert ok.status_code == 302 and ok.url == f"/kpi/periods/{period.pk}/teams/{kpi_org.pre.pk}/"
    assert TeamCost.objects.get(period=period, unit=kpi_org.pre).labour_cost == 8000
    assert "人力成本 ¥8000" in client.get(f"/kpi/periods/{period.pk}/").content.decode()
    bad = client.post(url, {"labour_cost": "-3"})
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "必须是不小于 0 的金额" in html and 'value="-3"' in html
    assert TeamCost.objects.get(period=period, unit=kpi_org.pre).labour_cost == 8000
    assert client.post(f"/kpi/periods/{period.pk}/teams/{kpi_org.aft.pk}/cost/",
                       {"labour_cost": "1"}).status_code == 404
    assert not TeamCost.objects.filter(unit=kpi_org.aft).exists()
    assert as_user(kpi_org.a1).post(url, {"labour_cost": "1"}).status_code == 403


def test_analysis_page_shows_costs_ratios_and_chart_data(kpi_org, shops, as_user):
    html = as_user(kpi_org.manager).get("/kpi/analysis/?month=2026-10").content.decode()
    for chart in ("chart-money", "chart-efficiency", "chart-daily"):
        assert f'id="{chart}"' in html
    # the explanation and the charts stay inside the page's content (no stray closing tag)
    between = html[html.index('id="team-comparison"'):html.index('<div class="grid">')]
    assert between.count("<div") == 0 and between.count("</div>") == 2  # the table's wrapper and its card
    assert re.search(r'<option value="\d+" selected>电商客服绩效考核', html)  # the template shown is chosen
    row = re.search(r"<tr><td>售前组</td>(.*?)</tr>", html).group(1)
    assert "¥8000" in row and "¥500000" in row and "216.7" in row and "¥62.50" in row
    charts = json.loads(re.search(r'<script id="kpi-charts" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    assert charts["compare"]["names"] == ["售前组", "售后组"]
    assert charts["compare"]["labour_cost"] == [8000, 9000]
    assert charts["compare"]["sales_per_cost"] == [62.5, 38.89]
    assert charts["compare"]["per_agent_per_day"] == [216.7, 120]


def test_analysis_export_has_every_comparison_column(kpi_org, shops, as_user):
    response = as_user(kpi_org.manager).get("/kpi/analysis.xlsx?month=2026-10")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    a = dict(zip(rows[0], next(r for r in rows if r[0] == "售前组"), strict=True))
    assert (a["人数"], a["人力成本"], a["月销售额"], a["人均销售额"], a["每元人力成本销售额"]) == (
        3, 8000, 500000, 166666.67, 62.5)
    assert a["日均咨询量"] == 650 and a["人均日咨询量"] == 216.7
    assert a["工作日"] == selectors.month_working_days("2026-10")


def _xlsx(agent_rows, cost_rows, cost_sheet="人力成本") -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    for row in agent_rows:
        wb.active.append(row)
    ws = wb.create_sheet(cost_sheet)
    for row in cost_rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("october.xlsx", buf.getvalue())


def test_import_reads_the_cost_sheet_names_bad_rows_and_is_idempotent(kpi_org, period):
    agents = [["工号", "销售额"], [kpi_org.a1.employee_no, 1000]]
    costs = [["团队编码", "团队", "人力成本"],
             ["CS-PRE", "售前组", "¥8,000"],       # row 2: good
             ["CS-AFT", "售后组", "-5"],           # row 3: negative
             ["NOPE", "不存在", 100],              # row 4: unknown team
             ["", "售前组", 9000],                 # row 5: twice (matched by name)
             ["", "", 7000]]                       # row 6: no team
    with translation.override("en"):
        report = services.inputs_import(actor=kpi_org.manager.user, period=period,
                                        file=_xlsx(agents, costs), file_name="october.xlsx")
    assert report.rows_imported == 1 and report.costs_changed == 1 and report.cost_rows_read == 5
    problems = {p.row: (p.column, p.reason) for p in report.cost_problems}
    assert problems[3] == ("人力成本 / 人力成本", "must be an amount of at least 0, not -5")
    assert problems[4][0] == "人力成本 / 团队编码" and "no team NOPE" in problems[4][1]
    assert problems[5] == ("人力成本 / 团队", "售前组 appears twice (first at row 2)")
    assert problems[6][1] == "blank: every row needs the team code or name"
    assert TeamCost.objects.get(period=period, unit=kpi_org.pre).labour_cost == 8000
    assert not TeamCost.objects.filter(unit=kpi_org.aft).exists()
    again = services.inputs_import(actor=kpi_org.manager.user, period=period, file=_xlsx(agents, costs),
                                   file_name="october.xlsx")
    assert again.costs_changed == 0 and again.values_changed == 0


def test_supervisor_import_sets_only_their_teams_cost(kpi_org, period):
    costs = [["团队", "人力成本"], ["售前组", 8000], ["售后组", 9000]]
    report = services.inputs_import(actor=kpi_org.supervisor.user, period=period,
                                    file=_xlsx([["工号", "销售额"]], costs), file_name="c.xlsx",
                                    people=people_visible_to(kpi_org.supervisor.user))
    assert report.costs_changed == 1 and [p.row for p in report.cost_problems] == [3]
    assert list(TeamCost.objects.values_list("unit__code", flat=True)) == ["CS-PRE"]


def test_export_carries_the_costs_and_imports_back_unchanged(kpi_org, period, as_user):
    services.team_cost_set(actor=None, period=period, unit=kpi_org.pre, raw="8000")
    response = as_user(kpi_org.manager).get(f"/kpi/periods/{period.pk}/inputs.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(wb["人力成本"].iter_rows(values_only=True))
    assert rows[0] == ("团队编码", "团队", "月份", "人力成本")
    assert ("CS-PRE", "售前组", "2026-10", 8000) in rows and ("CS-AFT", "售后组", "2026-10", None) in rows
    report = services.inputs_import(actor=kpi_org.manager.user, period=period,
                                    file=SimpleUploadedFile("back.xlsx", response.content), file_name="back.xlsx")
    assert report.cost_problems == [] and report.costs_changed == 0 and report.cost_rows_read == 2
    page = as_user(kpi_org.manager).post(f"/kpi/periods/{period.pk}/import/",
                                         {"file": SimpleUploadedFile("back.xlsx", response.content)})
    assert 'id="import-costs"' in page.content.decode()


def test_api_lists_the_comparison_and_sets_a_teams_cost_in_scope(kpi_org, shops):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(kpi_org.supervisor.user)
    url = f"/api/v1/kpi-periods/{shops.pk}/team-costs/"
    listed = client.get(url)
    assert listed.status_code == 200
    assert [(t["unit_code"], t["staff"], t["labour_cost"], t["sales_per_cost"]) for t in listed.json()] == [
        ("CS-PRE", 3, 8000, 62.5)]
    changed = client.post(url, {"unit": kpi_org.pre.pk, "labour_cost": "10000", "note": "补发"}, format="json")
    assert changed.status_code == 200 and changed.json()[0]["sales_per_cost"] == 50
    bad = client.post(url, {"unit": kpi_org.pre.pk, "labour_cost": "-1"}, format="json")
    assert bad.status_code == 400 and "labour_cost" in bad.json()
    assert client.post(url, {"unit": kpi_org.aft.pk, "labour_cost": "1"}, format="json").status_code == 404
    cleared = client.post(url, {"unit": kpi_org.pre.pk, "labour_cost": ""}, format="json")
    assert cleared.json()[0]["labour_cost"] is None and cleared.json()[0]["sales_per_cost"] is None
    assert TeamCost.objects.get(unit=kpi_org.aft).labour_cost == 9000
