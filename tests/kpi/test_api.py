"""The Performance REST endpoints: setting figures and scoring through the API, scorecards in scope."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from servicecoach.kpi.models import AgentInput


@pytest.fixture
def api():
    def login(person):
        client = APIClient()
        client.force_authenticate(person.user)
        return client

    return login


def test_supervisor_sets_figures_and_scores_through_the_api(kpi_org, period, api, perfect):
    client = api(kpi_org.supervisor)
    url = f"/api/v1/kpi-periods/{period.pk}/inputs/"
    for fid, value in perfect.items():
        response = client.post(url, {"person": kpi_org.a1.pk, "figure": fid, "value": str(value)}, format="json")
        assert response.status_code == 200, response.content
    assert AgentInput.objects.get(period=period, person=kpi_org.a1).figures["product_knowledge"] == "A"

    bad = client.post(url, {"person": kpi_org.a1.pk, "figure": "refunds", "value": "-1"}, format="json")
    assert bad.status_code == 400 and "退单数" in bad.json()["non_field_errors"][0]
    assert client.post(url, {"person": kpi_org.b1.pk, "figure": "refunds", "value": "1"},
                       format="json").status_code == 404

    scored = client.post(f"/api/v1/kpi-periods/{period.pk}/score/", {"note": "api"}, format="json")
    assert scored.status_code == 200 and scored.json()["status"] == "scored" and scored.json()["current_run"] == 1


def test_results_are_scoped_and_explained(kpi_org, period, api, perfect, fill):
    for p in (kpi_org.a1, kpi_org.a2, kpi_org.b1):
        fill(period, p, perfect)
    from servicecoach.kpi import services

    services.period_score(actor=None, period=period)
    mine = api(kpi_org.a1).get("/api/v1/kpi-results/").json()
    rows = mine["results"] if isinstance(mine, dict) else mine
    assert [r["employee_no"] for r in rows] == [kpi_org.a1.employee_no]
    item = next(i for i in rows[0]["items"] if i["item"] == "sales_completion")
    assert item["points"] == 30 and item["zh"] and item["en"]

    team = api(kpi_org.supervisor).get("/api/v1/kpi-results/", {"month": "2026-10"}).json()
    team_rows = team["results"] if isinstance(team, dict) else team
    assert {r["employee_no"] for r in team_rows} == {kpi_org.a1.employee_no, kpi_org.a2.employee_no}
    bad = api(kpi_org.supervisor).get("/api/v1/kpi-results/", {"period": "x"})
    assert bad.status_code == 400 and "period" in bad.json()
