"""Shared fixtures for the knowledge search engine tests."""

from __future__ import annotations

import pytest

from servicecoach.knowledge.engine.analysis import Analyzer
from servicecoach.knowledge.engine.collection import load_articles


@pytest.fixture
def analyzer() -> Analyzer:
    """A fresh analyser: tests may add words to it."""
    return Analyzer()


@pytest.fixture(scope="session")
def collection_articles() -> list[dict]:
    return load_articles()
