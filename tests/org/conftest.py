"""Fixtures for the organisation tests: a small tree and a ``make_person`` factory.

    company (HQ)
    ├── 客户服务部 (CS)
    │   ├── 售前组 (CS-PRE)
    │   └── 售后组 (CS-AFT)
    └── 电商运营部 (EC)
        └── 天猫店 (EC-TM, shop)
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from servicecoach.org import services
from servicecoach.org.calendar import calendar_invalidate
from servicecoach.org.models import Role, UnitKind

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2's deliberate slowness costs ~0.5 s a login on this machine; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test starts from its own database state, so the calendar cache must too."""
    calendar_invalidate()
    yield
    calendar_invalidate()


@pytest.fixture
def org(db):
    hq = services.unit_create(actor=None, name="华信优选", code="HQ", kind=UnitKind.COMPANY)
    cs = services.unit_create(actor=None, name="客户服务部", code="CS", kind=UnitKind.DEPARTMENT, parent=hq)
    pre = services.unit_create(actor=None, name="售前组", code="CS-PRE", kind=UnitKind.TEAM, parent=cs)
    aft = services.unit_create(actor=None, name="售后组", code="CS-AFT", kind=UnitKind.TEAM, parent=cs)
    ec = services.unit_create(actor=None, name="电商运营部", code="EC", kind=UnitKind.DEPARTMENT, parent=hq)
    tm = services.unit_create(actor=None, name="天猫店", code="EC-TM", kind=UnitKind.SHOP, parent=ec)
    return SimpleNamespace(hq=hq, cs=cs, pre=pre, aft=aft, ec=ec, tm=tm)


@pytest.fixture
def make_person(db, org):
    """``make_person(role=Role.AGENT, unit=org.pre, scope=None, login=True, **fields)``: a person
    (with a login whose password is "pw-12345" unless ``login=False``) holding ``role``
    (a role or a list of roles; supervisor roles may take a ``scope`` unit)."""

    def make(role=None, unit=None, *, scope=None, login=True, name=None, **fields):
        n = next(_numbers)
        person = services.person_create(
            actor=None, employee_no=fields.pop("employee_no", f"T{n:05d}"), name=name or f"测试员{n}",
            unit=unit or org.pre, **fields,
        )
        roles = role if isinstance(role, list | tuple) else ([role] if role else [])
        for r in roles:
            services.role_grant(actor=None, person=person, role=r, unit=scope if r == Role.SUPERVISOR else None)
        if login:
            services.person_set_login(actor=None, person=person, username=f"user{n}", password="pw-12345")
        return person

    return make


@pytest.fixture
def admin_user(make_person):
    return make_person(Role.ADMIN, name="管理员").user
