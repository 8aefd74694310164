"""Fixtures of the permission matrix."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Entries that send wrong passwords make Django hash them (PBKDF2: ~0.4 s each); no strength needed."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
