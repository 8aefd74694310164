"""Moodle quiz statistics (servicecoach.exams.engine.statistics): worked examples by hand and an
independent straightforward computation with the standard library's statistics module."""

from __future__ import annotations

import math
import random
import statistics as st

import pytest

from servicecoach.exams.engine.statistics import (
    FlagThresholds,
    StatisticsError,
    item_statistics,
    question_statistics,
    quiz_statistics,
    test_statistics,
)

# 4 attempts x 3 questions, 1 mark each; totals 3, 2, 1, 0 (a perfect Guttman pattern)
GUTTMAN = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]


def test_item_statistics_worked_example():
    items = item_statistics(GUTTMAN, [1, 1, 1])
    q1, q2, q3 = items
    # facility = mean / max
    assert [q.facility for q in items] == pytest.approx([75, 50, 25])
    # q1: marks (1,1,1,0): sum of squared deviations 0.75, / (S-1) = 0.25 -> SD 0.5
    assert q1.sd == pytest.approx(0.5) and q1.sd_percent == pytest.approx(50)
    assert q2.sd == pytest.approx(math.sqrt(1 / 3))
    # q1 vs rest of test (2,1,0,0): Cov = 0.75/3 = 0.25, V(x) = 0.25, V(rest) = 2.75/3
    # D = 0.25 / sqrt(0.25 * 11/12) = sqrt(3/11)
    assert q1.discrimination_index == pytest.approx(100 * math.sqrt(3 / 11))
    # q2: Cov = 1/3, V(x) = 1/3, V(rest (2,1,1,0)) = 2/3 -> D = 1/sqrt(2)
    assert q2.discrimination_index == pytest.approx(100 / math.sqrt(2))
    assert q3.discrimination_index == pytest.approx(100 * math.sqrt(3 / 11))
    # the marks are already in the same order as the rest of the test: Cov = Cov_max
    assert [q.discriminative_efficiency for q in items] == pytest.approx([100, 100, 100])
    # effective weights: Cov(x_i, T) = 0.5, 2/3, 0.5
    roots = [math.sqrt(0.5), math.sqrt(2 / 3), math.sqrt(0.5)]
    assert [q.effective_weight for q in items] == pytest.approx([100 * r / sum(roots) for r in roots])
    assert [q.intended_weight for q in items] == pytest.approx([100 / 3] * 3)
    assert all(not q.flags for q in items)


def test_test_statistics_worked_example():
    t = test_statistics(GUTTMAN, [1, 1, 1])
    assert (t.s, t.p, t.max_total) == (4, 3, 3)
    assert t.mean == pytest.approx(1.5) and t.median == pytest.approx(1.5)
    assert t.sd == pytest.approx(math.sqrt(5 / 3))  # deviations 1.5, .5, -.5, -1.5: power2 = 5
    assert t.skewness == pytest.approx(0)
    # m2 = 1.25, m4 = 2.5625, k2 = 5/3, k4 = 16 (5 * 2.5625 - 9 * 1.5625) / 6 = -10/3 -> -1.2
    assert t.kurtosis == pytest.approx(-1.2)
    # sum of item variances 0.25 + 1/3 + 0.25 = 5/6: CIC = 100 * 3/2 * (1 - (5/6)/(5/3)) = 75
    assert t.cic == pytest.approx(75)
    assert t.error_ratio == pytest.approx(50)  # 100 sqrt(1 - 0.75)
    assert t.standard_error == pytest.approx(0.5 * math.sqrt(5 / 3))
    assert t.percent_of_max(t.mean) == pytest.approx(50)


def test_median_of_odd_count_and_undefined_statistics_are_none():
    t = test_statistics([[1, 0], [0, 0], [2, 1]], [2, 1])
    assert t.median == 1 and t.kurtosis is None  # kurtosis needs 4 attempts
    one = quiz_statistics([[1, 0]], [1, 1])
    assert one.test.sd is None and one.test.cic is None
    assert one.items[0].discrimination_index is None and one.items[0].sd is None
    flat = item_statistics([[1, 1], [1, 0], [1, 1]], [1, 1])
    assert flat[0].discrimination_index is None  # everyone got q1: zero variance, no correlation
    assert flat[0].discriminative_efficiency is None
    assert "almost everybody gets it" in flat[0].flags[0]


def test_a_question_stronger_candidates_miss_is_flagged():
    marks = [row + [v] for row, v in zip(GUTTMAN, [0, 0, 0, 1])]
    q4 = item_statistics(marks, [1, 1, 1, 1])[3]
    assert q4.discrimination_index < 0 and q4.discriminative_efficiency < 0
    assert any("negative" in f for f in q4.flags)
    assert any("discriminative efficiency" in f and "below 15%" in f for f in q4.flags)
    # q1's rest of test is now (2, 1, 0, 1): x = (1, 1, 1, 0) has zero covariance with it
    assert quiz_statistics(marks, [1, 1, 1, 1]).flagged == [0, 3]
    assert item_statistics(marks, [1, 1, 1, 1])[0].discrimination_index == pytest.approx(0)


def test_thresholds_are_configurable():
    relaxed = FlagThresholds(
        min_discrimination_index=-100, min_discriminative_efficiency=-1000, max_facility=100
    )
    marks = [row + [v] for row, v in zip(GUTTMAN, [0, 0, 0, 1])]
    q4 = item_statistics(marks, [1, 1, 1, 1], thresholds=relaxed)[3]
    assert [f for f in q4.flags if "efficiency" in f] == []


def test_bad_input_names_the_place():
    with pytest.raises(StatisticsError, match="attempt 2: has 1 marks but the test has 2 questions"):
        test_statistics([[1, 0], [1]], [1, 1])
    with pytest.raises(StatisticsError, match="attempt 1 question 2: mark must be a number"):
        item_statistics([[1, None]], [1, 1])


def _independent(marks, max_marks):
    """Textbook formulas through the statistics module, written without looking at the engine."""
    S, P = len(marks), len(max_marks)
    totals = [sum(r) for r in marks]
    items = []
    for i in range(P):
        x = [r[i] for r in marks]
        rest = [t - v for t, v in zip(totals, x)]
        di = 100 * st.correlation(x, rest) if st.pvariance(x) and st.pvariance(rest) else None
        cov = st.covariance(x, rest)
        cov_sorted = st.covariance(sorted(x), sorted(rest))
        de = 100 * cov / cov_sorted if cov_sorted else None
        items.append((100 * st.mean(x) / max_marks[i], st.stdev(x), di, de))
    n = S
    mean = st.mean(totals)
    m2 = sum((t - mean) ** 2 for t in totals) / n
    m3 = sum((t - mean) ** 3 for t in totals) / n
    m4 = sum((t - mean) ** 4 for t in totals) / n
    g1, g2 = m3 / m2**1.5, m4 / m2**2 - 3
    skew = math.sqrt(n * (n - 1)) / (n - 2) * g1  # adjusted Fisher-Pearson G1
    kurt = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)  # sample excess kurtosis G2
    alpha = (
        P / (P - 1) * (1 - sum(st.variance([r[i] for r in marks]) for i in range(P)) / st.variance(totals))
    )
    return items, (mean, st.median(totals), st.stdev(totals), skew, kurt, 100 * alpha)


@pytest.mark.parametrize("seed", range(8))
def test_agrees_with_an_independent_straightforward_computation(seed):
    rng = random.Random(seed)
    P = rng.randint(2, 8)
    S = rng.randint(5, 40)
    max_marks = [rng.choice([1, 2, 5]) for _ in range(P)]
    ability = [rng.random() for _ in range(S)]
    marks = [
        [m if rng.random() < 0.3 + 0.6 * a else rng.choice([0, m / 2]) for m in max_marks] for a in ability
    ]
    if len({sum(r) for r in marks}) < 2:
        marks[0] = list(max_marks)
        marks[1] = [0] * P
    ours = quiz_statistics(marks, max_marks)
    items, (mean, median, sd, skew, kurt, alpha) = _independent(marks, max_marks)
    for got, (facility, item_sd, di, de) in zip(ours.items, items):
        assert got.facility == pytest.approx(facility)
        assert got.sd == pytest.approx(item_sd)
        assert got.discrimination_index == (pytest.approx(di) if di is not None else None)
        assert got.discriminative_efficiency == (pytest.approx(de) if de is not None else None)
    t = ours.test
    assert (t.mean, t.median, t.sd) == (pytest.approx(mean), pytest.approx(median), pytest.approx(sd))
    assert t.skewness == pytest.approx(skew)
    assert t.kurtosis == pytest.approx(kurt)
    assert t.cic == pytest.approx(alpha)
    assert t.error_ratio == pytest.approx(100 * math.sqrt(1 - alpha / 100))
    assert t.standard_error == pytest.approx(math.sqrt(1 - alpha / 100) * sd)


def test_question_statistics_for_papers_drawn_per_candidate():
    attempts = [
        {"q1": (1, 1), "q2": (1, 1)},  # total 2
        {"q1": (0, 1), "q3": (1, 1)},  # total 1
        {"q1": (1, 1), "q3": (0, 1)},  # total 1
        {"q2": (0, 1), "q3": (0, 1)},  # total 0
    ]
    stats = question_statistics(attempts)
    q1 = stats["q1"]
    # q1 on attempts 1-3: x = (1, 0, 1), totals (2, 1, 1): V(x) = 1/3, V(T) = 1/3, Cov = 1/6
    assert q1.s == 3 and q1.facility == pytest.approx(200 / 3)
    assert q1.sd == pytest.approx(math.sqrt(1 / 3))
    assert q1.discrimination_index == pytest.approx(50)
    assert q1.discriminative_efficiency == pytest.approx(100)
    assert stats["q2"].discrimination_index == pytest.approx(100)  # (1, 0) against (2, 0)
    q3 = stats["q3"]  # (1, 0, 0) against (1, 1, 0)
    assert q3.discrimination_index == pytest.approx(100 * st.correlation([1, 0, 0], [1, 1, 0]))
    assert sorted(stats) == ["q1", "q2", "q3"]


def test_question_statistics_scale_a_question_worth_different_points_on_different_papers():
    attempts = [{"q": (2, 2), "r": (1, 1)}, {"q": (0.5, 1), "r": (0, 1)}, {"q": (0, 2), "r": (1, 1)}]
    q = question_statistics(attempts)["q"]
    assert q.max_mark == 2 and q.mean == pytest.approx((2 + 1 + 0) / 3)
    assert q.facility == pytest.approx(50)
    with pytest.raises(StatisticsError, match="attempt 2 question 'r': mark and maximum must be numbers"):
        question_statistics([{"r": (1, 1)}, {"r": (None, 1)}])
