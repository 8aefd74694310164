"""Marking and the daily draw, as plain functions."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from servicecoach.training.engine.quiz import draw_daily, mark

CORRECT = {1: frozenset({10}), 2: frozenset({20, 21}), 3: frozenset({30})}


def test_all_right_is_100_and_exact_sets_only():
    assert mark(CORRECT, {1: [10], 2: [21, 20], 3: [30]}) == (100, {1: True, 2: True, 3: True})
    score, right = mark(CORRECT, {1: [10], 2: [20, 21, 22], 3: []})
    assert score == 33 and right == {1: True, 2: False, 3: False}


def test_no_question_scores_zero():
    assert mark({}, {}) == (0, {})


def test_daily_draw_is_the_same_for_a_learner_and_day_and_differs_across_days():
    pool = list(range(1, 101))
    first = draw_daily(pool, person_id=7, day=date(2026, 11, 23), count=5)
    assert first == draw_daily(list(reversed(pool)), person_id=7, day=date(2026, 11, 23), count=5)
    assert len(first) == 5 and len(set(first)) == 5 and set(first) <= set(pool)
    days = {tuple(draw_daily(pool, person_id=7, day=date(2026, 11, d), count=5)) for d in range(1, 29)}
    assert len(days) > 20
    assert draw_daily(pool, person_id=8, day=date(2026, 11, 23), count=5) != first


@given(st.sets(st.integers(1, 10_000), max_size=40), st.integers(1, 10))
def test_draw_takes_the_whole_pool_when_small_and_never_more_than_asked(pool, count):
    drawn = draw_daily(pool, person_id=1, day=date(2026, 1, 1), count=count)
    assert drawn == sorted(drawn) and set(drawn) <= pool
    assert len(drawn) == min(count, len(pool))
