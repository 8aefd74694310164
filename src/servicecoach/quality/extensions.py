"""Extension points of the quality pages for other apps (the review app adds its review history and
case write-up to the conversation page this way)::

    from servicecoach.quality.extensions import register_conversation_panel
    register_conversation_panel("review/includes/conversation_reviews.html", order=10)

Each registered template is included on the conversation page, after the scorecard, with the
context ``conversation``, ``result``, ``user`` and ``request``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    order: int = 100


_PANELS: list[Panel] = []


def register_conversation_panel(template: str, order: int = 100) -> None:
    """Add a template to the conversation page (registering the same template twice adds it once)."""
    if all(panel.template != template for panel in _PANELS):
        _PANELS.append(Panel(template, order))


def conversation_panels() -> list[str]:
    return [panel.template for panel in sorted(_PANELS, key=lambda p: (p.order, p.template))]
