"""The Performance pages through Django's test client: the grid and its htmx cells, scoring from the
page, results and explanations within scope, exports, the team analysis and template editing."""

from __future__ import annotations

import io

import openpyxl
import yaml

from servicecoach.kpi import services
from servicecoach.kpi.models import AgentInput, InputChange, PeriodStatus


def test_grid_shows_the_supervisors_team_only(kpi_org, period, as_user):
    client = as_user(kpi_org.supervisor)
    page = client.get(f"/kpi/periods/{period.pk}/teams/{kpi_org.pre.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert kpi_org.a1.name in html and kpi_org.a2.name in html and kpi_org.b1.name not in html
    assert f'hx-post="/kpi/periods/{period.pk}/cell/"' in html
    assert client.get(f"/kpi/periods/{period.pk}/teams/{kpi_org.aft.pk}/").status_code == 404


def test_cell_saves_with_note_and_refuses_bad_values_naming_the_rule(kpi_org, period, as_user):
    client = as_user(kpi_org.supervisor)
    url = f"/kpi/periods/{period.pk}/cell/"
    ok = client.post(url, {"person": kpi_org.a1.pk, "figure": "late_arrivals", "value": "2", "note": "10月3日、17日"},
                     HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and 'value="2"' in ok.content.decode()
    change = InputChange.objects.get(period=period, person=kpi_org.a1)
    assert (change.figure, change.new, change.note) == ("late_arrivals", 2, "10月3日、17日")

    bad = client.post(url, {"person": kpi_org.a1.pk, "figure": "late_arrivals", "value": "2.5"})
    assert bad.status_code == 422
    assert "必须是不小于 0 的整数" in bad.content.decode() and 'value="2.5"' in bad.content.decode()
    assert AgentInput.objects.get(period=period, person=kpi_org.a1).figures["late_arrivals"] == 2

    level = client.post(url, {"person": kpi_org.a1.pk, "figure": "communication", "value": "B"})
    assert level.status_code == 200 and '<option value="B" title=' in level.content.decode()
    assert client.post(url, {"person": kpi_org.b1.pk, "figure": "sales", "value": "1"}).status_code == 404


def test_locked_grid_is_read_only_and_cells_are_refused(kpi_org, period, as_user, perfect, fill):
    fill(period, kpi_org.a1, perfect)
    services.period_score(actor=None, period=period)
    services.period_lock(actor=None, period=period)
    client = as_user(kpi_org.supervisor)
    page = client.get(f"/kpi/periods/{period.pk}/teams/{kpi_org.pre.pk}/").content.decode()
    assert "hx-post" not in page
    refused = client.post(f"/kpi/periods/{period.pk}/cell/", {"person": kpi_org.a1.pk, "figure": "sales",
                                                              "value": "5"})
    assert refused.status_code == 422 and "已锁定" in refused.content.decode()
    assert ">100000<" in refused.content.decode()  # the stored value, not the refused text


def test_score_from_the_page_then_results_and_explanations_in_scope(kpi_org, period, as_user, perfect, fill):
    fill(period, kpi_org.a1, {**perfect, "complaints": 1})
    fill(period, kpi_org.a2, perfect)
    fill(period, kpi_org.b1, perfect)
    client = as_user(kpi_org.supervisor)
    response = client.post(f"/kpi/periods/{period.pk}/score/", {"note": "月底"}, follow=True)
    assert response.status_code == 200
    period.refresh_from_db()
    assert period.status == PeriodStatus.SCORED and period.current_run.note == "月底"
    html = response.content.decode()
    assert kpi_org.a1.name in html and kpi_org.b1.name not in html  # the supervisor's team only

    detail = client.get(f"/kpi/periods/{period.pk}/agents/{kpi_org.a1.pk}/").content.decode()
    assert "投诉或差评" in detail and "−2" in detail  # the service-attitude item explained
    assert client.get(f"/kpi/periods/{period.pk}/agents/{kpi_org.b1.pk}/").status_code == 404

    agent = as_user(kpi_org.a1)
    assert agent.get(f"/kpi/periods/{period.pk}/agents/{kpi_org.a1.pk}/").status_code == 200
    assert agent.get(f"/kpi/periods/{period.pk}/agents/{kpi_org.a2.pk}/").status_code == 404
    mine = agent.get("/kpi/me/").content.decode()
    assert period.month in mine
    assert agent.get(f"/kpi/periods/{period.pk}/results/").status_code == 403


def test_results_export_is_the_engines_workbook_for_the_users_agents(kpi_org, period, as_user, perfect, fill):
    for p in (kpi_org.a1, kpi_org.a2, kpi_org.b1):
        fill(period, p, perfect)
    services.period_score(actor=None, period=period)
    response = as_user(kpi_org.supervisor).get(f"/kpi/periods/{period.pk}/results.xlsx")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(wb["得分汇总"].iter_rows(values_only=True))
    agents = {row[3] for row in rows[1:]}
    assert agents == {f"{p.name} ({p.employee_no})" for p in (kpi_org.a1, kpi_org.a2)}
    explanations = list(wb["得分说明"].iter_rows(values_only=True))
    assert len(explanations) == 1 + 2 * 19  # a header, then 19 items for each agent


def test_inputs_export_imports_back_without_changes(kpi_org, period, as_user, perfect, fill):
    fill(period, kpi_org.a1, perfect)
    client = as_user(kpi_org.manager)
    exported = client.get(f"/kpi/periods/{period.pk}/inputs.xlsx")
    assert exported.status_code == 200
    upload = io.BytesIO(exported.content)
    upload.name = "back.xlsx"
    before = InputChange.objects.count()
    result = client.post(f"/kpi/periods/{period.pk}/import/", {"file": upload})
    assert result.status_code == 200
    assert InputChange.objects.count() == before
    assert "rows imported" in result.content.decode() or "导入行数" in result.content.decode()


def test_analysis_page_draws_with_local_plotly(kpi_org, period, as_user, perfect, fill):
    fill(period, kpi_org.a1, {**perfect, "etiquette_breaches": 1})
    fill(period, kpi_org.a2, perfect)
    services.period_score(actor=None, period=period)
    html = as_user(kpi_org.manager).get("/kpi/analysis/").content.decode()
    assert "/static/vendor/plotly/plotly.min.js" in html and "cdn" not in html.lower()
    assert 'id="chart-distribution"' in html and 'id="weakest-items"' in html
    assert "售前组" in html and "售后组" in html


def test_template_edit_page_names_item_and_field(kpi_org, ecs, as_user):
    copy = services.template_copy(actor=None, template=ecs, key="shop-e", name="E")
    data = yaml.safe_load(copy.versions.get().source)
    data["sections"][0]["items"][2]["rules"][0]["tiers"][0]["below"] = "low"
    client = as_user(kpi_org.manager)
    response = client.post(f"/kpi/templates/{copy.pk}/edit/", {"source": yaml.safe_dump(data, allow_unicode=True)})
    assert response.status_code == 200
    assert "item conversion_rate, field rules[0].tiers[0].below" in response.content.decode()
    assert copy.versions.count() == 1
    assert client.get(f"/kpi/templates/{ecs.pk}/edit/").status_code == 302  # built in: copy it instead


def test_unlock_needs_a_reason_on_the_page(kpi_org, period, as_user, perfect, fill):
    fill(period, kpi_org.a1, perfect)
    services.period_score(actor=None, period=period)
    services.period_lock(actor=None, period=period)
    client = as_user(kpi_org.manager)
    assert client.post(f"/kpi/periods/{period.pk}/unlock/", {"reason": ""}).status_code == 200
    period.refresh_from_db()
    assert period.locked
    assert client.post(f"/kpi/periods/{period.pk}/unlock/", {"reason": "补录投诉"}).status_code == 302
    period.refresh_from_db()
    assert not period.locked


def test_ranking_across_a_department(kpi_org, period, as_user, perfect, fill):
    fill(period, kpi_org.a1, {**perfect, "complaints": 2})
    fill(period, kpi_org.a2, perfect)
    fill(period, kpi_org.b1, {**perfect, "complaints": 1})
    services.period_score(actor=None, period=period)
    client = as_user(kpi_org.manager)
    html = client.get(f"/kpi/periods/{period.pk}/results/?unit={kpi_org.cs.pk}").content.decode()
    table = html[html.index('id="unit-ranking"'):]
    order = [table.index(p.name) for p in (kpi_org.a2, kpi_org.b1, kpi_org.a1)]
    assert order == sorted(order)  # 97, 95, 93 across both teams
    assert "售后组" in table and "1 / 1" in table  # b1 is first in their own team
    # the supervisor of one team cannot rank the department: only units they can see are offered
    supervisor = as_user(kpi_org.supervisor)
    assert supervisor.get(f"/kpi/periods/{period.pk}/results/?unit={kpi_org.cs.pk}").status_code == 404


def test_home_panels_for_the_agent_and_the_supervisor(kpi_org, ecs, as_user, perfect, fill):
    september = services.period_create(actor=None, template=ecs, month="2026-09")
    fill(september, kpi_org.a1, {**perfect, "complaints": 1})
    services.period_score(actor=None, period=september)
    october = services.period_create(actor=None, template=ecs, month="2026-10")
    fill(october, kpi_org.a1, perfect)
    services.period_score(actor=None, period=october)
    home = as_user(kpi_org.a1).get("/").content.decode()
    assert f"/kpi/periods/{october.pk}/agents/{kpi_org.a1.pk}/" in home
    assert "+10" in home  # growth scored in October (+8 points) and no complaint (+2)
    home = as_user(kpi_org.supervisor).get("/").content.decode()
    assert f"/kpi/periods/{october.pk}/teams/{kpi_org.pre.pk}/" in home
    assert f"/kpi/periods/{october.pk}/teams/{kpi_org.aft.pk}/" not in home


def test_analysis_export_workbook(kpi_org, period, as_user, perfect, fill):
    fill(period, kpi_org.a1, {**perfect, "rule_breaches": 2})
    fill(period, kpi_org.b1, {**perfect, "sales": 50000})
    services.period_score(actor=None, period=period)
    response = as_user(kpi_org.manager).get(f"/kpi/analysis.xlsx?month={period.month}")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    teams = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert teams["售前组"]["人数"] == 2 and teams["售后组"]["月销售额"] == 50000
    items = {row[0]: row for row in list(wb.worksheets[1].iter_rows(values_only=True))[1:]}
    assert items["团队制度"][2] == 3 and items["团队制度"][4] == 1  # (2 + 4) ÷ 2; the third agent has no data
