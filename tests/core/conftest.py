"""Fixtures for the web-shell tests: the permission matrix's sample organisation and a client per role."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.permissions.sample_org import build_sample_org


@pytest.fixture
def sample_org(db):
    return build_sample_org()


@pytest.fixture
def client_as(sample_org):
    """``client_as("supervisor")``: a test client signed in as that role's user of the sample organisation."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(sample_org.users[role])
        return client

    return make
