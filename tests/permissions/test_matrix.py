"""The permission matrix: every URL pattern of the project, every principal, the expected answer.

How to add your URLs: tests/permissions/README.md.
"""

from __future__ import annotations

import importlib
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client
from tests.permissions.matrix import (
    ANONYMOUS,
    PRINCIPALS,
    Entry,
    collect_entries,
    format_variant_names,
    matches,
    outcome_of,
    plan,
    walk_urls,
)
from tests.permissions.sample_org import build_sample_org

ENTRY_MODULES = [
    importlib.import_module(f"tests.permissions.{path.stem}")
    for path in sorted(Path(__file__).parent.glob("entries_*.py"))
]
URLS = walk_urls()
EXPLICIT_ENTRIES, RULES = collect_entries(ENTRY_MODULES)
TO_RUN, PLAN_PROBLEMS = plan(URLS, EXPLICIT_ENTRIES, RULES)
FORMAT_VARIANTS = format_variant_names(URLS)


def test_every_url_pattern_has_an_entry():
    assert ENTRY_MODULES, "no tests/permissions/entries_*.py module found"
    assert not PLAN_PROBLEMS, "\n".join(["", *PLAN_PROBLEMS])


def test_entries_have_distinct_ids():
    ids = [entry.id for entry in TO_RUN]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"several entries share an id: {duplicates}; give them distinct label=..."


_CLIENT = Client()


def fresh_client() -> Client:
    """One test client for the whole matrix, its cookies cleared for each principal: a new Client would
    build a new handler, and WhiteNoise's middleware scans every static file when it is built (~80 ms)."""
    _CLIENT.cookies = SimpleCookie()
    return _CLIENT


def _request(client: Client, entry: Entry, url: str, org):
    method = entry.method.lower()
    body = entry.body(org)
    if method == "get":
        return client.get(url, body or {})
    if entry.json:
        return getattr(client, method)(url, body or {}, content_type="application/json")
    if method == "post":
        return client.post(url, body or {})
    # PUT/PATCH/DELETE with a form body: Django's test client sends it as given, so encode it.
    return getattr(client, method)(url, urlencode(body or {}), content_type="application/x-www-form-urlencoded")


@pytest.mark.django_db
@pytest.mark.parametrize("entry", TO_RUN, ids=[entry.id for entry in TO_RUN])
def test_matrix(entry: Entry):
    org = build_sample_org()
    failures = []
    with_format = entry.path is None and entry.name in FORMAT_VARIANTS
    urls = entry.urls(org, format_suffix="json" if with_format else None)
    for url in urls:
        url_failures = []
        for principal in PRINCIPALS:
            client = fresh_client()
            if principal != ANONYMOUS:
                client.force_login(org.users[principal])
            response = _request(client, entry, url, org)
            expected = entry.expect[principal]
            if not matches(expected, response, url):
                location = response.get("Location", "")
                url_failures.append(
                    f"  {principal:>16}: expected {expected}, got {outcome_of(response, url)} "
                    f"(HTTP {response.status_code}{' -> ' + location if location else ''})"
                )
        if url_failures:
            failures += [f"{entry.method} {url}", *url_failures]
    assert not failures, "\n".join(["", *failures])
