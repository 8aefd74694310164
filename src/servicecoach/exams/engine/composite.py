"""Overall conduct (综合表现), the composite score and its grade band (pure Python, Decimal).

All arithmetic is exact Decimal arithmetic: weights and scores are Decimals, nothing passes
through binary floating point, so 89.5 stays 89.5. A score is placed in a band by comparing the
score *after* the configured rounding rule with the band's lower bound:

* ``none``: no rounding; 89.99 is "good" (良好) under the default bands.
* ``integer_half_up``: round half up to an integer first; 89.5 -> 90 -> "excellent" (优秀).
* ``one_decimal_half_up``: round half up to one decimal; 89.95 -> 90.0 -> "excellent",
  89.94 -> 89.9 -> "good".

The rule is written into the result's explanation so nobody has to guess why 89.5 passed or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

HUNDRED = Decimal(100)


class CompositeError(ValueError):
    pass


class RoundingRule(StrEnum):
    NONE = "none"
    INTEGER_HALF_UP = "integer_half_up"
    ONE_DECIMAL_HALF_UP = "one_decimal_half_up"

    def apply(self, value: Decimal) -> Decimal:
        if self is RoundingRule.NONE:
            return value
        if self is RoundingRule.INTEGER_HALF_UP:
            return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def description(self) -> str:
        return {
            RoundingRule.NONE: "no rounding before banding",
            RoundingRule.INTEGER_HALF_UP: "rounded half up to a whole number before banding",
            RoundingRule.ONE_DECIMAL_HALF_UP: "rounded half up to one decimal before banding",
        }[self]


@dataclass(frozen=True, kw_only=True)
class Band:
    code: str
    minimum: Decimal  # inclusive lower bound, on the rounded score
    label_zh: str
    label_en: str


DEFAULT_BANDS: tuple[Band, ...] = (
    Band(code="excellent", minimum=Decimal(90), label_zh="优秀", label_en="excellent"),
    Band(code="good", minimum=Decimal(80), label_zh="良好", label_en="good"),
    Band(code="pass", minimum=Decimal(70), label_zh="合格", label_en="pass"),
    Band(code="fail", minimum=Decimal(0), label_zh="不合格", label_en="fail"),
)


def _check_weights(name: str, weights: dict[str, Decimal]) -> None:
    for k, w in weights.items():
        if not isinstance(w, Decimal):
            raise CompositeError(f"{name}: weight {k} must be a Decimal (exact), got {type(w).__name__}")
        if w < 0:
            raise CompositeError(f"{name}: weight {k} must not be negative, got {w}")
    total = sum(weights.values(), Decimal(0))
    if total != 1:
        raise CompositeError(f"{name}: weights must add up to 1, they add up to {total}")


@dataclass(frozen=True, kw_only=True)
class ConductConfig:
    """Overall conduct = weighted attendance rate, participation and teamwork (0-100 each).
    Ratings are on a 0..``rating_scale`` scale (default 5) and turned into percentages."""

    attendance: Decimal = Decimal("0.4")
    participation: Decimal = Decimal("0.3")
    teamwork: Decimal = Decimal("0.3")
    rating_scale: Decimal = Decimal(5)

    def validate(self) -> None:
        _check_weights(
            "conduct",
            {"attendance": self.attendance, "participation": self.participation, "teamwork": self.teamwork},
        )
        if self.rating_scale <= 0:
            raise CompositeError("conduct: rating scale must be positive")


@dataclass(frozen=True, kw_only=True)
class ConductResult:
    score: Decimal
    explanation: tuple[str, ...]


def _mean_rating(name: str, ratings: Sequence[Decimal], scale: Decimal) -> Decimal:
    if not ratings:
        raise CompositeError(f"conduct: no {name} rating given")
    for r in ratings:
        if not 0 <= r <= scale:
            raise CompositeError(f"conduct: {name} rating {r} is outside 0..{scale}")
    return sum(ratings, Decimal(0)) / len(ratings) / scale * HUNDRED


def overall_conduct(
    *,
    attendance_rate: Decimal,
    participation: Sequence[Decimal],
    teamwork: Sequence[Decimal],
    config: ConductConfig | None = None,
) -> ConductResult:
    """attendance_rate in 0..1 (sessions attended / sessions held); participation and teamwork:
    the ratings given by trainer and supervisor (their mean is used)."""
    config = config or ConductConfig()
    config.validate()
    if not 0 <= attendance_rate <= 1:
        raise CompositeError(f"conduct: attendance rate {attendance_rate} is outside 0..1")
    att = attendance_rate * HUNDRED
    part = _mean_rating("participation", participation, config.rating_scale)
    team = _mean_rating("teamwork", teamwork, config.rating_scale)
    score = att * config.attendance + part * config.participation + team * config.teamwork
    score = score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return ConductResult(
        score=score,
        explanation=(
            f"attendance {_pct(att)} x {config.attendance} + participation {_pct(part)} x {config.participation}"
            f" + teamwork {_pct(team)} x {config.teamwork} = {score}",
        ),
    )


def _pct(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, kw_only=True)
class CompositeConfig:
    theory: Decimal = Decimal("0.3")
    practical: Decimal = Decimal("0.5")
    overall: Decimal = Decimal("0.2")
    bands: tuple[Band, ...] = field(default=DEFAULT_BANDS)
    rounding: RoundingRule = RoundingRule.NONE

    def validate(self) -> None:
        _check_weights(
            "composite", {"theory": self.theory, "practical": self.practical, "overall": self.overall}
        )
        if not self.bands:
            raise CompositeError("composite: no bands configured")
        minima = [b.minimum for b in self.bands]
        if minima != sorted(minima, reverse=True) or len(set(minima)) != len(minima):
            raise CompositeError(
                "composite: bands must be listed from the highest minimum down, minima distinct"
            )
        if minima[-1] > 0:
            raise CompositeError(f"composite: the lowest band must start at 0, it starts at {minima[-1]}")


@dataclass(frozen=True, kw_only=True)
class CompositeResult:
    score: Decimal  # exact weighted score
    banded_score: Decimal  # after the rounding rule; what the band is decided on
    band: Band
    explanation: tuple[str, ...]


def band_for(score: Decimal, config: CompositeConfig) -> tuple[Decimal, Band]:
    rounded = config.rounding.apply(score)
    for band in config.bands:
        if rounded >= band.minimum:
            return rounded, band
    return rounded, config.bands[-1]


def composite(
    *,
    theory: Decimal,
    practical: Decimal,
    overall: Decimal,
    config: CompositeConfig | None = None,
) -> CompositeResult:
    """Each part is a percentage 0..100 (Decimal)."""
    config = config or CompositeConfig()
    config.validate()
    for name, value in (("theory", theory), ("practical", practical), ("overall", overall)):
        if not isinstance(value, Decimal):
            raise CompositeError(
                f"composite: {name} score must be a Decimal (exact), got {type(value).__name__}"
            )
        if not 0 <= value <= HUNDRED:
            raise CompositeError(f"composite: {name} score {value} is outside 0..100")
    score = theory * config.theory + practical * config.practical + overall * config.overall
    rounded, band = band_for(score, config)
    lines = [
        f"theory {theory} x {config.theory} + practical {practical} x {config.practical}"
        f" + overall {overall} x {config.overall} = {score.normalize():f}",
        f"rounding: {config.rounding.description} -> {rounded.normalize():f}"
        if config.rounding is not RoundingRule.NONE
        else f"rounding: {config.rounding.description}",
        f"band: {band.label_zh} {band.label_en} (from {band.minimum})",
    ]
    return CompositeResult(score=score, banded_score=rounded, band=band, explanation=tuple(lines))
