"""The agenda engine: building from topics, checking the rules, reading the editable text."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.programmes.agenda import (
    MAX_TEACHING,
    MIN_BREAK,
    AgendaError,
    Block,
    build_agenda,
    check_agenda,
    format_agenda,
    parse_agenda,
    parse_topics,
)

NINE, HALF_FIVE = 9 * 60, 17 * 60 + 30
DAYS = [date(2026, 3, 2), date(2026, 3, 3)]


def test_a_long_topic_is_split_into_blocks_of_at_most_90_minutes_with_breaks():
    blocks = build_agenda([("服务流程", 200)], days=1, day_start=NINE, day_end=HALF_FIVE)
    teaching = [b for b in blocks if b.kind == "teaching"]
    # 09:15-10:45, a break, 10:55-12:00 (lunch), 13:00-13:45
    assert [b.minutes for b in teaching] == [90, 65, 45]
    assert all(b.title == "服务流程" for b in teaching)
    assert blocks[0] == Block(0, NINE, NINE + 15, "opening")
    assert blocks[-1] == Block(0, HALF_FIVE - 30, HALF_FIVE, "wrap_up")
    assert blocks[2].kind == "break" and blocks[2].minutes == MIN_BREAK
    assert check_agenda(blocks, days=1, day_start=NINE, day_end=HALF_FIVE) == []


def test_lunch_is_kept_free_and_topics_continue_the_next_day():
    blocks = build_agenda([("A", 180), ("B", 240), ("C", 120)], days=2, day_start=NINE, day_end=HALF_FIVE)
    assert not [b for b in blocks if b.kind == "teaching" and b.start < 780 and b.end > 720]
    assert {b.day for b in blocks if b.title == "C"} == {1}
    assert [b.kind for b in blocks if b.day == 1][-1] == "wrap_up"
    assert check_agenda(blocks, days=2, day_start=NINE, day_end=HALF_FIVE) == []


def test_topics_that_do_not_fit_are_refused_with_the_minutes_left_over():
    with pytest.raises(AgendaError) as caught:
        build_agenda([("A", 2000)], days=1, day_start=NINE, day_end=HALF_FIVE)
    (line, code, params), = caught.value.problems
    assert code == "too_long" and params["missing"] > 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=5, max_value=240), min_size=1, max_size=6), st.integers(min_value=1, max_value=4))
def test_every_built_agenda_keeps_the_rules(minutes, days):
    topics = [(f"T{i}", m) for i, m in enumerate(minutes)]
    try:
        blocks = build_agenda(topics, days=days, day_start=NINE, day_end=HALF_FIVE)
    except AgendaError as error:
        assert error.problems[0][1] == "too_long"
        return
    assert check_agenda(blocks, days=days, day_start=NINE, day_end=HALF_FIVE) == []
    taught = {}
    for b in blocks:
        if b.kind == "teaching":
            taught[b.title] = taught.get(b.title, 0) + b.minutes
    assert taught == dict(topics)


def test_check_names_each_broken_rule_with_its_line():
    blocks = [
        Block(0, NINE, NINE + 15, "opening"),
        Block(0, NINE + 15, NINE + 120, "teaching", "too long"),
        Block(0, NINE + 120, NINE + 180, "teaching", "no break before"),
        Block(0, HALF_FIVE - 30, HALF_FIVE, "wrap_up"),
    ]
    problems = check_agenda(blocks, days=1, day_start=NINE, day_end=HALF_FIVE, lines=[2, 3, 4, 5])
    codes = {(line, code) for line, code, _ in problems}
    assert (3, "teaching_too_long") in codes
    assert (4, "break_missing") in codes


def test_a_day_without_wrap_up_and_a_missing_opening_are_reported():
    blocks = [Block(0, NINE, NINE + 60, "teaching", "x")]
    codes = {code for _, code, _ in check_agenda(blocks, days=1, day_start=NINE, day_end=HALF_FIVE)}
    assert codes == {"wrap_up_missing", "opening_missing"}


def test_the_text_round_trips_and_bad_lines_are_named():
    blocks = build_agenda([("A", 100), ("B", 300)], days=2, day_start=NINE, day_end=HALF_FIVE)
    text = format_agenda(blocks, DAYS)
    again, lines = parse_agenda(text, DAYS)
    assert again == sorted(blocks, key=lambda b: (b.day, b.start))
    assert len(lines) == len(again)
    with pytest.raises(AgendaError) as caught:
        parse_agenda("2026-03-02\n09:00-09:15 opening\n9点开始\n10:00-11:00 lecture x\n2026-03-09\n", DAYS)
    assert [(line, code) for line, code, _ in caught.value.problems] == [
        (3, "unreadable"), (4, "bad_kind"), (5, "not_a_session_day")]


def test_topics_text_needs_title_bar_minutes():
    assert parse_topics("开场介绍 | 30\n\n产品知识|120") == [("开场介绍", 30), ("产品知识", 120)]
    with pytest.raises(AgendaError) as caught:
        parse_topics("产品知识 120\n话术 | 0")
    assert [line for line, _, _ in caught.value.problems] == [1, 2]


def test_max_teaching_is_ninety_minutes():
    assert MAX_TEACHING == 90


def test_the_agenda_module_imports_no_django():
    code = ("import sys, servicecoach.programmes.agenda\n"
            "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
