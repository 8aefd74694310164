"""Rank statistics (servicecoach.quality.engine.stats), on worked examples."""

from __future__ import annotations

import math

import pytest

from servicecoach.quality.engine.stats import average_ranks, pearson, spearman


def test_average_ranks_share_the_mean_rank_of_ties():
    assert average_ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]
    assert average_ranks([3, 3, 3]) == [2.0, 2.0, 2.0]
    assert average_ranks([]) == []


def test_spearman_of_monotone_data_is_one_or_minus_one():
    assert spearman([1, 2, 3, 4], [10, 100, 1000, 10_000]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


def test_spearman_worked_example_without_ties():
    # d = rank differences (0, -1, 1, 0, 0): rho = 1 - 6 * 2 / (5 * 24) = 0.9
    assert spearman([1, 2, 3, 4, 5], [1, 3, 2, 4, 5]) == pytest.approx(0.9)


def test_spearman_worked_example_with_ties():
    # ranks x = (1, 2.5, 2.5, 4), y = (1, 2, 3, 4): Pearson of the ranks = 4.5 / sqrt(4.5 * 5) = 0.9486833
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(4.5 / math.sqrt(4.5 * 5))


def test_spearman_is_nan_when_one_side_is_constant_and_refuses_unequal_lengths():
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))
    assert math.isnan(spearman([1], [2]))
    with pytest.raises(ValueError, match="3 x values but 2 y values"):
        spearman([1, 2, 3], [1, 2])


def test_pearson_worked_example():
    # x = (1, 2, 3), y = (2, 4, 5): sxy = 3, sxx = 2, syy = 4.667 -> 3 / sqrt(9.333) = 0.98198
    assert pearson([1, 2, 3], [2, 4, 5]) == pytest.approx(0.9819805)
