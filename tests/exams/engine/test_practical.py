"""Practical exams (servicecoach.exams.engine.practical): draws, panel means, flags."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from servicecoach.exams.engine.practical import (
    MissingScore,
    PanelRules,
    PracticalError,
    Rubric,
    RubricItem,
    ScenarioCard,
    draw_scenario,
    panel_score,
    verify_draw,
)
from servicecoach.exams.engine.questions import RubricLevel

D = Decimal

CARDS = [
    ScenarioCard(
        key=f"S{i}",
        title=title,
        situation="……",
        customer_role="客户",
        expected_handling=("安抚", "查询进度"),
        tags=tags,
    )
    for i, (title, tags) in enumerate(
        [
            ("客户反映产品故障且情绪激动", ("投诉", "产品")),
            ("客户催促物流", ("物流",)),
            ("客户要求退款", ("投诉", "退款")),
            ("客户咨询套餐", ("咨询",)),
        ]
    )
]

RUBRIC = Rubric(
    key="R1",
    title="投诉处理实操考核评分表",
    items=(
        RubricItem(
            key="open",
            title="uses the standard opening",
            points=D(10),
            levels=(
                RubricLevel(label="优", points=D(10), descriptor="完整规范"),
                RubricLevel(label="良", points=D(7)),
                RubricLevel(label="差", points=D(3)),
            ),
        ),
        RubricItem(key="progress", title="looks up and reports the progress correctly", points=D(20)),
        RubricItem(key="close", title="closes the call", points=D(10)),
    ),
)


def test_draw_is_recorded_and_repeatable():
    draw = draw_scenario(CARDS, seed=42)
    assert draw == draw_scenario(CARDS, seed=42)
    assert draw.pool == ("S0", "S1", "S2", "S3")
    assert verify_draw(draw)
    tampered = replace(draw, card_key=next(k for k in draw.pool if k != draw.card_key))
    assert not verify_draw(tampered)
    # the order the cards are given in does not change the draw
    assert draw_scenario(list(reversed(CARDS)), seed=42) == draw
    drawn = {draw_scenario(CARDS, seed=s).card_key for s in range(40)}
    assert drawn == {"S0", "S1", "S2", "S3"}


def test_draw_filters_by_tags_and_excludes_cards_already_drawn():
    for s in range(20):
        d = draw_scenario(CARDS, seed=s, tags=["投诉"], exclude=["S2"])
        assert d.card_key == "S0" and d.pool == ("S0",)
    with pytest.raises(PracticalError, match="no card with tags 投诉 is left to draw"):
        draw_scenario(CARDS, seed=1, tags=["投诉"], exclude=["S0", "S2"])
    with pytest.raises(PracticalError, match="key 'S1' appears twice"):
        draw_scenario([*CARDS, CARDS[1]], seed=1)


def test_panel_mean_per_item_and_total():
    result = panel_score(
        RUBRIC,
        {
            "trainer": {"open": "优", "progress": D(16), "close": D(8)},
            "supervisor": {"open": "良", "progress": D(18), "close": D(9)},
        },
    )
    means = {i.item_key: i.mean for i in result.items}
    assert means == {"open": D("8.50"), "progress": D("17.00"), "close": D("8.50")}
    assert result.score == D("34.00") and result.max_score == D(40)
    assert result.percent == D("85.00")
    assert result.flagged == ["open"]  # 10 vs 7: spread 3 > 20% of 10
    assert result.explanation[0] == (
        "uses the standard opening: mean of trainer 10, supervisor 7 = 8.50 / 10;"
        " assessors differ by 3 (> margin 2.00): discuss"
    )
    assert result.explanation[-1] == "practical score 34.00 / 40 = 85.00% (missing scores: exclude)"


def test_disagreement_beyond_the_margin_is_flagged():
    scores = {
        "trainer": {"open": D(10), "progress": D(20), "close": D(8)},
        "supervisor": {"open": D(8), "progress": D(12), "close": D(6)},
    }
    result = panel_score(RUBRIC, scores)  # margin 20% of points: open 2, progress 4, close 2
    assert result.flagged == ["progress"]  # spreads 2 (not > 2), 8 (> 4), 2 (not > 2)
    item = result.items[1]
    assert item.spread == D(8) and "assessors differ by 8 (> margin 4.00): discuss" in item.explanation
    absolute = panel_score(RUBRIC, scores, rules=PanelRules(margin_points=D("1.5")))
    assert absolute.flagged == ["open", "progress", "close"]


def test_missing_scores_under_each_policy():
    scores = {
        "trainer": {"open": D(9), "progress": D(18), "close": D(8)},
        "supervisor": {"open": D(7), "progress": None},  # close and progress missing
    }
    excl = panel_score(RUBRIC, scores)
    by_key = {i.item_key: i for i in excl.items}
    assert by_key["progress"].mean == D(18) and by_key["progress"].incomplete
    assert by_key["close"].mean == D(8) and "only 1 assessor(s) scored it" in by_key["close"].explanation
    assert excl.score == D(34)
    zero = panel_score(RUBRIC, scores, rules=PanelRules(missing=MissingScore.ZERO))
    assert {i.item_key: i.mean for i in zero.items} == {"open": D(8), "progress": D(9), "close": D(4)}
    assert zero.flagged == ["progress", "close"]
    with pytest.raises(PracticalError, match="assessor 'supervisor' item 'progress': score missing"):
        panel_score(RUBRIC, scores, rules=PanelRules(missing=MissingScore.REQUIRE_ALL))
    with pytest.raises(PracticalError, match="item 'close': no assessor scored it"):
        panel_score(RUBRIC, {"a": {"open": D(1), "progress": D(1)}})


def test_bad_scores_are_refused_with_the_place_named():
    with pytest.raises(PracticalError, match="assessor 'a' item 'progress': score 21 outside 0..20"):
        panel_score(RUBRIC, {"a": {"open": D(1), "progress": D(21), "close": D(1)}})
    with pytest.raises(PracticalError, match="assessor 'a' item 'open': no level '中'"):
        panel_score(RUBRIC, {"a": {"open": "中", "progress": D(1), "close": D(1)}})
    with pytest.raises(PracticalError, match="assessor 'a' item 'close': 'abc' is not a number"):
        panel_score(RUBRIC, {"a": {"open": D(1), "progress": D(1), "close": "abc"}})
    with pytest.raises(PracticalError, match="no item 'smile'"):
        panel_score(RUBRIC, {"a": {"smile": D(1)}})
    bad = Rubric(key="R2", title="t", items=(RubricItem(key="x", title="x", points=D(5)),) * 2)
    with pytest.raises(PracticalError, match="item 'x' appears twice"):
        panel_score(bad, {"a": {"x": D(1)}})


def test_mean_rounds_half_up_to_cents():
    rubric = Rubric(key="R", title="t", items=(RubricItem(key="x", title="x", points=D(10)),))
    result = panel_score(rubric, {"a": {"x": D(7)}, "b": {"x": D(8)}, "c": {"x": D(8)}})
    assert result.items[0].mean == D("7.67")
