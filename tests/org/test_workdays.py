"""The pure working-day engine: statute (chinesecalendar), overrides, Monday–Friday fallback."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.org import workdays
from servicecoach.org.workdays import WorkdayCalendar, statutory_covers

CAL = WorkdayCalendar()
PACKAGE_COVERS_2027 = statutory_covers(2027)


def test_engine_imports_no_django():
    tree = ast.parse(Path(workdays.__file__).read_text(encoding="utf-8"))
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not any(m.split(".")[0] == "django" for m in modules)


# --- 2026 Spring Festival: holidays 15–23 Feb, make-up Saturdays 14 and 28 Feb (chinesecalendar 1.11)

def test_2026_spring_festival_as_the_package_says():
    holidays = chinese_calendar.get_holidays(date(2026, 2, 1), date(2026, 3, 1), include_weekends=False)
    assert holidays == [date(2026, 2, d) for d in range(15, 24)]
    makeup = [d for d in chinese_calendar.get_workdays(date(2026, 2, 1), date(2026, 3, 1)) if d.weekday() >= 5]
    assert makeup == [date(2026, 2, 14), date(2026, 2, 28)]


@pytest.mark.parametrize("d", [date(2026, 2, 14), date(2026, 2, 28)])
def test_spring_festival_makeup_saturdays_are_working_days(d):
    assert d.weekday() == 5
    assert CAL.is_working_day(d)
    assert CAL.source(d) == "statutory"


@pytest.mark.parametrize("day", [16, 17, 18, 19, 20, 23])
def test_spring_festival_weekdays_are_not_working_days(day):
    d = date(2026, 2, day)
    assert d.weekday() < 5
    assert not CAL.is_working_day(d)


def test_ordinary_weeks_around_the_festival():
    assert CAL.is_working_day(date(2026, 2, 13))  # Friday before
    assert CAL.is_working_day(date(2026, 2, 24))  # Tuesday after
    assert not CAL.is_working_day(date(2026, 3, 1))  # plain Sunday
    assert not CAL.is_working_day(date(2026, 2, 21))  # Saturday inside the holiday


# --- National Day 2026: 1–7 Oct off, make-up Sunday 20 Sep and Saturday 10 Oct

@pytest.mark.parametrize("d", [date(2026, 9, 20), date(2026, 10, 10)])
def test_national_day_makeup_days_are_working_days(d):
    assert d.weekday() >= 5
    assert CAL.is_working_day(d)


@pytest.mark.parametrize("day", range(1, 8))
def test_national_day_week_is_off(day):
    assert not CAL.is_working_day(date(2026, 10, day))


def test_mid_autumn_2026_friday_is_off():
    assert not CAL.is_working_day(date(2026, 9, 25))


# --- add_working_days

def test_add_working_days_across_the_spring_festival():
    # Friday 13 Feb 2026 + 1: Saturday 14 Feb is a make-up workday.
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    # + 2: the festival (15–23 Feb) is skipped entirely.
    assert CAL.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    # 24, 25, 26, 27 Feb and the make-up Saturday 28 Feb.
    assert CAL.add_working_days(date(2026, 2, 13), 6) == date(2026, 2, 28)
    assert CAL.add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 2)


def test_the_start_date_never_counts():
    assert CAL.add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 3)  # Monday + 1 = Tuesday
    assert CAL.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday + 1 = Monday
    assert CAL.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Saturday + 1 = Monday


def test_zero_and_negative_counts():
    assert CAL.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    assert CAL.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 3, 9), -1) == date(2026, 3, 6)


def test_working_days_between():
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert CAL.working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert CAL.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0


# --- 2027 and other years the package may not cover

def test_2027_follows_whatever_the_package_covers():
    d = date(2027, 1, 4)  # a Monday
    if PACKAGE_COVERS_2027:
        assert CAL.source(d) == "statutory"
        assert CAL.is_working_day(d) == chinese_calendar.is_workday(d)
    else:
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(d)
        assert CAL.source(d) == "weekday-fallback"
        assert not CAL.covered(d)
        assert CAL.is_working_day(d)
        assert not CAL.is_working_day(date(2027, 1, 2))  # Saturday
        # Friday 8 Jan 2027 + 1 is Monday 11 Jan under Monday–Friday.
        assert CAL.add_working_days(date(2027, 1, 8), 1) == date(2027, 1, 11)


def test_override_in_2027_wins():
    monday, saturday = date(2027, 2, 8), date(2027, 2, 6)
    cal = WorkdayCalendar({monday: False, saturday: True})
    assert not cal.is_working_day(monday)
    assert cal.is_working_day(saturday)
    assert cal.source(monday) == "override"
    # Friday 5 Feb + 1: the Saturday declared a working day.
    assert cal.add_working_days(date(2027, 2, 5), 1) == saturday
    assert cal.add_working_days(date(2027, 2, 5), 2) == date(2027, 2, 9)


def test_overrides_beat_the_statute():
    cal = WorkdayCalendar({date(2026, 2, 14): False, date(2026, 2, 17): True})
    assert not cal.is_working_day(date(2026, 2, 14))
    assert cal.is_working_day(date(2026, 2, 17))
    assert cal.source(date(2026, 2, 17)) == "override"
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 17)


@pytest.mark.parametrize("d", [date(1, 1, 1), date(1999, 6, 1), date(2003, 12, 31), date(9999, 12, 31)])
def test_any_date_gets_an_answer(d):
    assert CAL.is_working_day(d) == (d.weekday() < 5)
    assert CAL.source(d) == "weekday-fallback"


def test_walking_off_the_end_of_time_is_a_clear_error():
    with pytest.raises(ValueError, match="outside the supported dates"):
        CAL.add_working_days(date(9999, 12, 30), 5)


# --- the step-by-step definition, held by a property test

def _reference_add(cal, d, n):
    """Obviously correct: list working days after (or before) d and take the Nth."""
    if n == 0:
        return d
    step = 1 if n > 0 else -1
    found = []
    offset = 0
    while len(found) < abs(n):
        offset += step
        candidate = d + timedelta(days=offset)
        if cal.is_working_day(candidate):
            found.append(candidate)
    return found[-1]


dates = st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 6, 30))


@settings(max_examples=150, deadline=None)
@given(d=dates, n=st.integers(min_value=-40, max_value=40),
       off=st.sets(dates, max_size=10), on=st.sets(dates, max_size=10))
def test_add_working_days_matches_the_reference(d, n, off, on):
    cal = WorkdayCalendar({**{x: False for x in off}, **{x: True for x in on}})
    result = cal.add_working_days(d, n)
    assert result == _reference_add(cal, d, n)
    if n:
        assert cal.is_working_day(result)
        assert cal.working_days_between(d, result) == n
