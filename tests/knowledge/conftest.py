"""Fixtures for the knowledge-base tests: a small organisation, people with roles, a private index folder.

    华信优选 (HQ)
    ├── 客户服务部 (CS)
    │   ├── 售前组 (CS-PRE)
    │   └── 售后组 (CS-AFT)
    └── 电商运营部 (EC)
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from servicecoach.knowledge import search as knowledge_search
from servicecoach.org import services
from servicecoach.org.models import Role, UnitKind

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_index(settings, tmp_path):
    """Each test has its own snapshot folder and attachment folder, and starts without an index in memory
    (the database of the previous test was rolled back)."""
    settings.KNOWLEDGE_INDEX_DIR = tmp_path / "index"
    settings.MEDIA_ROOT = tmp_path / "media"
    knowledge_search.forget_process_index()
    yield
    knowledge_search.forget_process_index()


@pytest.fixture
def org(db):
    hq = services.unit_create(actor=None, name="华信优选", code="HQ", kind=UnitKind.COMPANY)
    cs = services.unit_create(actor=None, name="客户服务部", code="CS", kind=UnitKind.DEPARTMENT, parent=hq)
    pre = services.unit_create(actor=None, name="售前组", code="CS-PRE", kind=UnitKind.TEAM, parent=cs)
    aft = services.unit_create(actor=None, name="售后组", code="CS-AFT", kind=UnitKind.TEAM, parent=cs)
    ec = services.unit_create(actor=None, name="电商运营部", code="EC", kind=UnitKind.DEPARTMENT, parent=hq)
    return SimpleNamespace(hq=hq, cs=cs, pre=pre, aft=aft, ec=ec)


@pytest.fixture
def make_person(db, org):
    """``make_person(role, unit=org.pre, scope=None)``: a person with a login (password "pw-12345")."""

    def make(role=None, unit=None, *, scope=None, login=True, name=None):
        n = next(_numbers)
        person = services.person_create(actor=None, employee_no=f"K{n:05d}", name=name or f"员工{n}",
                                        unit=unit or org.pre)
        for r in role if isinstance(role, list | tuple) else ([role] if role else []):
            services.role_grant(actor=None, person=person, role=r, unit=scope if r == Role.SUPERVISOR else None)
        if login:
            services.person_set_login(actor=None, person=person, username=f"kuser{n}", password="pw-12345")
        return person

    return make


@pytest.fixture
def editor(make_person, org):
    return make_person(Role.TRAINING_MANAGER, unit=org.hq, name="培训经理")


@pytest.fixture
def agent(make_person, org):
    return make_person(Role.AGENT, unit=org.pre, name="客服小王")


def client_for(client, person):
    client.force_login(person.user)
    return client
