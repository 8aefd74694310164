"""The formula language: precedence, functions, no data instead of crashes, clear parse errors."""

import pytest

from servicecoach.kpi.engine.formula import (
    Context,
    FormulaError,
    NoData,
    compile_formula,
    evaluate,
    names,
    parse,
    shared_figures,
    uses_previous,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),            # * before +
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),           # left to right
        ("24 / 4 / 2", 3),
        ("2 * 3 / 4", 1.5),
        ("-2 * 3", -6),
        ("--2", 2),
        ("-(1 + 2) * 2", -6),
        ("1 - -1", 2),
        ("+3", 3),
        ("2 × 3 ÷ 4 − 1", 0.5),     # the signs people write
        ("（1 + 2）× 2", 6),
        ("max(1, 5, 3) - min(4, 2)", 3),
        ("abs(1 - 4)", 3),
        (".5 + 1.", 1.5),
    ],
)
def test_arithmetic_and_precedence(text, expected):
    assert evaluate(text, {}) == pytest.approx(expected)


def test_figures_and_ratio_functions():
    figs = {"orders": 12, "visits": 1000, "sales": 87000, "sales_target": 100000}
    assert evaluate("pct(orders, visits)", figs) == pytest.approx(1.2)
    assert evaluate("ratio(orders, visits)", figs) == pytest.approx(0.012)
    assert evaluate("pct(sales, sales_target)", figs) == pytest.approx(87)
    assert evaluate("orders / visits * 100", figs) == pytest.approx(1.2)


def test_ratio_with_zero_denominator_is_no_data_naming_the_figure():
    with pytest.raises(NoData) as e:
        evaluate("pct(orders, visits)", {"orders": 3, "visits": 0})
    assert e.value.en == "visits is 0"
    with pytest.raises(NoData):
        evaluate("ratio(orders, visits)", {"orders": 3, "visits": 0})


def test_plain_division_by_zero_is_no_data_not_a_crash():
    with pytest.raises(NoData) as e:
        evaluate("orders / (visits - visits)", {"orders": 3, "visits": 5})
    assert "division by zero" in e.value.en


def test_missing_figure_is_no_data_never_zero():
    labels = {"orders": ("订单数", "orders"), "visits": ("访客数", "visits")}
    fn = compile_formula(parse("orders + visits"), figures=labels, constants={})
    with pytest.raises(NoData) as e:
        fn({"orders": 3}, Context())
    assert (e.value.zh, e.value.en) == ("缺少访客数", "visits missing")


def test_change_is_month_over_month_percent():
    ctx = Context(prev={"sales": 80000})
    assert evaluate("change(sales)", {"sales": 100000}, context=ctx) == pytest.approx(25)
    assert evaluate("change(sales)", {"sales": 60000}, context=ctx) == pytest.approx(-25)
    # an expression is evaluated on both months: conversion 2% -> 3%
    ctx = Context(prev={"orders": 20, "visits": 1000})
    assert evaluate("change(pct(orders, visits))", {"orders": 30, "visits": 1000}, context=ctx) == pytest.approx(50)
    assert evaluate("sales - prev.sales", {"sales": 5}, context=Context(prev={"sales": 3})) == 2


def test_change_without_previous_month_or_from_zero_is_no_data():
    with pytest.raises(NoData) as e:
        evaluate("change(sales)", {"sales": 1})
    assert e.value.en == "no previous month"
    with pytest.raises(NoData) as e:
        evaluate("change(sales)", {"sales": 1}, context=Context(prev={"sales": 0}))
    assert e.value.en == "previous month's sales is 0"
    with pytest.raises(NoData) as e:
        evaluate("change(sales)", {"sales": 1}, context=Context(prev={"orders": 4}))
    assert "previous month" in e.value.en and "sales missing" in e.value.en
    with pytest.raises(NoData):
        evaluate("prev.sales", {"sales": 1})


def test_share_of_team_total():
    ctx = Context(team_totals={"orders": 200})
    assert evaluate("share(orders)", {"orders": 30}, context=ctx) == pytest.approx(15)
    with pytest.raises(NoData) as e:
        evaluate("share(orders)", {"orders": 0}, context=Context(team_totals={"orders": 0}))
    assert e.value.en == "team total of orders is 0"


def test_constants_are_names_too():
    assert evaluate("pct(consultations, standard)", {"consultations": 360},
                    context=Context(constants={"standard": 450})) == pytest.approx(80)


def test_unknown_figure_is_a_clear_error_listing_known_names():
    with pytest.raises(FormulaError) as e:
        compile_formula(parse("pct(orders, vists)"), figures={"orders": ("订单数", "orders"),
                                                             "visits": ("访客数", "visits")}, constants={})
    assert "unknown figure 'vists'" in str(e.value)
    assert "visits" in str(e.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty formula"),
        ("1 +", "expected a number, a name or '(', found the end of the formula"),
        ("(1 + 2", "expected ')', found the end"),
        ("1 + 2)", "unexpected ')' (column 6)"),
        ("2 $ 3", "unexpected character '$' (column 3)"),
        ("foo(1)", "unknown function 'foo'"),
        ("pct(1)", "pct() takes 2 argument(s), got 1"),
        ("share(orders + 1)", "share() takes a figure name"),
        ("this.that", "only prev.<figure> has a dot"),
        ("pct", "function 'pct' needs parentheses"),
        ("1 2", "unexpected '2'"),
    ],
)
def test_parse_errors_say_what_and_where(text, message):
    with pytest.raises(FormulaError) as e:
        parse(text)
    assert message in str(e.value)


def test_tree_queries():
    node = parse("share(orders) + change(sales) + pct(refunds, orders)")
    assert names(node) == {"orders", "sales", "refunds"}
    assert shared_figures(node) == {"orders"}
    assert uses_previous(node)
    assert not uses_previous(parse("pct(refunds, orders)"))
    assert uses_previous(parse("sales - prev.sales"))
