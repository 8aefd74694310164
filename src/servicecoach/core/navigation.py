"""Which navigation entries each role sees. Each domain adds its entries to NAV_ITEMS."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from servicecoach.org.models import Role
from servicecoach.org.selectors import user_roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]  # empty: every signed-in user


_ORG_VIEWERS = frozenset({Role.ADMIN, Role.TRAINING_MANAGER, Role.SUPERVISOR})

NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home", frozenset()),
    NavItem(_("My profile"), "org:me", frozenset()),
    NavItem(_("Organisation units"), "org:unit-list", _ORG_VIEWERS),
    NavItem(_("People"), "org:person-list", _ORG_VIEWERS),
    NavItem(_("Audit log"), "org:audit-list", frozenset({Role.ADMIN})),
    NavItem(_("Import people"), "org:people-import", frozenset({Role.ADMIN, Role.TRAINING_MANAGER})),
    NavItem(_("Working-day calendar"), "org:calendar", frozenset({Role.ADMIN})),
]


def navigation_for(user) -> list[dict[str, str]]:
    if user is None or not user.is_authenticated:
        return []
    roles = user_roles(user)
    items = []
    for item in NAV_ITEMS:
        if item.roles and not (item.roles & roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": str(item.label), "url": url, "url_name": item.url_name})
    return items


__all__ = ["NAV_ITEMS", "NavItem", "Role", "navigation_for"]
