"""The permission matrix: vocabulary for the ``entries_*.py`` modules and the machinery of ``test_matrix.py``.

Read ``tests/permissions/README.md`` first. In short: every URL pattern of the project has at least one
:class:`Entry` (or is covered by a :class:`Rule`), and each entry says what each principal (anonymous and
one user per role) gets when requesting it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# ---------------------------------------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------------------------------------
OK = "ok"  # 2xx, or a 3xx whose Location is not a login page
LOGIN = "login"  # pages: 302 to a login page (settings.LOGIN_URL or the admin's); API (/api/...): 401
FORBIDDEN = "forbidden"  # 403
NOT_FOUND = "not_found"  # 404
OUTCOMES = (OK, LOGIN, FORBIDDEN, NOT_FOUND)

# ---------------------------------------------------------------------------------------------------------
# Principals: anonymous, and one user per role (built by tests/permissions/sample_org.py)
# ---------------------------------------------------------------------------------------------------------
ANONYMOUS = "anonymous"
ROLES = ("admin", "training_manager", "trainer", "mentor", "qa_reviewer", "supervisor", "agent")
PRINCIPALS = (ANONYMOUS, *ROLES)
STAFF_ROLES = ("admin", "training_manager")  # the roles that see the whole organisation

Expectation = Mapping[str, "str | int"]


def expect(default: str | int, *, anonymous: str | int = LOGIN, **per_role: str | int) -> dict[str, str | int]:
    """The outcome for every principal: ``default`` for each role unless named, ``anonymous`` for anonymous.

    ``expect(FORBIDDEN, admin=OK, supervisor=NOT_FOUND)``
    """
    unknown = set(per_role) - set(ROLES)
    if unknown:
        raise ValueError(f"expect(): unknown role(s) {sorted(unknown)}; roles are {ROLES}")
    result: dict[str, str | int] = {ANONYMOUS: anonymous}
    for role in ROLES:
        result[role] = per_role.get(role, default)
    for outcome in result.values():
        _check_outcome(outcome)
    return result


def public() -> dict[str, str | int]:
    """Anyone, signed in or not, gets OK."""
    return expect(OK, anonymous=OK)


def signed_in() -> dict[str, str | int]:
    """Any signed-in user gets OK; anonymous is sent to log in."""
    return expect(OK)


def only(*roles: str, others: str | int = FORBIDDEN, anonymous: str | int = LOGIN) -> dict[str, str | int]:
    """The listed roles get OK, every other role ``others`` (403 unless said), anonymous ``anonymous``."""
    return expect(others, anonymous=anonymous, **{role: OK for role in roles})


def staff_only(**overrides: str | int) -> dict[str, str | int]:
    """Administrators and training managers only."""
    result = only(*STAFF_ROLES)
    result.update(overrides)
    return result


def _check_outcome(outcome: str | int) -> None:
    if isinstance(outcome, int):
        if not 100 <= outcome <= 599:
            raise ValueError(f"not an HTTP status: {outcome}")
    elif outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; use one of {OUTCOMES} or an exact HTTP status (int)")


# ---------------------------------------------------------------------------------------------------------
# Entries and rules
# ---------------------------------------------------------------------------------------------------------
Builder = Callable[[Any], Any]  # called with the SampleOrg


@dataclass(frozen=True)
class Entry:
    """One request and the outcome expected for each principal.

    name:    the URL name with its namespace ("org:person_detail", "api:person-list", "healthz"); for an
             unnamed pattern, its full route as the walker prints it (then give ``path``).
    expect:  principal -> outcome; build it with expect()/public()/signed_in()/only()/staff_only().
    kwargs:  URL kwargs, or a callable taking the SampleOrg and returning them (sample objects).
    path:    instead of reversing ``name``: the literal path, or a callable taking the SampleOrg.
    method:  "GET" (default), "POST", "PUT", "PATCH", "DELETE".
    data:    request body (dict, or callable taking the SampleOrg); sent as JSON when ``json`` is true,
             else form-encoded.
    label:   tells apart several entries for one name ("own team" / "other team").
    """

    name: str
    expect: Expectation
    kwargs: Mapping[str, Any] | Builder = field(default_factory=dict)
    path: str | Builder | None = None
    method: str = "GET"
    data: Mapping[str, Any] | Builder | None = None
    json: bool = False
    label: str = ""

    def __post_init__(self) -> None:
        missing = set(PRINCIPALS) - set(self.expect)
        if missing:
            raise ValueError(f"Entry {self.name!r}: no expected outcome for {sorted(missing)}")
        for outcome in self.expect.values():
            _check_outcome(outcome)
        if self.method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}:
            raise ValueError(f"Entry {self.name!r}: unknown method {self.method!r}")

    @property
    def id(self) -> str:
        return f"{self.name}[{self.label}]" if self.label else self.name

    def url(self, org: Any, *, format_suffix: str | None = None) -> str:
        return self.urls(org, format_suffix=format_suffix)[-1]

    def urls(self, org: Any, *, format_suffix: str | None = None) -> list[str]:
        """The plain URL and, with ``format_suffix``, the same URL with it: ``kwargs`` is called once, so a
        callable that creates its object need not be safe to call twice."""
        if self.path is not None:
            return [self.path(org) if callable(self.path) else self.path]
        kwargs = dict(self.kwargs(org) if callable(self.kwargs) else self.kwargs)
        urls = [reverse(self.name, kwargs=kwargs)]
        if format_suffix:
            urls.append(reverse(self.name, kwargs={**kwargs, "format": format_suffix}))
        return urls

    def body(self, org: Any) -> Mapping[str, Any] | None:
        return self.data(org) if callable(self.data) else self.data


@dataclass(frozen=True)
class Rule:
    """Covers a family of URL patterns at once (the Django admin, say), deliberately and with a reason.

    match:   fnmatch pattern on the key ("admin:*"); unnamed patterns have their route as key.
    entries: called with the matching ``UrlInfo`` and returns the entries to run for it (may be [] only
             when ``reason`` says why that pattern is not requested).
    An explicit Entry for a name wins over any rule for that name.
    """

    match: str
    entries: Callable[[UrlInfo], list[Entry]]
    reason: str

    def covers(self, key: str) -> bool:
        return fnmatch.fnmatchcase(key, self.match)


# ---------------------------------------------------------------------------------------------------------
# Walking the URL configuration
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UrlInfo:
    name: str | None  # with namespaces, e.g. "admin:index"; None for an unnamed pattern
    route: str  # the full route, e.g. "org/people/<int:pk>/"
    is_format_suffix: bool  # DRF's ".json" variants of a named route

    @property
    def key(self) -> str:
        return self.name or self.route


_FORMAT_GROUP = re.compile(r"<drf_format_suffix:format>|\(\?P<format>")


def walk_urls(patterns: Iterable | None = None, namespace: str = "", prefix: str = "") -> list[UrlInfo]:
    """Every URL pattern of the project, through includes and namespaces."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    found: list[UrlInfo] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner_ns = namespace
            if pattern.namespace:
                inner_ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found.extend(walk_urls(pattern.url_patterns, inner_ns, route))
        elif isinstance(pattern, URLPattern):
            name = None
            if pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            found.append(UrlInfo(name=name, route=route, is_format_suffix=bool(_FORMAT_GROUP.search(route))))
    return found


def collect_entries(modules: Iterable[Any]) -> tuple[list[Entry], list[Rule]]:
    entries: list[Entry] = []
    rules: list[Rule] = []
    for module in modules:
        items = getattr(module, "ENTRIES", None)
        if items is None:
            raise AssertionError(f"{module.__name__} must define ENTRIES (a list of Entry and Rule)")
        for item in items:
            if isinstance(item, Entry):
                entries.append(item)
            elif isinstance(item, Rule):
                rules.append(item)
            else:
                raise AssertionError(f"{module.__name__}: ENTRIES holds {item!r}, not an Entry or Rule")
    return entries, rules


def plan(urls: list[UrlInfo], entries: list[Entry], rules: list[Rule]) -> tuple[list[Entry], list[str]]:
    """The entries to run (explicit ones, then those rules produce) and the problems found on the way."""
    problems: list[str] = []
    explicit_keys = {entry.name for entry in entries}
    all_keys = {info.key for info in urls}
    for entry in entries:
        if entry.name not in all_keys:
            problems.append(
                f"Entry {entry.id!r} names no URL pattern of the project: fix the name or remove the entry."
            )
    to_run = list(entries)
    seen_keys: set[str] = set()
    for info in urls:
        if info.is_format_suffix and info.name and info.name in {u.name for u in urls if not u.is_format_suffix}:
            continue  # requested through the entry for its plain route, with format=json
        if info.key in explicit_keys or info.key in seen_keys:
            continue
        seen_keys.add(info.key)
        rule = next((r for r in rules if r.covers(info.key)), None)
        if rule is None:
            if info.name is None:
                problems.append(
                    f"URL pattern {info.route!r} has no name: give it one (path(..., name=...)) and add an Entry "
                    "for it to a tests/permissions/entries_*.py module."
                )
            else:
                kwargs_hint = ", kwargs=lambda org: {...}" if "<" in info.route or "(?P" in info.route else ""
                problems.append(
                    f"No permission-matrix entry for URL name {info.name!r} (route {info.route!r}). Add to "
                    f"tests/permissions/entries_<your area>.py: Entry({info.name!r}{kwargs_hint}, "
                    "expect=signed_in() / staff_only() / only(...) / expect(...))"
                )
            continue
        to_run.extend(rule.entries(info))
    return to_run, problems


def format_variant_names(urls: list[UrlInfo]) -> set[str]:
    return {info.name for info in urls if info.is_format_suffix and info.name}


# ---------------------------------------------------------------------------------------------------------
# Judging a response
# ---------------------------------------------------------------------------------------------------------
def login_paths() -> set[str]:
    paths = {urlsplit(resolve_url(settings.LOGIN_URL)).path}
    try:
        paths.add(reverse("admin:login"))
    except Exception:  # noqa: BLE001 - the admin may be switched off
        pass
    return paths


def outcome_of(response, url: str) -> str | int:
    """Name what a response means, in the matrix's vocabulary (or its status code when none fits)."""
    status = response.status_code
    is_api = urlsplit(url).path.startswith("/api/")
    if 300 <= status < 400:
        location = urlsplit(response.get("Location", "")).path
        if location in login_paths():
            return LOGIN
        return OK
    if 200 <= status < 300:
        return OK
    if status == 401 and is_api:
        return LOGIN
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    return status


def matches(expected: str | int, response, url: str) -> bool:
    actual = outcome_of(response, url)
    if isinstance(expected, int):
        return response.status_code == expected
    return actual == expected
