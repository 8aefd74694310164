"""Fixtures of the permission matrix."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Entries that send wrong passwords make Django hash them (PBKDF2: ~0.4 s each); no strength needed."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings, tmp_path):
    """Entries that upload files or build the search index write them here, not under the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KNOWLEDGE_INDEX_DIR = tmp_path / "knowledge"
