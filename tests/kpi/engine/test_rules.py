"""Rule types on small templates of their own: partial steps, team-size bands, events, floors, caps."""

import pytest

from servicecoach.kpi.engine.scoring import score_month
from servicecoach.kpi.engine.template import parse_template

FIGURES = [
    {"id": "sales", "name": {"zh": "销售额", "en": "sales"}},
    {"id": "target", "name": {"zh": "目标", "en": "target"}},
    {"id": "orders", "name": {"zh": "订单数", "en": "orders"}, "kind": "count"},
    {"id": "late", "name": {"zh": "迟到", "en": "late"}, "kind": "count"},
]


def template(item: dict):
    return parse_template({
        "template": "t", "version": "1", "name": "t", "figures": FIGURES,
        "sections": [{"id": "s", "name": "s", "items": [{"id": "x", "name": {"zh": "项目", "en": "item"}, **item}]}],
    })


def points(tpl, teams=None, **figs):
    rows = [{"agent": "a", "team": "t", **figs}]
    for i, o in enumerate(teams or []):
        rows.append({"agent": f"m{i}", "team": "t", **{k: v for k, v in figs.items() if k != "orders"}, "orders": o})
    res = next(r for r in score_month(tpl, rows) if r.agent == "a")
    return res.items[0]


def steps(partial):
    return template({"weight": 30, "input": "pct(sales, target)", "unit": "%", "rules": [
        {"type": "steps", "side": "below", "standard": 100, "every": 5, "points": -1, "partial": partial}]})


@pytest.mark.parametrize(
    ("partial", "sales", "expected"),
    [
        ("floor", 87, 28),           # 13% below: floor(2.6) = 2 whole steps
        ("ceil", 87, 27),            # ceil(2.6) = 3
        ("proportional", 87, 27.4),  # 2.6 steps × −1
        ("floor", 95, 29),           # exactly one step in every reading
        ("ceil", 95, 29),
        ("proportional", 95, 29),
        ("floor", 96, 30),           # 4% below: no whole step
        ("ceil", 96, 29),
        ("proportional", 96, 29.2),
    ],
)
def test_partial_steps(partial, sales, expected):
    assert points(steps(partial), sales=sales, target=100).points == pytest.approx(expected)


def test_proportional_explanation():
    r = points(steps("proportional"), sales=87, target=100)
    assert r.en == "item 87%: 13% below standard, 2.6 steps × −1 = −2.6 → 27.4/30"


def test_max_steps_and_floor():
    tpl = template({"weight": 10, "input": "pct(sales, target)", "unit": "%", "rules": [
        {"type": "steps", "side": "below", "standard": 100, "every": 10, "points": -3, "max_steps": 2}]})
    assert points(tpl, sales=50, target=100).points == 4     # 5 steps, 2 counted: 10 − 6
    tpl = template({"weight": 10, "input": "pct(sales, target)", "unit": "%", "rules": [
        {"type": "steps", "side": "below", "standard": 100, "every": 10, "points": -3}]})
    r = points(tpl, sales=50, target=100)                    # 5 steps: 10 − 15 → floored at 0
    assert r.points == 0 and "floored at 0" in r.en


def test_cap_none_lets_bonuses_run():
    item = {"weight": 5, "input": "pct(sales, target)", "unit": "%", "rules": [
        {"type": "steps", "side": "above", "standard": 100, "every": 10, "points": 1}]}
    assert points(template(item), sales=150, target=100).points == 5                   # capped at the weight
    assert points(template({**item, "cap": "none"}), sales=150, target=100).points == 10  # 5 + 5 steps


def test_cap_is_explained():
    item = {"weight": 5, "cap": 6, "input": "pct(sales, target)", "unit": "%", "rules": [
        {"type": "steps", "side": "above", "standard": 100, "every": 10, "points": 1}]}
    r = points(template(item), sales=150, target=100)
    assert r.points == 6 and r.en.endswith("capped at 6 → 6/5")


def bands():
    return template({"weight": 4, "input": "share(orders)", "unit": "%", "rules": [{
        "type": "tiers", "direction": "below", "team_size": {"bands": [
            {"up_to": 3, "tiers": [{"below": 20, "points": -4}, {"below": 30, "points": -2}]},
            {"up_to": 6, "tiers": [{"below": 10, "points": -4}, {"below": 15, "points": -2}]},
            {"tiers": [{"below": 5, "points": -4}, {"below": 8, "points": -2}]},
        ]}}]})


@pytest.mark.parametrize(
    ("own", "others", "expected"),
    [
        (30, [70], 4),            # team of 2 (band up to 3): 30% is not below 30
        (29, [71], 2),            # 29%: below 30, −2
        (19, [81], 0),            # 19%: below 20, −4
        (15, [85, 0, 0], 4),      # team of 4 (band up to 6): 15%
        (14, [86, 0, 0], 2),      # 14%: below 15
        (9, [91, 0, 0], 0),       # 9%: below 10
        (8, [92] + [0] * 6, 4),   # team of 8 (last band): 8%
        (7, [93] + [0] * 6, 2),   # 7%: below 8
        (4, [96] + [0] * 6, 0),   # 4%: below 5
    ],
)
def test_thresholds_by_team_size_band(own, others, expected):
    r = points(bands(), teams=others, orders=own)
    assert r.points == expected
    if expected < 4:
        assert f"(team of {len(others) + 1})" in r.en


def test_per_event_without_limit_and_event_name_from_the_figure():
    tpl = template({"weight": 4, "input": "late", "better": "lower", "rules": [{"type": "per_event", "points": -1.5}]})
    r = points(tpl, late=2)
    assert r.points == 1 and r.en == "item 2: late: 2 × −1.5 = −3 → 1/4"
    assert points(tpl, late=0).en == "item 0: no deduction → 4/4"


def test_per_event_counts_up_to_the_limit_without_beyond():
    tpl = template({"weight": 10, "input": "late", "better": "lower",
                    "rules": [{"type": "per_event", "points": -2, "max_events": 3}]})
    r = points(tpl, late=5)
    assert r.points == 4 and "5 (counted up to 3) × −2 = −6" in r.en


def test_fractional_event_count_is_no_data_not_a_guess():
    tpl = template({"weight": 4, "input": "late", "better": "lower", "rules": [{"type": "per_event", "points": -1}]})
    r = points(tpl, late=1.5)
    assert r.points is None and "whole number" in r.en


def test_score_outcomes_win_over_deltas_and_the_lowest_wins():
    tpl = template({"weight": 10, "input": "pct(sales, target)", "unit": "%", "rules": [
        {"type": "threshold", "below": 50, "score": 2},
        {"type": "threshold", "below": 30, "score": 0},
        {"type": "steps", "side": "below", "standard": 100, "every": 10, "points": -1},
    ]})
    assert points(tpl, sales=60, target=100).points == 6   # 4 steps
    assert points(tpl, sales=40, target=100).points == 2   # scores 2 whatever the steps say
    assert points(tpl, sales=20, target=100).points == 0   # both scores: the lower


def test_base_below_weight():
    tpl = template({"weight": 8, "base": 4, "input": "pct(sales, target)", "unit": "%", "rules": [
        {"type": "steps", "side": "above", "standard": 100, "every": 5, "points": 1}]})
    assert points(tpl, sales=100, target=100).points == 4
    assert points(tpl, sales=112, target=100).points == 6
