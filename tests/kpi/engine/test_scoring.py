"""score_month: teams, rankings with documented tie-breaking, incentive tiers, no-data totals."""

import pytest

from servicecoach.kpi.engine.scoring import score_month
from servicecoach.kpi.engine.template import parse_template

from .conftest import PERFECT, PREV


def simple(incentives=None, tie_break=None):
    data = {
        "template": "t", "version": "3", "name": "t",
        "figures": [{"id": "a", "name": "a"}, {"id": "b", "name": "b"}],
        "sections": [
            {"id": "one", "name": "one", "items": [{"id": "x", "name": "x", "weight": 10, "input": "a",
                                                     "rules": [{"type": "steps", "side": "below", "standard": 10,
                                                                "every": 1, "points": -1}]}]},
            {"id": "two", "name": "two", "items": [{"id": "y", "name": "y", "weight": 10, "input": "b",
                                                     "rules": [{"type": "steps", "side": "below", "standard": 10,
                                                                "every": 1, "points": -1}]}]},
        ],
        "incentives": incentives or [],
    }
    if tie_break:
        data["ranking"] = {"tie_break": tie_break}
    return parse_template(data)


def rows(*spec, team="t"):
    return [{"agent": name, "team": team, "a": a, "b": b} for name, a, b in spec]


def test_ranking_by_total_then_tie_break_then_shared_rank():
    tpl = simple(tie_break=["one"])
    res = score_month(tpl, rows(("d", 9, 9), ("c", 10, 8), ("b", 8, 10), ("a", 10, 10), ("e", 8, 10)))
    # totals: a 20, c 18 (one: 10), d 18 (one: 9), b 18 (one: 8), e 18 (one: 8)
    assert [(r.agent, r.total, r.rank) for r in res] == [
        ("a", 20, 1), ("c", 18, 2), ("d", 18, 3), ("b", 18, 4), ("e", 18, 4)]


def test_without_tie_break_equal_totals_share_the_rank_listed_by_agent_id():
    res = score_month(simple(), rows(("z", 9, 9), ("m", 10, 8), ("a", 10, 10)))
    assert [(r.agent, r.rank) for r in res] == [("a", 1), ("m", 2), ("z", 2)]


def test_incentive_bands_by_rank_share_of_team():
    tpl = simple(incentives=[{"id": "A", "name": "A", "top_percent": 10},
                             {"id": "B", "name": "B", "top_percent": 30, "min_total": 12}])
    # 10 agents with totals 20, 19, ..., 11: band A = best ceil(10 × 10%) = 1, band B = ranks 2-3
    spec = [(f"g{i:02d}", 10, 10 - i) for i in range(10)]
    res = score_month(tpl, rows(*spec))
    assert [(r.agent, r.tier) for r in res][:5] == [("g00", "A"), ("g01", "B"), ("g02", "B"), ("g03", None),
                                                     ("g04", None)]
    # a team of 3: 10% of 3 → the best 1 (nobody ahead); 30% → ranks with fewer than 0.9 ahead: still 1
    res = score_month(tpl, rows(("p", 10, 10), ("q", 10, 9), ("r", 10, 8)))
    assert [r.tier for r in res] == ["A", None, None]
    # ties at the edge are both in: two agents ranked 1 in a team of 10
    res = score_month(tpl, rows(*[(f"h{i}", 10, 10 if i < 2 else 1) for i in range(10)]))
    assert [r.tier for r in res][:3] == ["A", "A", None]  # rank 3 has 2 ahead (20%) and total 11 < 12


def test_min_total_keeps_a_low_scorer_out_of_a_band():
    tpl = simple(incentives=[{"id": "A", "name": "A", "top_percent": 50, "min_total": 15}])
    res = score_month(tpl, rows(("a", 5, 5), ("b", 4, 4)))
    assert [r.tier for r in res] == [None, None]


def test_teams_are_ranked_separately_and_sizes_counted():
    res = score_month(simple(), rows(("a", 10, 10), ("b", 9, 9)) + rows(("c", 1, 1), team="north"))
    assert [(r.team, r.agent, r.rank, r.team_size) for r in res] == [
        ("north", "c", 1, 1), ("t", "a", 1, 2), ("t", "b", 2, 2)]


def test_team_of_mapping_and_callable():
    data = [{"agent": "a", "a": 10, "b": 10}, {"agent": "b", "a": 1, "b": 1}]
    res = score_month(simple(), data, team_of={"a": "x", "b": "y"})
    assert {(r.agent, r.team, r.rank) for r in res} == {("a", "x", 1), ("b", "y", 1)}
    res = score_month(simple(), data, team_of=lambda row: "all")
    assert [(r.agent, r.rank) for r in res] == [("a", 1), ("b", 2)]


def test_no_data_items_are_left_out_of_the_total_and_flagged():
    res = score_month(simple(), [{"agent": "a", "a": 10, "b": None}, {"agent": "b", "a": 10, "b": "n/a"}])
    for r in res:
        assert r.total == 10 and r.missing == ["y"] and not r.complete
        assert r.item("y").points is None and r.item("y").en == "y: no data (b missing)"


def test_skipped_team_members_make_shares_unknown(ecs):
    row = {"agent": "a", "team": "t", **PERFECT}
    [r] = score_month(ecs, [row], previous={"a": PREV}, unscored={"t": 2})
    assert r.team_size == 3
    assert r.item("order_share").points is None
    assert "2 row(s) of the team were skipped" in r.item("order_share").en


def test_results_carry_template_and_month(ecs):
    [r] = score_month(ecs, [{"agent": "a", **PERFECT}], previous={"a": PREV}, month="2026-10")
    assert (r.template, r.version, r.month, r.rank, r.tier) == ("ecommerce-cs", "2026.11", "2026-10", 1, "A")


def test_many_teams_at_once_give_the_same_as_one_by_one(ecs):
    import random

    rng = random.Random(7)
    data = []
    for i in range(60):
        data.append({**PERFECT, "agent": f"a{i}", "team": f"t{i % 4}", "sales": rng.randint(50000, 130000),
                     "orders": rng.randint(0, 40), "late_arrivals": rng.randint(0, 5)})
    prev = {f"a{i}": {"sales": rng.randint(60000, 120000)} for i in range(60)}
    together = {r.agent: (r.total, r.rank) for r in score_month(ecs, data, previous=prev)}
    for t in range(4):
        alone = score_month(ecs, [d for d in data if d["team"] == f"t{t}"], previous=prev)
        for r in alone:
            assert together[r.agent] == (r.total, r.rank)


@pytest.mark.parametrize("n", [1, 2, 7])
def test_every_agent_gets_one_result(ecs, n):
    res = score_month(ecs, [{**PERFECT, "agent": str(i)} for i in range(n)])
    assert sorted(r.agent for r in res) == sorted(str(i) for i in range(n))


def test_a_row_without_agent_is_refused_clearly():
    with pytest.raises(ValueError, match="row 2 has no agent"):
        score_month(simple(), [{"agent": "a", "a": 1, "b": 1}, {"a": 1, "b": 1}])
