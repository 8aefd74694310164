"""Fixtures for the Performance app's web tests (the engine's own fixtures are in engine/conftest.py).

    华信优选 (HQ)
    └── 客户服务部 (CS)
        ├── 售前组 (CS-PRE)   supervisor (scope CS-PRE), agents a1, a2
        └── 售后组 (CS-AFT)   agent b1
    manager: a training manager in HQ
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from servicecoach.kpi import services
from servicecoach.kpi.models import ScorecardTemplate
from servicecoach.org import services as org_services
from servicecoach.org.models import Role, UnitKind

_numbers = itertools.count(1)

# A month in which an agent meets every standard exactly (105 points, no bonus) but for the previous
# month's growth, which the tests give or leave out.
PERFECT = {
    "sales": 100000, "sales_target": 100000, "visits": 1000, "orders": 20, "main_product_sales": 90000,
    "refunds": 0, "consultations": 450, "disputes": 0, "product_knowledge": "A", "selling": "A",
    "communication": "A", "adaptability": "A", "late_arrivals": 0, "etiquette_breaches": 0,
    "responsibility": "A", "complaints": 0, "rude_remarks": 0, "reports": "A", "rule_breaches": 0,
    "team_holdbacks": 0,
}


@pytest.fixture
def kpi_org(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hq = org_services.unit_create(actor=None, name="华信优选", code="HQ", kind=UnitKind.COMPANY)
    cs = org_services.unit_create(actor=None, name="客户服务部", code="CS", kind=UnitKind.DEPARTMENT, parent=hq)
    pre = org_services.unit_create(actor=None, name="售前组", code="CS-PRE", kind=UnitKind.TEAM, parent=cs)
    aft = org_services.unit_create(actor=None, name="售后组", code="CS-AFT", kind=UnitKind.TEAM, parent=cs)

    def person(role, unit, name, *, scope=None):
        n = next(_numbers)
        p = org_services.person_create(actor=None, employee_no=f"K{n:05d}", name=name, unit=unit)
        org_services.role_grant(actor=None, person=p, role=role, unit=scope)
        org_services.person_set_login(actor=None, person=p, username=f"kpi{n}", password="pw-12345")
        return p

    ns = SimpleNamespace(hq=hq, cs=cs, pre=pre, aft=aft)
    ns.manager = person(Role.TRAINING_MANAGER, hq, "经理")
    ns.supervisor = person(Role.SUPERVISOR, pre, "主管", scope=pre)
    ns.a1 = person(Role.AGENT, pre, "客服甲")
    ns.a2 = person(Role.AGENT, pre, "客服乙")
    ns.b1 = person(Role.AGENT, aft, "客服丙")
    return ns


@pytest.fixture
def ecs(kpi_org) -> ScorecardTemplate:
    services.builtin_templates_sync()
    return ScorecardTemplate.objects.get(key="ecommerce-cs")


@pytest.fixture
def period(kpi_org, ecs):
    return services.period_create(actor=kpi_org.manager.user, template=ecs, month="2026-10")


@pytest.fixture
def perfect() -> dict:
    return dict(PERFECT)


@pytest.fixture
def fill():
    """fill(period, person, {figure: value}, actor=None): enter figures through the service."""

    def run(period, person, figures, actor=None):
        for fid, value in figures.items():
            services.input_set(actor=actor, period=period, person=person, figure=fid, raw=value)

    return run


@pytest.fixture
def as_user(client):
    """``as_user(person)``: the test client logged in as that person."""

    def login(person):
        client.force_login(person.user)
        return client

    return login
