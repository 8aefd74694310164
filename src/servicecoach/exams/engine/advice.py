"""Improvement advice per candidate and the cohort's common weak points (pure Python).

A *score area* is a theory topic (module) or a practical rubric item, identified by
(kind, key) with kind "topic" or "item". Its percentage is earned / maximum x 100 over the
questions or rubric scores in that area.

* ``candidate_advice``: the candidate's weakest areas below the threshold (lowest percentage
  first, at most ``limit``), each with the advice text of the table in Chinese and English.
  Areas without an entry get a generic text naming the area, so nothing weak goes unmentioned.
* ``cohort_weak_points``: for the training-effectiveness report (培训效果分析报告): per area, the
  mean of the candidates' percentages and how many candidates fell below the threshold; the
  areas with the lowest means come first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .practical import PracticalResult

CENT = Decimal("0.01")


class AreaKind(StrEnum):
    TOPIC = "topic"
    ITEM = "item"


Area = tuple[AreaKind, str]


@dataclass(frozen=True, kw_only=True)
class AdviceEntry:
    kind: AreaKind
    key: str
    zh: str
    en: str


@dataclass(frozen=True, kw_only=True)
class AdviceTable:
    entries: tuple[AdviceEntry, ...] = ()

    def lookup(self, area: Area, name: str | None = None) -> AdviceEntry:
        """The table's entry, or a generic text naming the area (``name``: its display name,
        e.g. a rubric item's title, defaulting to the key)."""
        for e in self.entries:
            if (e.kind, e.key) == area:
                return e
        kind, key = area
        key = name or key
        if kind is AreaKind.TOPIC:
            return AdviceEntry(
                kind=kind,
                key=key,
                zh=f"“{key}”掌握不足：请复习该模块并完成相关练习",
                en=f"{key}: not yet mastered; review the module and practise",
            )
        return AdviceEntry(
            kind=kind,
            key=key,
            zh=f"“{key}”尚不熟练：请在陪练中重点练习",
            en=f"{key}: not yet fluent; practise it in role-play",
        )

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> AdviceTable:
        """Rows with kind, key, zh, en (e.g. read from a settings sheet); names the bad row."""
        entries = []
        for n, row in enumerate(rows, 1):
            try:
                kind = AreaKind(row["kind"])
            except (KeyError, ValueError) as exc:
                raise ValueError(f"advice table row {n}: kind must be 'topic' or 'item'") from exc
            for f in ("key", "zh", "en"):
                if not str(row.get(f, "")).strip():
                    raise ValueError(f"advice table row {n}: {f} must not be empty")
            entries.append(AdviceEntry(kind=kind, key=row["key"], zh=row["zh"], en=row["en"]))
        return cls(entries=tuple(entries))


@dataclass(frozen=True, kw_only=True)
class Advice:
    kind: AreaKind
    key: str
    percent: Decimal
    zh: str
    en: str


def percent(earned: Decimal, maximum: Decimal) -> Decimal:
    if maximum <= 0:
        raise ValueError(f"maximum must be positive, got {maximum}")
    return (earned / maximum * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def area_percentages(scores: Iterable[tuple[Area, Decimal, Decimal]]) -> dict[Area, Decimal]:
    """(area, earned, maximum) rows -> percentage per area (summing the rows of an area)."""
    earned: dict[Area, Decimal] = defaultdict(Decimal)
    maximum: dict[Area, Decimal] = defaultdict(Decimal)
    for area, e, m in scores:
        earned[area] += e
        maximum[area] += m
    return {a: percent(earned[a], maximum[a]) for a in earned if maximum[a] > 0}


def candidate_advice(
    percentages: Mapping[Area, Decimal],
    *,
    table: AdviceTable,
    threshold: Decimal = Decimal(70),
    limit: int = 3,
    names: Mapping[Area, str] | None = None,
) -> list[Advice]:
    weak = sorted(((p, a) for a, p in percentages.items() if p < threshold), key=lambda t: (t[0], t[1]))
    out = []
    for p, area in weak[:limit]:
        entry = table.lookup(area, (names or {}).get(area))
        out.append(Advice(kind=area[0], key=area[1], percent=p, zh=entry.zh, en=entry.en))
    return out


def candidate_areas(
    *,
    by_topic: Mapping[str, tuple[Decimal, Decimal]] | None = None,
    practical: PracticalResult | None = None,
) -> tuple[dict[Area, Decimal], dict[Area, str]]:
    """Percentages per area from a marked paper's per-topic totals (``PaperMarks.by_topic``) and
    a practical result's item means, with display names (rubric items by title)."""
    rows: list[tuple[Area, Decimal, Decimal]] = []
    names: dict[Area, str] = {}
    for topic, (earned, maximum) in (by_topic or {}).items():
        rows.append(((AreaKind.TOPIC, topic), earned, maximum))
    if practical is not None:
        for item in practical.items:
            area = (AreaKind.ITEM, item.item_key)
            rows.append((area, item.mean, item.max_points))
            names[area] = item.title
    return area_percentages(rows), names


@dataclass(frozen=True, kw_only=True)
class WeakPoint:
    kind: AreaKind
    key: str
    mean_percent: Decimal
    below_threshold: int
    candidates: int


def cohort_weak_points(
    cohort: Sequence[Mapping[Area, Decimal]],
    *,
    threshold: Decimal = Decimal(70),
    limit: int | None = 5,
) -> list[WeakPoint]:
    """``cohort``: one percentage map per candidate. Areas a candidate did not meet (e.g. a
    topic not on their paper) do not count for that candidate."""
    values: dict[Area, list[Decimal]] = defaultdict(list)
    for per_candidate in cohort:
        for area, p in per_candidate.items():
            values[area].append(p)
    points = []
    for area, ps in values.items():
        mean = (sum(ps, Decimal(0)) / len(ps)).quantize(CENT, rounding=ROUND_HALF_UP)
        points.append(
            WeakPoint(
                kind=area[0],
                key=area[1],
                mean_percent=mean,
                below_threshold=sum(p < threshold for p in ps),
                candidates=len(ps),
            )
        )
    points.sort(key=lambda w: (w.mean_percent, -w.below_threshold, w.kind, w.key))
    return points if limit is None else points[:limit]
