"""Fixtures for the organisation tests: a small tree and a ``make_person`` factory.

    company (HQ)
    ├── 客户服务部 (CS)
    │   ├── 售前组 (CS-PRE)
    │   └── 售后组 (CS-AFT)
    └── 电商运营部 (EC)
        └── 天猫店 (EC-TM, shop)
"""

from __future__ import annotations

import pytest
from tests.factories import customer_service_org, person_maker

from servicecoach.org.calendar import calendar_invalidate
from servicecoach.org.models import Role, UnitKind


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
    return customer_service_org(ec=("电商运营部", "EC", UnitKind.DEPARTMENT, "hq"),
                                tm=("天猫店", "EC-TM", UnitKind.SHOP, "ec"))


@pytest.fixture
def make_person(db, org):
    """``make_person(role=Role.AGENT, unit=org.pre, scope=None, login=True, **fields)``: a person
    (with a login whose password is "pw-12345" unless ``login=False``) holding ``role``
    (a role or a list of roles; supervisor roles may take a ``scope`` unit)."""
    return person_maker(org.pre, prefix="T", username="user", name="测试员")


@pytest.fixture
def admin_user(make_person):
    return make_person(Role.ADMIN, name="管理员").user
