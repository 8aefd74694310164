"""The built-in ecommerce-cs template, worked by hand at and around every threshold of every item.

Each case: the figures that matter (the rest of the agent's month is perfect, see conftest.PERFECT,
previous month's sales 100,000), then the points worked by hand in the comment. The readings chosen
where the source table is ambiguous are in docs/kpi-ecommerce-cs.md.
"""

import pytest

from servicecoach.kpi.engine.scoring import score_month


def test_perfect_month_scores_the_full_105(ecs):
    from .conftest import PERFECT, PREV

    [r] = score_month(ecs, [{"agent": "a", **PERFECT}], previous={"a": PREV})
    assert r.total == 105 and r.max_total == 105 and r.complete
    assert r.sections == {"results": 65, "ability": 15, "attitude": 25}
    assert (r.template, r.version) == ("ecommerce-cs", "2026.11")


# ------------------------------------------------------------------ 销售额完成率 sales completion, 30
# steps below 100%: each 5% (a started step counts: partial ceil) takes 1; above 110% adds 2; cap 32.
@pytest.mark.parametrize(
    ("sales", "points"),
    [
        (100000, 30),   # 100%: at the standard, nothing taken
        (99000, 29),    # 99%: 1% below, ceil(1/5) = 1 step, 30 - 1
        (95000, 29),    # 95%: 5% below, exactly 1 step
        (94900, 28),    # 94.9%: 5.1% below, ceil(1.02) = 2 steps, 30 - 2
        (90000, 28),    # 90%: 10% below, 2 steps
        (87000, 27),    # 87%: 13% below, ceil(2.6) = 3 steps
        (85000, 27),    # 85%: 3 steps
        (50000, 20),    # 50%: 10 steps
        (0, 10),        # 0%: 20 steps, 30 - 20
        (105000, 30),   # 105%: above the standard but not more than 10% above
        (110000, 30),   # 110%: not *more* than 10% above
        (110100, 32),   # 110.1%: +2, past the weight (cap 32)
        (200000, 32),   # 200%: +2 once, no more
    ],
)
def test_sales_completion(score, sales, points):
    assert score("sales_completion", sales=sales).points == points


def test_sales_completion_explanation_matches_the_issue(score):
    r = score("sales_completion", sales=87000)
    assert r.zh.startswith("销售额完成率 87%：低于标准 13%，3 档 × −1 = −3")
    assert r.en.startswith("sales completion 87%: 13% below standard, 3 steps × −1 = −3")
    assert r.en.endswith("→ 27/30")


def test_sales_completion_without_target_is_no_data(score):
    r = score("sales_completion", sales_target=0)
    assert r.points is None and r.en == "sales completion: no data (sales target is 0)"
    r = score("sales_completion", sales_target=None)
    assert r.points is None and "sales target missing" in r.en


# ------------------------------------------------------------------ 销售增长率 sales growth, 8
# change against last month (100,000): each whole 5% of growth adds 1 (partial floor), cap 16;
# a fall of more than 20% takes 1, of more than 40% takes 2.
@pytest.mark.parametrize(
    ("sales", "points"),
    [
        (100000, 8),    # 0%
        (104900, 8),    # +4.9%: floor(0.98) = 0 steps
        (105000, 9),    # +5%: 1 step, 8 + 1
        (112000, 10),   # +12%: floor(2.4) = 2 steps
        (140000, 16),   # +40%: 8 steps, 8 + 8 = 16 = the cap
        (150000, 16),   # +50%: 10 steps, 18 capped at 16
        (95000, 8),     # -5%: a fall, but not more than 20%
        (80000, 8),     # -20%: not *more* than 20%
        (79900, 7),     # -20.1%: 8 - 1
        (60000, 7),     # -40%: not more than 40%
        (59900, 6),     # -40.1%: 8 - 2
        (0, 6),         # -100%
    ],
)
def test_sales_growth(score, sales, points):
    assert score("sales_growth", sales=sales).points == points


def test_sales_growth_needs_the_previous_month(score):
    r = score("sales_growth", prev=None)
    assert r.points is None and r.zh == "销售增长率：无数据（没有上月数据）"
    r = score("sales_growth", prev={"sales": 0})
    assert r.points is None and "previous month's sales is 0" in r.en
    r = score("sales_growth", prev={"orders": 3})
    assert r.points is None and "sales missing" in r.en


# ------------------------------------------------------------------ 转化率 conversion rate, 5
# orders / visits: below 1.5% takes 2, below 1% takes 3, below 0.5% scores 0 (the source's 3 and 2
# swapped so that a lower conversion never scores higher).
@pytest.mark.parametrize(
    ("orders", "points"),
    [
        (20, 5),   # 2.0%
        (15, 5),   # 1.5%: not below 1.5%
        (14, 3),   # 1.4%: 5 - 2
        (10, 3),   # 1.0%: not below 1%, still below 1.5%
        (9, 2),    # 0.9%: 5 - 3
        (5, 2),    # 0.5%: not below 0.5%
        (4, 0),    # 0.4%: scores 0
        (0, 0),    # 0%
    ],
)
def test_conversion_rate(score, orders, points):
    assert score("conversion_rate", orders=orders, visits=1000).points == points


def test_conversion_without_visits_is_no_data(score):
    assert score("conversion_rate", visits=0).points is None


# ------------------------------------------------------------------ 主推单品销售比例 main product share, 5
# main product sales / sales: 100% or more adds 1 (cap 6), 80% or more keeps 5, below 80% takes 1.
@pytest.mark.parametrize(
    ("main", "points"),
    [
        (100000, 6),   # 100%: 5 + 1
        (99999, 5),    # 99.999%
        (80000, 5),    # 80%: keeps the points
        (79999, 4),    # 79.999%: 5 - 1
        (0, 4),        # 0%
    ],
)
def test_main_product_share(score, main, points):
    assert score("main_product_share", main_product_sales=main, sales=100000).points == points


# ------------------------------------------------------------------ 退单率 refund rate, 5
# refunds / orders: 1% or more takes 5.
@pytest.mark.parametrize(
    ("refunds", "orders", "points"),
    [
        (0, 100, 5),     # 0%
        (9, 1000, 5),    # 0.9%
        (10, 1000, 0),   # 1.0%: 5 - 5
        (1, 100, 0),     # 1%
        (5, 100, 0),     # 5%: 0, floored (never negative)
    ],
)
def test_refund_rate(score, refunds, orders, points):
    assert score("refund_rate", refunds=refunds, orders=orders).points == points


def test_refund_rate_without_orders_is_no_data(score):
    assert score("refund_rate", refunds=0, orders=0).points is None


# ------------------------------------------------------------------ 咨询量 consultation volume, 5
# answered consultations against the standard 450: below 80% (360) takes 2, below 60% (270) takes 3,
# below 30% (135) takes 5.
@pytest.mark.parametrize(
    ("consultations", "points"),
    [
        (500, 5),   # 111%
        (360, 5),   # 80%
        (359, 3),   # 79.8%: 5 - 2
        (270, 3),   # 60%
        (269, 2),   # 59.8%: 5 - 3
        (135, 2),   # 30%
        (134, 0),   # 29.8%: 5 - 5
        (0, 0),
    ],
)
def test_consultation_volume(score, consultations, points):
    assert score("consultation_volume", consultations=consultations).points == points


# ------------------------------------------------------------------ 个人成交率 personal share of orders, 2
# own orders / team orders; thresholds 10% (takes 2) and 5% (scores 0) hold for a team of 5 and scale
# as 5 / team size.
@pytest.mark.parametrize(
    ("own", "others", "points"),
    [
        # team of 5: thresholds 10% and 5%
        (10, [30, 30, 20, 10], 2),   # 10 / 100 = 10%
        (9, [31, 30, 20, 10], 0),    # 9%: below 10%, 2 - 2
        (5, [35, 30, 20, 10], 0),    # 5%: scores 0 either way
        (4, [36, 30, 20, 10], 0),    # 4%: below 5%, scores 0
        # team of 10: thresholds 10 * 5/10 = 5% and 2.5%
        (5, [11] * 5 + [10] * 4, 2),  # 5 / 100 = 5%
        (4, [12] * 4 + [11] * 5, 0),  # 4 / 100 = 4%: below 5%
        # team of 2: thresholds 10 * 5/2 = 25% and 12.5%
        (25, [75], 2),               # 25%
        (24, [76], 0),               # 24%: below 25%
    ],
)
def test_order_share_scales_with_team_size(score, own, others, points):
    r = score("order_share", orders=own, teammates=[{"orders": o} for o in others])
    assert r.points == points


def test_order_share_explanation_shows_the_scaling(score):
    r = score("order_share", orders=4, teammates=[{"orders": 12}] * 4 + [{"orders": 11}] * 5)
    assert "below 5% (thresholds × 5/10, team of 10): −2" in r.en
    assert "团队 10 人" in r.zh


def test_order_share_unknown_when_a_team_member_lacks_orders(score):
    r = score("order_share", orders=10, teammates=[{"orders": None}, {"orders": 10}])
    assert r.points is None and "1 team member(s) lack orders" in r.en
    r = score("order_share", orders=0, teammates=[{"orders": 0}])
    assert r.points is None and "team total of orders is 0" in r.en


# ------------------------------------------------------------------ 交易纠纷 disputes, 5
# each dispute takes 2, floored at 0.
@pytest.mark.parametrize(("n", "points"), [(0, 5), (1, 3), (2, 1), (3, 0), (9, 0)])
def test_disputes(score, n, points):
    assert score("disputes", disputes=n).points == points


def test_floor_is_explained(score):
    assert score("disputes", disputes=3).en == "transaction disputes 3: disputes: 3 × −2 = −6; floored at 0 → 0/5"


# ------------------------------------------------------------------ 工作能力 ability: ratings
@pytest.mark.parametrize(
    ("item", "levels"),
    [
        ("product_knowledge", {"A": 5, "B": 4, "C": 3, "D": 0}),
        ("selling", {"A": 3, "B": 2, "C": 1, "D": 0}),
        ("communication", {"A": 5, "B": 4, "C": 3, "D": 0}),
        ("adaptability", {"A": 2, "B": 1.5, "C": 1, "D": 0}),
        ("responsibility", {"A": 3, "B": 2, "C": 1, "D": 0}),
        ("reports", {"A": 4, "B": 3, "C": 2, "D": 0}),
    ],
)
def test_ratings_by_described_levels(score, item, levels):
    for level, points in levels.items():
        assert score(item, **{item: level}).points == points


def test_rating_accepts_level_names_in_either_language(score):
    assert score("communication", communication="良好").points == 4
    assert score("communication", communication="Excellent").points == 5
    assert score("communication", communication=" c ").points == 3
    r = score("communication", communication="B")
    assert r.en == "communication B: level B (good: clear; customers seldom need to ask again) → 4/5"


def test_unknown_or_missing_rating_is_no_data(score):
    assert score("selling", selling="E").points is None
    assert score("selling", selling=None).points is None


# ------------------------------------------------------------------ 工作态度 attitude: events
# attendance 4: each late arrival takes 1, up to 3; more than 3 scores 0.
@pytest.mark.parametrize(("late", "points"), [(0, 4), (1, 3), (2, 2), (3, 1), (4, 0), (10, 0)])
def test_attendance(score, late, points):
    assert score("attendance", late_arrivals=late).points == points


def test_attendance_beyond_the_limit_is_explained(score):
    r = score("attendance", late_arrivals=4)
    assert r.zh == "出勤 4：迟到 4 次（超过 3 次）：得 0 分 → 0/4"


# chat etiquette 2: each breach of the standard phrases takes 2.
@pytest.mark.parametrize(("n", "points"), [(0, 2), (1, 0), (2, 0)])
def test_chat_etiquette(score, n, points):
    assert score("chat_etiquette", etiquette_breaches=n).points == points


# service attitude 5: each complaint or bad review takes 2, each rude remark in chat records 3.
@pytest.mark.parametrize(
    ("complaints", "rude", "points"),
    [(0, 0, 5), (1, 0, 3), (2, 0, 1), (3, 0, 0), (0, 1, 2), (1, 1, 0), (0, 2, 0)],
)
def test_service_attitude(score, complaints, rude, points):
    assert score("service_attitude", complaints=complaints, rude_remarks=rude).points == points


def test_service_attitude_needs_both_counts(score):
    r = score("service_attitude", rude_remarks=None)
    assert r.points is None and "rude remarks missing" in r.en


# team rules 4: each breach takes 1.
@pytest.mark.parametrize(("n", "points"), [(0, 4), (1, 3), (3, 1), (4, 0), (5, 0)])
def test_team_rules(score, n, points):
    assert score("team_rules", rule_breaches=n).points == points


# teamwork 3: each time the team is held back by the agent takes 3.
@pytest.mark.parametrize(("n", "points"), [(0, 3), (1, 0), (2, 0)])
def test_teamwork(score, n, points):
    assert score("teamwork", team_holdbacks=n).points == points


def test_a_worked_agent_in_full(ecs):
    """Sales 87% of target, growth +12%, conversion 0.9%, main product 85%,
    no refunds, consultations 300 (66.7%), 2 disputes, ratings B/B/A/C, B/A, 2 late arrivals, 1 etiquette
    breach, 1 complaint, 1 team-rule breach, in a team of 5 with 20% of the orders."""
    from .conftest import PERFECT

    agent = {**PERFECT, "agent": "a", "sales": 87000, "sales_target": 100000, "visits": 1000, "orders": 9,
             "main_product_sales": 73950, "refunds": 0, "consultations": 300, "disputes": 2,
             "product_knowledge": "B", "selling": "B", "communication": "A", "adaptability": "C",
             "responsibility": "B", "reports": "A", "late_arrivals": 2, "etiquette_breaches": 1,
             "complaints": 1, "rule_breaches": 1}
    mates = [{**PERFECT, "agent": f"m{i}", "orders": 9} for i in range(4)]
    results = score_month(ecs, [agent, *mates], previous={"a": {"sales": 77678.57}})
    r = next(x for x in results if x.agent == "a")
    got = {i.item: i.points for i in r.items}
    assert got == {
        "sales_completion": 27,      # 13% below: 3 steps
        "sales_growth": 10,          # 87000 / 77678.57 = +12.0%: 2 whole steps
        "conversion_rate": 2,        # 0.9%: below 1%, 5 - 3
        "main_product_share": 5,     # 73950 / 87000 = 85%
        "refund_rate": 5,            # 0 refunds
        "consultation_volume": 3,    # 300 / 450 = 66.7%: below 80%, 5 - 2
        "order_share": 2,            # 9 / 45 = 20%
        "disputes": 1,               # 5 - 2 × 2
        "product_knowledge": 4, "selling": 2, "communication": 5, "adaptability": 1,
        "attendance": 2,             # 4 - 2
        "chat_etiquette": 0,         # 2 - 2
        "responsibility": 2,
        "service_attitude": 3,       # 5 - 2
        "reports": 4,
        "team_rules": 3,             # 4 - 1
        "teamwork": 3,
    }
    # 27+10+2+5+5+3+2+1 = 55 ; 4+2+5+1 = 12 ; 2+0+2+3+4+3+3 = 17 ; total 84
    assert r.sections == {"results": 55, "ability": 12, "attitude": 17}
    assert r.total == 84
