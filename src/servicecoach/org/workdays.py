"""The working-day calendar as plain Python (no Django): China's statutory holidays and make-up
workdays (调休) from the ``chinesecalendar`` package, below an administrator's overrides.

Precedence for one date:
1. an override (a company holiday, an extra working day, a year the package does not cover yet);
2. the statutory calendar, for the years the package covers (2004–2026 in chinesecalendar 1.11);
3. Monday–Friday, for any other date ("weekday-fallback"), so that no date ever raises.

"N working days after D": D itself does not count; the result is the Nth working day strictly
after D (so ``add_working_days(friday, 1)`` is the next Monday in an ordinary week). A negative N
counts backwards the same way (the Nth working day strictly before D). N == 0 returns D unchanged,
whether or not D is a working day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Literal

import chinese_calendar

Source = Literal["override", "statutory", "weekday-fallback"]

ONE_DAY = timedelta(days=1)

# Years the installed chinesecalendar knows, probed once per process (it raises NotImplementedError
# for the others; an exception per call would make long ``add_working_days`` walks slow).
_COVERED_YEARS: dict[int, bool] = {}


def statutory_covers(year: int) -> bool:
    """Whether the chinesecalendar package has the holidays and make-up days of ``year``."""
    covered = _COVERED_YEARS.get(year)
    if covered is None:
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
            covered = True
        except NotImplementedError:
            covered = False
        _COVERED_YEARS[year] = covered
    return covered


# The package's answers, remembered: each call scans its whole holiday table (~50 µs), and only
# covered years get here, so this holds at most a few thousand dates.
_STATUTORY: dict[date, bool | None] = {}


def statutory_is_working_day(d: date) -> bool | None:
    """The statute's answer for ``d``, or None when the package does not cover its year."""
    if not statutory_covers(d.year):
        return None
    return _STATUTORY[d] if d in _STATUTORY else _statutory_lookup(d)


def _statutory_lookup(d: date) -> bool | None:
    try:
        answer: bool | None = bool(chinese_calendar.is_workday(d))
    except NotImplementedError:  # a package whose coverage ends mid-year
        answer = None
    _STATUTORY[d] = answer
    return answer


def statutory_holiday_name(d: date) -> str | None:
    """English name of the holiday a date belongs to (a make-up workday names its holiday too)."""
    if not statutory_covers(d.year):
        return None
    try:
        return chinese_calendar.get_holiday_detail(d)[1]
    except NotImplementedError:
        return None


class WorkdayCalendar:
    """Answers working-day questions for any ``date``; never raises for a date in range."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides: dict[date, bool] = dict(overrides or {})

    def covered(self, d: date) -> bool:
        """True when the statutory calendar knows ``d``'s year (overrides aside)."""
        return statutory_covers(d.year)

    def source(self, d: date) -> Source:
        if d in self.overrides:
            return "override"
        if self.covered(d):
            return "statutory"
        return "weekday-fallback"

    def is_working_day(self, d: date) -> bool:
        override = self.overrides.get(d)
        if override is not None:
            return override
        statutory = statutory_is_working_day(d)
        if statutory is not None:
            return statutory
        return d.weekday() < 5

    def add_working_days(self, d: date, n: int) -> date:
        """The Nth working day after ``d`` (before it when N < 0); ``d`` itself never counts.

        Raises ValueError only when the answer would fall outside the dates Python can represent."""
        step = ONE_DAY if n > 0 else -ONE_DAY
        remaining = abs(n)
        current = d
        try:
            while remaining:
                current += step
                if self.is_working_day(current):
                    remaining -= 1
        except OverflowError:
            raise ValueError(f"{n} working days from {d.isoformat()} is outside the supported dates") from None
        return current

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days ``add_working_days`` steps over going from ``a`` to ``b``.

        For b >= a: the working days d with a < d <= b. For b < a: minus the working days d with
        b <= d < a. So ``add_working_days(a, working_days_between(a, b)) == b`` whenever ``b`` is a
        working day (or equals ``a``)."""
        if a == b:
            return 0
        if b > a:
            return len(self.working_days_in(a + ONE_DAY, b))
        return -len(self.working_days_in(b, a - ONE_DAY))

    def working_days_in(self, start: date, end: date) -> list[date]:
        """Working days from ``start`` to ``end``, both included."""
        days = []
        current = start
        while current <= end:
            if self.is_working_day(current):
                days.append(current)
            if current == date.max:
                break
            current += ONE_DAY
        return days
