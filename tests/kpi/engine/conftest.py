"""Shared builders for the KPI engine tests: the built-in template and a perfect agent's month."""

from __future__ import annotations

import pytest

from servicecoach.kpi.engine.scoring import score_month
from servicecoach.kpi.engine.template import builtin_templates

# A month in which the agent meets every standard exactly: 105 points, no bonus.
PERFECT = {
    "sales": 100000, "sales_target": 100000, "visits": 1000, "orders": 20, "main_product_sales": 90000,
    "refunds": 0, "consultations": 450, "disputes": 0, "product_knowledge": "A", "selling": "A",
    "communication": "A", "adaptability": "A", "late_arrivals": 0, "etiquette_breaches": 0,
    "responsibility": "A", "complaints": 0, "rude_remarks": 0, "reports": "A", "rule_breaches": 0,
    "team_holdbacks": 0,
}
PREV = {"sales": 100000}


@pytest.fixture(scope="session")
def ecs():
    return builtin_templates()["ecommerce-cs"]


@pytest.fixture
def score(ecs):
    """score(item_id, prev=..., teammates=[{...}, ...], **figures) -> ItemResult of agent "a"."""

    def run(item_id: str, *, prev=PREV, teammates=(), **over):
        row = {"agent": "a", "team": "t", **PERFECT, **over}
        rows = [row, *({"agent": f"m{i}", "team": "t", **PERFECT, **m} for i, m in enumerate(teammates))]
        results = score_month(ecs, rows, previous={"a": prev} if prev is not None else None)
        return next(r for r in results if r.agent == "a").item(item_id)

    return run
