"""The calendar service: overrides from the database above the statute, status for the UI, audit."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from servicecoach.org import calendar, services
from servicecoach.org.models import AuditAction, AuditEntry, CalendarOverride
from servicecoach.org.workdays import statutory_covers

pytestmark = pytest.mark.django_db


def test_statutory_dates_without_overrides():
    assert calendar.is_working_day(date(2026, 2, 14))  # make-up Saturday
    assert not calendar.is_working_day(date(2026, 2, 17))  # Spring Festival
    assert calendar.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    with translation.override("en"):
        status = calendar.calendar_status(date(2026, 2, 17))
    assert status["working"] is False
    assert status["source"] == "statutory"
    assert status["fallback"] is False
    assert status["holiday"] == "Spring Festival"


def test_holiday_names_follow_the_interface_language():
    with translation.override("zh-hans"):
        assert calendar.calendar_status(date(2026, 2, 17))["holiday"] == "春节"
        assert calendar.calendar_status(date(2026, 10, 10))["holiday"] == "国庆节"  # make-up Saturday
    with translation.override("en"):
        assert calendar.calendar_status(date(2026, 10, 1))["holiday"] == "National Day"


def test_status_says_when_monday_to_friday_is_assumed():
    d = date(2027, 3, 3) if not statutory_covers(2027) else date(2099, 3, 4)
    status = calendar.calendar_status(d)
    assert status == {"date": d, "working": True, "source": "weekday-fallback", "fallback": True,
                      "holiday": None, "note": ""}


def test_override_set_is_seen_at_once_and_audited(admin_user):
    holiday = date(2027, 2, 8)  # a Monday
    assert calendar.is_working_day(holiday)  # fallback (or statute): a Monday works
    services.calendar_override_set(actor=admin_user, date=holiday, is_working_day=False, note="公司春节假期")
    assert not calendar.is_working_day(holiday)
    status = calendar.calendar_status(holiday)
    assert status["source"] == "override" and status["fallback"] is False and status["note"] == "公司春节假期"
    entry = AuditEntry.objects.filter(object_type="org.calendaroverride").first()
    assert entry.action == AuditAction.CREATE and entry.actor == admin_user
    assert entry.changes == {"date": "2027-02-08", "is_working_day": False, "note": "公司春节假期"}


def test_override_change_and_delete(admin_user):
    d = date(2026, 2, 17)
    services.calendar_override_set(actor=admin_user, date=d, is_working_day=True, note="值班")
    assert calendar.is_working_day(d)
    services.calendar_override_set(actor=admin_user, date=d, is_working_day=False, note="值班取消")
    assert not calendar.is_working_day(d)
    assert CalendarOverride.objects.count() == 1
    update = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_type="org.calendaroverride").get()
    assert update.changes == {"is_working_day": [True, False], "note": ["值班", "值班取消"]}
    # setting the same again changes nothing and writes nothing
    before = AuditEntry.objects.count()
    services.calendar_override_set(actor=admin_user, date=d, is_working_day=False, note="值班取消")
    assert AuditEntry.objects.count() == before

    assert services.calendar_override_delete(actor=admin_user, date=d) is True
    assert calendar.calendar_status(d)["source"] == "statutory"
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_type="org.calendaroverride").exists()
    assert services.calendar_override_delete(actor=admin_user, date=d) is False


def test_a_change_made_elsewhere_is_seen_without_invalidation():
    """Another worker process writes the table: this process's cache notices by the fingerprint."""
    d = date(2027, 5, 3)
    first = calendar.get_calendar()
    assert first.is_working_day(d) or statutory_covers(2027)
    CalendarOverride.objects.create(date=d, is_working_day=False)  # bypasses the services' invalidation
    assert calendar.get_calendar() is not first
    assert not calendar.is_working_day(d)


def test_the_calendar_is_reused_while_nothing_changes(django_assert_num_queries):
    calendar.get_calendar()
    with django_assert_num_queries(1):  # the fingerprint only
        cal = calendar.get_calendar()
        cal.add_working_days(date(2026, 1, 1), 200)


def test_add_working_days_across_a_2027_company_holiday(admin_user):
    for day in (8, 9, 10):  # Mon–Wed
        services.calendar_override_set(actor=admin_user, date=date(2027, 2, day), is_working_day=False)
    services.calendar_override_set(actor=admin_user, date=date(2027, 2, 6), is_working_day=True)  # Saturday
    if not statutory_covers(2027):
        assert calendar.add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 6)
        assert calendar.add_working_days(date(2027, 2, 5), 2) == date(2027, 2, 11)
        assert calendar.working_days_between(date(2027, 2, 5), date(2027, 2, 12)) == 3


def test_invalid_override_is_refused_with_the_field(admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.calendar_override_set(actor=admin_user, date=date(2027, 1, 1), is_working_day=False,
                                       note="x" * 300)
    assert "note" in caught.value.message_dict
