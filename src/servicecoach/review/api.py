"""REST endpoints of the Quality review app, under /api/v1/ (namespace ``api``)."""

from __future__ import annotations


def register(router) -> list:
    """Register this app's viewsets on the shared router; return its plain (non-viewset) URL patterns."""
    return []
