"""The working-day calendar for the rest of the app: the statutory calendar (``org.workdays``)
under the administrator's ``CalendarOverride`` rows.

    from servicecoach.org import calendar
    calendar.is_working_day(d)
    calendar.add_working_days(d, 3)
    calendar.calendar_status(d)   # {"working": ..., "source": ..., "fallback": ..., "holiday": ...}

For many dates at once take the calendar object once: ``cal = calendar.get_calendar()``.

Caching: the override rows are loaded once per process and reused while the table's fingerprint
(row count and highest id) stays the same; one cheap aggregate query checks it on each
``get_calendar()`` call, so a change made by another process (another gunicorn worker) is seen
at once. The services in ``org.services`` also drop the cache of their own process on every change,
and replace a changed row rather than update it, so that the fingerprint always moves.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from servicecoach.org.models import CalendarOverride
from servicecoach.org.workdays import WorkdayCalendar, statutory_holiday_name

# chinesecalendar names holidays in English; the interface shows them in its own language.
HOLIDAY_LABELS = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "National Day": _("National Day"),
    "Anti-Fascist 70th Day": _("Anti-Fascist 70th Day"),
}

_lock = threading.Lock()
_cached: tuple[tuple[int, int | None], WorkdayCalendar] | None = None


def _fingerprint() -> tuple[int, int | None]:
    row = CalendarOverride.objects.aggregate(n=Count("id"), last=Max("id"))
    return row["n"], row["last"]


def calendar_invalidate() -> None:
    """Forget the cached overrides of this process (the services call it on every change)."""
    global _cached
    with _lock:
        _cached = None


def get_calendar() -> WorkdayCalendar:
    """The current calendar: statute plus overrides."""
    global _cached
    fingerprint = _fingerprint()
    cached = _cached
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    overrides = dict(CalendarOverride.objects.values_list("date", "is_working_day"))
    calendar = WorkdayCalendar(overrides)
    with _lock:
        _cached = (fingerprint, calendar)
    return calendar


def is_working_day(d: date) -> bool:
    return get_calendar().is_working_day(d)


def add_working_days(d: date, n: int) -> date:
    """The Nth working day after ``d`` (``d`` itself does not count; N < 0 counts backwards)."""
    return get_calendar().add_working_days(d, n)


def working_days_between(a: date, b: date) -> int:
    return get_calendar().working_days_between(a, b)


def calendar_status(d: date) -> dict[str, Any]:
    """What the UI needs to say about one date.

    ``fallback`` is True when neither an override nor the statutory calendar knows the date and
    Monday–Friday was assumed: the UI then says "this date is outside the statutory calendar"."""
    calendar = get_calendar()
    source = calendar.source(d)
    return {
        "date": d,
        "working": calendar.is_working_day(d),
        "source": source,
        "fallback": source == "weekday-fallback",
        "holiday": holiday_label(d) if source == "statutory" else None,
        "note": _override_note(d) if source == "override" else "",
    }


def holiday_label(d: date) -> str | None:
    """The statutory holiday a date belongs to (a make-up workday names its holiday too), translated."""
    name = statutory_holiday_name(d)
    return str(HOLIDAY_LABELS.get(name, name)) if name else None


def unusual_days(start: date, days: int) -> list[dict[str, Any]]:
    """Dates from ``start`` on, for ``days`` days, that break the Monday–Friday pattern: weekday
    holidays and weekend working days (make-up workdays, overrides), each with its reason."""
    calendar = get_calendar()
    unusual = []
    for offset in range(days):
        d = date.fromordinal(start.toordinal() + offset)
        working = calendar.is_working_day(d)
        if working == (d.weekday() < 5):
            continue
        source = calendar.source(d)
        unusual.append({
            "date": d,
            "working": working,
            "source": source,
            "reason": _override_note(d) if source == "override" else holiday_label(d) or "",
        })
    return unusual


def _override_note(d: date) -> str:
    return CalendarOverride.objects.filter(date=d).values_list("note", flat=True).first() or ""


def calendar_override_list(*, year: int | None = None):
    overrides = CalendarOverride.objects.all()
    if year is not None:
        overrides = overrides.filter(date__year=year)
    return overrides.order_by("date")
