"""Knowledge search engine: Chinese-aware analysis, a BM25F inverted index and its reference.

Plain Python, no Django import (a test enforces this). The web layer builds a
:class:`~servicecoach.knowledge.engine.index.SearchIndex` from article dicts, keeps it up to date
with ``add``/``update``/``remove`` and persists it with ``dumps``/``loads``.
"""
