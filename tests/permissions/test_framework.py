"""The permission matrix's own machinery: what it reports and how it names an answer."""

from __future__ import annotations

import pytest
from django.http import HttpResponse, HttpResponseRedirect
from tests.permissions.matrix import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    PRINCIPALS,
    Entry,
    Rule,
    UrlInfo,
    expect,
    only,
    outcome_of,
    plan,
    public,
    signed_in,
    staff_only,
)

URLS = [
    UrlInfo("home", "", False),
    UrlInfo("org:person-detail", "org/people/<int:pk>/", False),
    UrlInfo("api:person-list", "api/v1/people/", False),
    UrlInfo("api:person-list", "api/v1/people.<drf_format_suffix:format>", True),
    UrlInfo("admin:index", "admin/", False),
    UrlInfo(None, "admin/(?P<url>.*)$", False),
]


def test_a_url_without_entry_is_reported_with_its_name_and_route():
    _, problems = plan(URLS, [Entry("home", expect=signed_in())], [])
    text = "\n".join(problems)
    assert "'org:person-detail' (route 'org/people/<int:pk>/')" in text
    assert "Entry('org:person-detail', kwargs=lambda org: {...}" in text
    assert "'api:person-list'" in text
    assert "URL pattern 'admin/(?P<url>.*)$' has no name" in text


def test_an_entry_for_a_url_that_does_not_exist_is_reported():
    _, problems = plan([UrlInfo("home", "", False)], [Entry("home", expect=signed_in()),
                                                      Entry("org:gone", expect=signed_in())], [])
    assert problems == ["Entry 'org:gone' names no URL pattern of the project: fix the name or remove the entry."]


def test_rules_cover_families_and_explicit_entries_win():
    made = []

    def admin_entries(info):
        made.append(info.key)
        return [Entry(info.key, expect=only("admin", others=LOGIN), path="/admin/x/")]

    entries = [Entry("home", expect=signed_in()), Entry("org:person-detail", expect=signed_in()),
               Entry("api:person-list", expect=signed_in()), Entry("admin:index", expect=public())]
    to_run, problems = plan(URLS, entries, [Rule("admin*", admin_entries, reason="the admin")])
    assert problems == []
    assert made == ["admin/(?P<url>.*)$"]  # admin:index has its own entry; the format variant needs none
    assert len(to_run) == 5


def test_expectation_helpers_cover_every_principal():
    assert set(signed_in()) == set(PRINCIPALS)
    assert public()["anonymous"] == OK
    assert signed_in()["anonymous"] == LOGIN
    assert staff_only() == expect(FORBIDDEN, admin=OK, training_manager=OK)
    assert only("agent", others=NOT_FOUND)["supervisor"] == NOT_FOUND
    with pytest.raises(ValueError, match="unknown role"):
        expect(OK, boss=OK)
    with pytest.raises(ValueError, match="unknown outcome"):
        expect("maybe")
    with pytest.raises(ValueError, match="no expected outcome"):
        Entry("home", expect={"anonymous": OK})


@pytest.mark.parametrize(("response", "url", "outcome"), [
    (HttpResponse(status=200), "/", OK),
    (HttpResponse(status=204), "/api/v1/x/", OK),
    (HttpResponseRedirect("/accounts/login/?next=/org/"), "/org/", LOGIN),
    (HttpResponseRedirect("/admin/login/?next=/admin/"), "/admin/", LOGIN),
    (HttpResponseRedirect("/org/people/"), "/org/people/new/", OK),
    (HttpResponse(status=401), "/api/v1/people/", LOGIN),
    (HttpResponse(status=401), "/org/people/", 401),  # a page never answers 401 for "log in"
    (HttpResponse(status=403), "/api/v1/people/", FORBIDDEN),
    (HttpResponse(status=404), "/org/people/9/", NOT_FOUND),
    (HttpResponse(status=405), "/accounts/logout/", 405),
])
def test_outcome_names(response, url, outcome):
    assert outcome_of(response, url) == outcome
