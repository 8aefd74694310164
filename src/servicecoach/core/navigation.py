"""Which navigation entries each role sees, grouped in sections.

Each domain app adds its entries from its ``AppConfig.ready()``::

    from servicecoach.core.navigation import NavItem, Section, register_nav
    register_nav(NavItem(_("Conversations"), "quality:conversation-list",
                         frozenset({Role.QA_REVIEWER, Role.SUPERVISOR}), section=Section.QUALITY, order=10))

An item whose URL name does not resolve is left out, so a half-registered app never breaks the menu.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from servicecoach.org.models import Role
from servicecoach.org.selectors import user_roles


class Section:
    """The menu's sections, in the order they are shown."""

    GENERAL = "general"
    LEARNING = "learning"
    ASSESSMENT = "assessment"
    QUALITY = "quality"
    PERFORMANCE = "performance"
    KNOWLEDGE = "knowledge"
    ORGANISATION = "organisation"

    LABELS = {
        GENERAL: "",
        LEARNING: _("Training"),
        ASSESSMENT: _("Assessment"),
        QUALITY: _("Quality inspection"),
        PERFORMANCE: _("Performance"),
        KNOWLEDGE: _("Knowledge base"),
        ORGANISATION: _("Organisation"),
    }
    ORDER = list(LABELS)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]  # empty: every signed-in user
    section: str = Section.GENERAL
    order: int = 100


_ORG_VIEWERS = frozenset({Role.ADMIN, Role.TRAINING_MANAGER, Role.SUPERVISOR})

NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home", frozenset(), order=0),
    NavItem(_("My profile"), "org:me", frozenset(), order=10),
    NavItem(_("Organisation units"), "org:unit-list", _ORG_VIEWERS, Section.ORGANISATION, 10),
    NavItem(_("People"), "org:person-list", _ORG_VIEWERS, Section.ORGANISATION, 20),
    NavItem(_("Import people"), "org:people-import", frozenset({Role.ADMIN, Role.TRAINING_MANAGER}),
            Section.ORGANISATION, 30),
    NavItem(_("Working-day calendar"), "org:calendar", frozenset({Role.ADMIN}), Section.ORGANISATION, 40),
    NavItem(_("Audit log"), "org:audit-list", frozenset({Role.ADMIN}), Section.ORGANISATION, 50),
    NavItem(_("Locked logins"), "org:login-lock-list", frozenset({Role.ADMIN}), Section.ORGANISATION, 60),
]


def register_nav(*items: NavItem) -> None:
    """Add menu entries (an entry with the same URL name and label is not added twice)."""
    known = {(item.url_name, str(item.label)) for item in NAV_ITEMS}
    for item in items:
        if (item.url_name, str(item.label)) not in known:
            NAV_ITEMS.append(item)
            known.add((item.url_name, str(item.label)))


def navigation_for(user) -> list[dict[str, str]]:
    """The entries the user may see, flat, in menu order; each knows its section."""
    if user is None or not user.is_authenticated:
        return []
    roles = user_roles(user)
    rank = {key: index for index, key in enumerate(Section.ORDER)}
    items = []
    for item in sorted(NAV_ITEMS, key=lambda i: (rank.get(i.section, len(rank)), i.order)):
        if item.roles and not (item.roles & roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": str(item.label), "url": url, "url_name": item.url_name,
                      "section": item.section, "section_label": str(Section.LABELS.get(item.section, ""))})
    return items


def navigation_sections(user) -> list[dict]:
    """The same entries grouped by section, for the menu."""
    sections: list[dict] = []
    for item in navigation_for(user):
        if not sections or sections[-1]["key"] != item["section"]:
            sections.append({"key": item["section"], "label": item["section_label"], "items": []})
        sections[-1]["items"].append(item)
    return sections


__all__ = ["NAV_ITEMS", "NavItem", "Role", "Section", "navigation_for", "navigation_sections", "register_nav"]
