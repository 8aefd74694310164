"""Practical exams (实操考核): scenario cards, a recorded draw, rubrics and panel scoring.

Panel scoring
-------------
Each assessor scores each rubric item independently (points from 0 to the item's points, or a
level whose points are taken). The item's panel score is the mean of the scores given, rounded
to 0.01 (half up); the practical score is the sum of the item means, also shown as a percentage
of the rubric's total points.

A missing score (an assessor who left an item blank) is treated according to
``MissingScore``:

* ``exclude`` (default): the mean is over the assessors who scored the item; the item is
  marked ``incomplete`` when fewer than ``min_assessors`` scored it, and an item nobody scored
  is an error, because inventing a score for it would be worse than saying so.
* ``require_all``: any missing score is an error naming the assessor and the item.
* ``zero``: a missing score counts as 0 (strict programmes that treat "not observed" as "not done").

Items where the assessors' scores spread (max - min) by more than the margin are flagged for
discussion. The margin is ``margin_share`` of the item's points (default 20%), or an absolute
``margin_points`` when given.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from servicecoach.exams.engine.questions import RubricLevel

CENT = Decimal("0.01")


class PracticalError(ValueError):
    """Bad rubric or scores; the message names the assessor and item."""


@dataclass(frozen=True, kw_only=True)
class ScenarioCard:
    """模拟场景卡: e.g. "customer reports a product fault and is agitated"."""

    key: str
    title: str
    situation: str
    customer_role: str
    expected_handling: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ScenarioDraw:
    """A recorded draw: re-running ``draw_scenario`` with the same pool and seed gives the same card."""

    seed: int
    pool: tuple[str, ...]  # the eligible card keys, sorted: part of the record
    card_key: str


def draw_scenario(
    cards: Sequence[ScenarioCard],
    *,
    seed: int,
    tags: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> ScenarioDraw:
    """Draw one card uniformly among the cards carrying every tag in ``tags`` and not in
    ``exclude`` (e.g. cards this candidate had before)."""
    keys = [c.key for c in cards]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise PracticalError(f"scenario cards: key {dup!r} appears twice")
    pool = sorted(c.key for c in cards if set(tags) <= set(c.tags) and c.key not in set(exclude))
    if not pool:
        want = f" with tags {', '.join(tags)}" if tags else ""
        raise PracticalError(f"scenario draw: no card{want} is left to draw (excluded: {len(exclude)})")
    card_key = random.Random(seed).choice(pool)
    return ScenarioDraw(seed=seed, pool=tuple(pool), card_key=card_key)


def verify_draw(draw: ScenarioDraw) -> bool:
    """Audit: does the recorded pool and seed give the recorded card?"""
    return bool(draw.pool) and random.Random(draw.seed).choice(list(draw.pool)) == draw.card_key


@dataclass(frozen=True, kw_only=True)
class RubricItem:
    key: str
    title: str  # e.g. "uses the standard opening"
    points: Decimal
    levels: tuple[RubricLevel, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Rubric:
    """实操考核评分表."""

    key: str
    title: str
    items: tuple[RubricItem, ...]

    @property
    def total_points(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))

    def validate(self) -> None:
        if not self.items:
            raise PracticalError(f"rubric {self.key!r}: has no items")
        seen = set()
        for item in self.items:
            if item.key in seen:
                raise PracticalError(f"rubric {self.key!r}: item {item.key!r} appears twice")
            seen.add(item.key)
            if item.points <= 0:
                raise PracticalError(f"rubric {self.key!r} item {item.key!r}: points must be positive")
            for lv in item.levels:
                if not 0 <= lv.points <= item.points:
                    raise PracticalError(
                        f"rubric {self.key!r} item {item.key!r} level {lv.label!r}: "
                        f"points {lv.points} outside 0..{item.points}"
                    )

    def item(self, key: str) -> RubricItem:
        for i in self.items:
            if i.key == key:
                return i
        raise PracticalError(f"rubric {self.key!r}: no item {key!r}")


class MissingScore(StrEnum):
    EXCLUDE = "exclude"
    REQUIRE_ALL = "require_all"
    ZERO = "zero"


@dataclass(frozen=True, kw_only=True)
class PanelRules:
    missing: MissingScore = MissingScore.EXCLUDE
    min_assessors: int = 2
    margin_share: Decimal = Decimal("0.2")
    margin_points: Decimal | None = None

    def margin_for(self, item: RubricItem) -> Decimal:
        return self.margin_points if self.margin_points is not None else item.points * self.margin_share


@dataclass(frozen=True, kw_only=True)
class ItemResult:
    item_key: str
    title: str
    max_points: Decimal
    scores: Mapping[str, Decimal]  # assessor -> score given (missing ones absent)
    mean: Decimal
    spread: Decimal
    flagged: bool
    incomplete: bool
    explanation: str


@dataclass(frozen=True, kw_only=True)
class PracticalResult:
    items: tuple[ItemResult, ...]
    score: Decimal
    max_score: Decimal
    percent: Decimal
    explanation: tuple[str, ...]

    @property
    def flagged(self) -> list[str]:
        return [i.item_key for i in self.items if i.flagged]


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _score_value(rubric: Rubric, item: RubricItem, assessor: str, raw: object) -> Decimal:
    if isinstance(raw, str) and item.levels:
        level = next((lv for lv in item.levels if lv.label == raw), None)
        if level is None:
            raise PracticalError(
                f"assessor {assessor!r} item {item.key!r}: no level {raw!r} "
                f"(levels: {', '.join(lv.label for lv in item.levels)})"
            )
        return level.points
    try:
        value = Decimal(str(raw))
    except ArithmeticError as exc:
        raise PracticalError(f"assessor {assessor!r} item {item.key!r}: {raw!r} is not a number") from exc
    if not 0 <= value <= item.points:
        raise PracticalError(
            f"assessor {assessor!r} item {item.key!r}: score {value} outside 0..{item.points}"
        )
    return value


def panel_score(
    rubric: Rubric,
    scores: Mapping[str, Mapping[str, object]],
    *,
    rules: PanelRules | None = None,
) -> PracticalResult:
    """``scores``: assessor -> item key -> points (number) or level label (str); None or an
    absent key is a missing score."""
    rules = rules or PanelRules()
    rubric.validate()
    if not scores:
        raise PracticalError(f"rubric {rubric.key!r}: no assessor has scored")
    for given in scores.values():
        for key in given:
            rubric.item(key)  # an unknown item is an error naming it
    results = []
    lines = []
    for item in rubric.items:
        given: dict[str, Decimal] = {}
        for assessor, per_item in scores.items():
            raw = per_item.get(item.key)
            if raw is None:
                if rules.missing is MissingScore.REQUIRE_ALL:
                    raise PracticalError(f"assessor {assessor!r} item {item.key!r}: score missing")
                if rules.missing is MissingScore.ZERO:
                    given[assessor] = Decimal(0)
                continue
            given[assessor] = _score_value(rubric, item, assessor, raw)
        if not given:
            raise PracticalError(f"item {item.key!r}: no assessor scored it")
        values = list(given.values())
        mean = _q(sum(values, Decimal(0)) / len(values))
        spread = max(values) - min(values)
        margin = rules.margin_for(item)
        flagged = spread > margin
        incomplete = len(given) < min(rules.min_assessors, len(scores))
        parts = ", ".join(f"{a} {v}" for a, v in given.items())
        text = f"{item.title}: mean of {parts} = {mean} / {item.points}"
        if flagged:
            text += f"; assessors differ by {spread} (> margin {_q(margin)}): discuss"
        if incomplete:
            text += f"; only {len(given)} assessor(s) scored it"
        lines.append(text)
        results.append(
            ItemResult(
                item_key=item.key,
                title=item.title,
                max_points=item.points,
                scores=given,
                mean=mean,
                spread=spread,
                flagged=flagged,
                incomplete=incomplete,
                explanation=text,
            )
        )
    total = sum((r.mean for r in results), Decimal(0))
    percent = _q(total / rubric.total_points * 100)
    lines.append(
        f"practical score {total} / {rubric.total_points} = {percent}% (missing scores: {rules.missing.value})"
    )
    return PracticalResult(
        items=tuple(results),
        score=total,
        max_score=rubric.total_points,
        percent=percent,
        explanation=tuple(lines),
    )
