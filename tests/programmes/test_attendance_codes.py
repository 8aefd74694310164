"""Signing in with the day's code: on time or late, an earlier day's code expired, a second sign-in refused."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicecoach.programmes import selectors, services
from servicecoach.programmes.models import Attendance


def at(day, hour, minute):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_codes_differ_per_day_and_are_stable(session):
    day1, day2 = selectors.session_days(session)
    code1 = services.attendance_code_for(session=session, day=day1)
    assert services.attendance_code_for(session=session, day=day1).code == code1.code
    assert len(code1.code) == 6 and code1.code.isdigit()
    code2 = services.attendance_code_for(session=session, day=day2)
    assert code2.day == day2
    with pytest.raises(ValidationError):
        services.attendance_code_for(session=session, day=selectors.notice_deadline(session.start_date))


def test_sign_in_on_time_then_a_second_time_is_refused(people, session):
    day1 = session.start_date
    code = services.attendance_code_for(session=session, day=day1).code
    mark = services.attendance_sign_in(person=people.agent, session=session, code=code, now=at(day1, 9, 8))
    assert mark.status == "present" and mark.signed_in_at is not None
    with pytest.raises(ValidationError) as caught:
        services.attendance_sign_in(person=people.agent, session=session, code=code, now=at(day1, 9, 20))
    assert caught.value.message_dict["code"]
    assert Attendance.objects.filter(person=people.agent).count() == 1


def test_late_after_ten_minutes(people, session):
    day1 = session.start_date
    code = services.attendance_code_for(session=session, day=day1).code
    assert services.attendance_sign_in(person=people.agent2, session=session, code=code,
                                       now=at(day1, 9, 11)).status == "late"


def test_yesterdays_code_has_expired_and_a_wrong_code_is_refused(people, session):
    day1, day2 = selectors.session_days(session)
    old = services.attendance_code_for(session=session, day=day1).code
    new = services.attendance_code_for(session=session, day=day2).code
    if old == new:  # one chance in a million: the two days drew the same digits
        pytest.skip("same code drawn for both days")
    with pytest.raises(ValidationError) as caught:
        services.attendance_sign_in(person=people.agent, session=session, code=old, now=at(day2, 9, 0))
    assert "过期" in caught.value.message_dict["code"][0] or "expired" in caught.value.message_dict["code"][0]
    with pytest.raises(ValidationError):
        services.attendance_sign_in(person=people.agent, session=session, code="000000x", now=at(day2, 9, 0))
    assert not Attendance.objects.exists()


def test_only_participants_sign_in_and_only_on_session_days(people, session):
    code = services.attendance_code_for(session=session, day=session.start_date).code
    with pytest.raises(PermissionDenied):
        services.attendance_sign_in(person=people.outsider, session=session, code=code,
                                    now=at(session.start_date, 9, 0))
    with pytest.raises(ValidationError):
        services.attendance_sign_in(person=people.agent, session=session, code=code,
                                    now=at(selectors.notice_deadline(session.start_date), 9, 0))


def test_trainer_can_correct_a_signed_in_mark(people, session):
    day1 = session.start_date
    code = services.attendance_code_for(session=session, day=day1).code
    services.attendance_sign_in(person=people.agent, session=session, code=code, now=at(day1, 9, 30))
    services.attendance_record(actor=people.trainer.user, session=session, day=day1,
                               marks={people.agent.pk: ("present", "签到系统故障，实际准时")})
    mark = Attendance.objects.get(person=people.agent)
    assert mark.status == "present" and mark.signed_in_at is not None


def test_sign_in_page_today(people, session):
    from servicecoach.programmes.models import ClassroomSession
    today = timezone.localdate()
    ClassroomSession.objects.filter(pk=session.pk).update(start_date=today, end_date=today)
    session.refresh_from_db()
    trainer = Client()
    trainer.force_login(people.trainer.user)
    page = trainer.get(reverse("programmes:session-code", args=[session.pk]))
    if not selectors.session_days(session):  # today is a day off: no class, no code
        assert page.context["code"] is None
        return
    code = page.context["code"].code
    agent = Client()
    agent.force_login(people.agent.user)
    response = agent.post(reverse("programmes:session-sign-in", args=[session.pk]), {"code": code})
    assert response.status_code == 302 and Attendance.objects.get(person=people.agent).signed_in_at
    response = agent.post(reverse("programmes:session-sign-in", args=[session.pk]), {"code": code})
    assert response.status_code == 200 and response.context["form"].errors["code"]
