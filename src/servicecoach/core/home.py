"""The home page is a column of panels; each role sees the panels registered for it.

A later capability adds its own panel from its ``AppConfig.ready()``::

    from servicecoach.core.home import HomePanel, register_panel
    register_panel(HomePanel(key="qa_queue", title=_("My review queue"),
                             template="quality/panels/review_queue.html",
                             roles=frozenset({Role.QA_REVIEWER}), data=review_queue_for, order=20))

``data`` is a selector taking the user and returning the template's context (``panel.data``
inside the template).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from servicecoach.core import selectors
from servicecoach.org.models import Role
from servicecoach.org.selectors import user_roles


@dataclass(frozen=True)
class HomePanel:
    key: str
    title: str
    template: str
    roles: frozenset[str]  # empty: every signed-in user
    data: Callable[[Any], dict[str, Any]] | None = None
    order: int = 100
    wide: bool = False  # spans the full width of the page on large screens
    extra: dict[str, Any] = field(default_factory=dict)


HOME_PANELS: dict[str, HomePanel] = {}


def register_panel(panel: HomePanel) -> HomePanel:
    """Add (or replace, by key) a panel of the home page."""
    HOME_PANELS[panel.key] = panel
    return panel


def panels_for(user) -> list[dict[str, Any]]:
    """The panels the user's roles call for, in order, each with its data already read."""
    roles = user_roles(user)
    shown = []
    for panel in sorted(HOME_PANELS.values(), key=lambda p: (p.order, p.key)):
        if panel.roles and not (panel.roles & roles):
            continue
        shown.append({"panel": panel, "data": panel.data(user) if panel.data else {}})
    return shown


register_panel(HomePanel(
    key="admin_overview", title=_("Organisation at a glance"), template="core/panels/admin_overview.html",
    roles=frozenset({Role.ADMIN}), data=selectors.home_admin_summary, order=10, wide=True,
))
register_panel(HomePanel(
    key="training_overview", title=_("People and onboarding"), template="core/panels/training_overview.html",
    roles=frozenset({Role.TRAINING_MANAGER}), data=selectors.home_training_overview, order=20,
))
register_panel(HomePanel(
    key="supervisor_teams", title=_("My teams"), template="core/panels/supervisor_teams.html",
    roles=frozenset({Role.SUPERVISOR}), data=selectors.home_supervisor_teams, order=30, wide=True,
))
register_panel(HomePanel(
    key="working_days", title=_("Working days ahead"), template="core/panels/working_days.html",
    roles=frozenset({Role.TRAINING_MANAGER, Role.TRAINER, Role.MENTOR, Role.QA_REVIEWER, Role.SUPERVISOR}),
    data=selectors.home_working_days, order=60,
))
register_panel(HomePanel(
    key="profile", title=_("My profile"), template="core/panels/profile.html",
    roles=frozenset(), data=selectors.home_profile, order=900,
))
