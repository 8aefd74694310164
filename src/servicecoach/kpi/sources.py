"""Where ServiceCoach itself knows a month's figure, a *figure source* computes it instead of a person
typing it in: e.g. consultation volume from the quality app's conversations, complaints from appeals.

A source is registered by the app that owns the data (from its ``AppConfig.ready()``)::

    from servicecoach.kpi.sources import FigureSource, register_source
    register_source(FigureSource(key="quality.consultations", figure="consultations",
                                 label=_("Conversations in the quality app"), compute=count_conversations))

``compute(month, people)`` gets the month (``YYYY-MM``) and the agents (``Person`` objects) and returns
``{person id: value}`` for those it knows; ``kpi.services.inputs_compute`` writes them into the month
(audited, source "computed"), only into periods whose template has that figure. Built in: consultation
volume from the quality app's stored conversations (``kpi.quality_source``, registered by kpi's
``AppConfig.ready()``); see docs/kpi-web.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

SOURCES: dict[str, FigureSource] = {}


@dataclass(frozen=True)
class FigureSource:
    key: str
    figure: str
    label: Any  # a (lazy) translated text
    compute: Callable[[str, Iterable[Any]], dict[int, float]]


def register_source(source: FigureSource) -> FigureSource:
    """Add (or replace, by key) a figure source."""
    SOURCES[source.key] = source
    return source


def unregister_source(key: str) -> None:
    SOURCES.pop(key, None)


def sources_for(figures: Iterable[str]) -> list[FigureSource]:
    wanted = set(figures)
    return sorted((s for s in SOURCES.values() if s.figure in wanted), key=lambda s: s.key)
