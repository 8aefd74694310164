"""Fixtures for the knowledge-base tests: a small organisation, people with roles, a private index folder.

    华信优选 (HQ)
    ├── 客户服务部 (CS)
    │   ├── 售前组 (CS-PRE)
    │   └── 售后组 (CS-AFT)
    └── 电商运营部 (EC)
"""

from __future__ import annotations

import pytest
from tests.factories import customer_service_org, person_maker

from servicecoach.knowledge import search as knowledge_search
from servicecoach.org.models import Role, UnitKind


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
    return customer_service_org(ec=("电商运营部", "EC", UnitKind.DEPARTMENT, "hq"))


@pytest.fixture
def make_person(db, org):
    """``make_person(role, unit=org.pre, scope=None)``: a person with a login (password "pw-12345")."""
    return person_maker(org.pre, prefix="K", username="kuser", name="员工")


@pytest.fixture
def editor(make_person, org):
    return make_person(Role.TRAINING_MANAGER, unit=org.hq, name="培训经理")


@pytest.fixture
def agent(make_person, org):
    return make_person(Role.AGENT, unit=org.pre, name="客服小王")


def client_for(client, person):
    client.force_login(person.user)
    return client
