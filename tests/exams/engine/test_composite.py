"""Composite grades (servicecoach.exams.engine.composite): exact Decimal boundaries, rounding rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servicecoach.exams.engine.composite import (
    Band,
    CompositeConfig,
    CompositeError,
    ConductConfig,
    RoundingRule,
    band_for,
    composite,
    overall_conduct,
)

D = Decimal


@pytest.mark.parametrize(
    ("score", "rule", "band", "banded"),
    [
        ("89.49", RoundingRule.NONE, "good", "89.49"),
        ("89.5", RoundingRule.NONE, "good", "89.5"),
        ("89.99", RoundingRule.NONE, "good", "89.99"),
        ("90", RoundingRule.NONE, "excellent", "90"),
        ("89.49", RoundingRule.INTEGER_HALF_UP, "good", "89"),
        ("89.5", RoundingRule.INTEGER_HALF_UP, "excellent", "90"),
        ("89.99", RoundingRule.INTEGER_HALF_UP, "excellent", "90"),
        ("90", RoundingRule.INTEGER_HALF_UP, "excellent", "90"),
        ("89.49", RoundingRule.ONE_DECIMAL_HALF_UP, "good", "89.5"),
        ("89.5", RoundingRule.ONE_DECIMAL_HALF_UP, "good", "89.5"),
        ("89.99", RoundingRule.ONE_DECIMAL_HALF_UP, "excellent", "90.0"),
        ("89.94", RoundingRule.ONE_DECIMAL_HALF_UP, "good", "89.9"),
        ("90", RoundingRule.ONE_DECIMAL_HALF_UP, "excellent", "90.0"),
        ("79.99", RoundingRule.NONE, "pass", "79.99"),
        ("80", RoundingRule.NONE, "good", "80"),
        ("69.99", RoundingRule.NONE, "fail", "69.99"),
        ("69.5", RoundingRule.INTEGER_HALF_UP, "pass", "70"),
        ("70", RoundingRule.NONE, "pass", "70"),
        ("0", RoundingRule.NONE, "fail", "0"),
    ],
)
def test_band_boundaries_under_each_rounding_rule(score, rule, band, banded):
    rounded, got = band_for(D(score), CompositeConfig(rounding=rule))
    assert got.code == band
    assert rounded == D(banded)


def test_composite_default_weights_and_explanation():
    # 0.3 * 90 + 0.5 * 88 + 0.2 * 92.5 = 27 + 44 + 18.5 = 89.5: not excellent without rounding
    result = composite(theory=D(90), practical=D(88), overall=D("92.5"))
    assert result.score == D("89.5")
    assert result.band.code == "good" and result.band.label_zh == "良好"
    assert result.explanation == (
        "theory 90 x 0.3 + practical 88 x 0.5 + overall 92.5 x 0.2 = 89.5",
        "rounding: no rounding before banding",
        "band: 良好 good (from 80)",
    )
    rounded = composite(
        theory=D(90),
        practical=D(88),
        overall=D("92.5"),
        config=CompositeConfig(rounding=RoundingRule.INTEGER_HALF_UP),
    )
    assert rounded.band.code == "excellent" and rounded.banded_score == D(90)
    assert rounded.explanation[1] == "rounding: rounded half up to a whole number before banding -> 90"


def test_decimal_arithmetic_is_exact_where_floats_are_not():
    # in binary floating point 0.3 * 70.1 + 0.5 * 89.9 + 0.2 * 124.85 ... stays exact with Decimal
    result = composite(theory=D("96.7"), practical=D("86.9"), overall=D("89.2"))
    assert result.score == D("29.01") + D("43.45") + D("17.84")
    assert result.score == D("90.30")


def test_configurable_weights_and_bands():
    config = CompositeConfig(
        theory=D("0.4"),
        practical=D("0.4"),
        overall=D("0.2"),
        bands=(
            Band(code="a", minimum=D(85), label_zh="甲", label_en="A"),
            Band(code="b", minimum=D(60), label_zh="乙", label_en="B"),
            Band(code="c", minimum=D(0), label_zh="丙", label_en="C"),
        ),
    )
    assert composite(theory=D(85), practical=D(85), overall=D(85), config=config).band.code == "a"
    assert composite(theory=D(60), practical=D(60), overall=D(60), config=config).band.code == "b"
    # 0.4 * 60 + 0.4 * 59 + 0.2 * 61 = 59.8
    assert composite(theory=D(60), practical=D(59), overall=D(61), config=config).band.code == "c"
    with pytest.raises(CompositeError, match="weights must add up to 1, they add up to 1.1"):
        composite(theory=D(1), practical=D(1), overall=D(1), config=CompositeConfig(theory=D("0.4")))
    with pytest.raises(CompositeError, match="from the highest minimum down"):
        CompositeConfig(bands=tuple(reversed(config.bands))).validate()
    with pytest.raises(CompositeError, match="lowest band must start at 0"):
        CompositeConfig(bands=config.bands[:2]).validate()
    with pytest.raises(CompositeError, match="practical score 101 is outside 0..100"):
        composite(theory=D(1), practical=D(101), overall=D(1))
    with pytest.raises(CompositeError, match="must be a Decimal"):
        composite(theory=89.5, practical=D(1), overall=D(1))


def test_overall_conduct():
    # attendance 90% x 0.4 + participation mean 4.5/5 = 90% x 0.3 + teamwork 4/5 = 80% x 0.3 = 36 + 27 + 24
    result = overall_conduct(attendance_rate=D("0.9"), participation=[D(4), D(5)], teamwork=[D(4), D(4)])
    assert result.score == D("87.00")
    assert result.explanation[0] == (
        "attendance 90.00 x 0.4 + participation 90.00 x 0.3 + teamwork 80.00 x 0.3 = 87.00"
    )
    config = ConductConfig(
        attendance=D("0.5"), participation=D("0.25"), teamwork=D("0.25"), rating_scale=D(10)
    )
    assert overall_conduct(
        attendance_rate=D(1), participation=[D(8)], teamwork=[D(6)], config=config
    ).score == D("85.00")
    with pytest.raises(CompositeError, match="attendance rate 1.2 is outside 0..1"):
        overall_conduct(attendance_rate=D("1.2"), participation=[D(4)], teamwork=[D(4)])
    with pytest.raises(CompositeError, match="teamwork rating 6 is outside 0..5"):
        overall_conduct(attendance_rate=D(1), participation=[D(4)], teamwork=[D(6)])
    with pytest.raises(CompositeError, match="no participation rating given"):
        overall_conduct(attendance_rate=D(1), participation=[], teamwork=[D(4)])
