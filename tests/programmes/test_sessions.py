"""Classroom sessions: the 3-working-day notice rule (across a holiday and a make-up workday), the
training manager's override, the notice by e-mail and in-app, attendance, notes and daily feedback."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from servicecoach.org import calendar
from servicecoach.org.models import AuditEntry
from servicecoach.programmes import selectors, services
from servicecoach.programmes.models import Attendance, EquipmentCheck, Notice


def schedule(people, programme, start, end=None, *, actor=None, today, reason="", participants=None):
    return services.session_schedule(
        actor=actor or people.manager.user, programme=programme, title="话术培训", trainer=people.trainer,
        start_date=start, end_date=end or start, day_start=time(9), day_end=time(17, 30), venue="A301",
        capacity=10, participants=participants if participants is not None else [(people.agent, "new_hire")],
        override_reason=reason, today=today)


# National Day 2025: Oct 1–8 off; Sunday Sep 28 and Saturday Oct 11 are make-up workdays.
@pytest.mark.parametrize(("today", "too_soon", "earliest"), [
    # Friday Sep 26: Sun 28 (make-up) is the 1st working day, Mon 29 the 2nd, Tue 30 the 3rd.
    (date(2025, 9, 26), date(2025, 9, 29), date(2025, 9, 30)),
    # Tuesday Sep 30: the holiday counts for nothing; Oct 9, 10, then Saturday Oct 11 (make-up).
    (date(2025, 9, 30), date(2025, 10, 10), date(2025, 10, 11)),
])
def test_notice_rule_counts_working_days_across_holiday_and_make_up_day(people, programme, today, too_soon, earliest):
    assert selectors.earliest_start(today) == earliest
    with pytest.raises(ValidationError) as caught:
        schedule(people, programme, too_soon, today=today)
    assert earliest.isoformat() in caught.value.message_dict["start_date"][0]
    session = schedule(people, programme, earliest, today=today)
    assert session.pk and not session.notice_override_reason


def test_refused_session_leaves_nothing_behind(people, programme):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        schedule(people, programme, date(2025, 9, 29), today=date(2025, 9, 26))
    assert not programme.sessions.exists()
    assert AuditEntry.objects.count() == before


def test_training_manager_overrides_with_a_reason_recorded_and_audited(people, programme):
    session = schedule(people, programme, date(2025, 9, 29), today=date(2025, 9, 26), reason="客户投诉集中，紧急复训")
    assert session.notice_override_reason == "客户投诉集中，紧急复训"
    assert session.notice_override_by == people.manager.user
    entry = AuditEntry.objects.filter(object_type="programmes.classroomsession", object_id=str(session.pk)).get()
    assert entry.changes["notice_override_reason"] == "客户投诉集中，紧急复训"


def test_only_a_training_manager_may_override(people, programme):
    with pytest.raises(PermissionDenied):
        schedule(people, programme, date(2025, 9, 29), today=date(2025, 9, 26), reason="想早点开",
                 actor=people.trainer.user)


def test_a_calendar_override_moves_the_earliest_start(people, programme):
    from servicecoach.org.services import calendar_override_set
    # A company day off on Monday Sep 29 2025: after Friday 26 come Sun 28 (make-up), Tue 30, then the
    # National Day holiday, then Thu Oct 9.
    calendar_override_set(actor=None, date=date(2025, 9, 29), is_working_day=False, note="公司活动")
    assert selectors.earliest_start(date(2025, 9, 26)) == date(2025, 10, 9)
    with pytest.raises(ValidationError):
        schedule(people, programme, date(2025, 9, 30), today=date(2025, 9, 26))


def test_capacity_dates_and_times_are_checked(people, programme, session):
    start = session.start_date
    with pytest.raises(ValidationError) as caught:
        services.session_schedule(
            actor=people.manager.user, programme=programme, title="x", trainer=people.trainer, start_date=start,
            end_date=calendar.add_working_days(start, -1), day_start=time(17), day_end=time(9), venue="v",
            capacity=1, participants=[(people.agent, "new_hire"), (people.agent2, "new_hire")])
    assert set(caught.value.message_dict) == {"end_date", "day_end", "capacity"}


def test_new_session_has_an_unchecked_equipment_checklist(session):
    items = set(EquipmentCheck.objects.filter(session=session).values_list("item", "checked"))
    assert items == {("projector", False), ("microphones", False), ("tables", False), ("test_accounts", False),
                     ("network", False)}


def test_notice_goes_out_by_email_and_in_app_with_time_place_agenda_assessment_and_what_to_bring(
        people, session, django_capture_on_commit_callbacks):
    blocks = services.agenda_build(session=session, topics=[("服务流程", 120), ("系统操作", 200)])
    services.agenda_save(actor=people.trainer.user, session=session, blocks=blocks)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.session_send_notice(actor=people.manager.user, session=session)
    assert count == 3  # two participants and the trainer
    notice = Notice.objects.get(recipient=people.agent)
    for text in ("三楼培训室", "09:00", session.start_date.isoformat(), "服务流程", "第二天下午笔试", "笔记本电脑"):
        assert text in notice.body
    assert notice.read_at is None and notice.emailed
    assert sorted(m.to[0] for m in mail.outbox) == ["jia@example.com", "trainer@example.com"]
    assert mail.outbox[0].body == notice.body
    session.refresh_from_db()
    assert session.notice_sent_at is not None


def test_notice_past_its_deadline_is_refused_without_an_override(people, session):
    late = calendar.add_working_days(session.start_date, -2)
    with pytest.raises(ValidationError) as caught:
        services.session_send_notice(actor=people.manager.user, session=session, today=late)
    assert selectors.notice_deadline(session.start_date).isoformat() in caught.value.messages[0]
    assert not Notice.objects.exists()
    services.session_allow_short_notice(actor=people.manager.user, session=session, reason="讲师临时调整")
    assert services.session_send_notice(actor=people.manager.user, session=session, today=late) == 3


def test_update_moving_the_start_too_early_is_refused(people, session):
    today = calendar.add_working_days(session.start_date, -10)
    too_soon = calendar.add_working_days(today, 2)
    with pytest.raises(ValidationError):
        services.session_update(actor=people.manager.user, session=session, today=today, start_date=too_soon,
                                end_date=too_soon, participants=[(people.agent, "new_hire")])
    session.refresh_from_db()
    assert session.start_date != too_soon


def test_attendance_per_day_needs_a_reason_for_an_excused_absence(people, session):
    day1, day2 = selectors.session_days(session)
    with pytest.raises(ValidationError) as caught:
        services.attendance_record(actor=people.trainer.user, session=session, day=day1,
                                   marks={people.agent.pk: ("present", ""), people.agent2.pk: ("excused", "")})
    assert "新人乙" in caught.value.messages[0]
    assert not Attendance.objects.exists()
    services.attendance_record(actor=people.trainer.user, session=session, day=day1,
                               marks={people.agent.pk: ("present", ""), people.agent2.pk: ("excused", "病假")})
    services.attendance_record(actor=people.trainer.user, session=session, day=day2,
                               marks={people.agent.pk: ("late", "堵车"), people.agent2.pk: ("absent", "")})
    grid = selectors.attendance_grid(session)
    rates = {row["person"].name: row["rate"] for row in grid["rows"]}
    assert rates == {"新人甲": 100, "新人乙": 0}
    assert selectors.attendance_rate(people.agent2) == 0.0


def test_attendance_on_a_day_outside_the_session_or_for_a_stranger_is_refused(people, session):
    with pytest.raises(ValidationError):
        services.attendance_record(actor=None, session=session, day=date(2020, 1, 6),
                                   marks={people.agent.pk: ("present", "")})
    with pytest.raises(ValidationError):
        services.attendance_record(actor=None, session=session, day=session.start_date,
                                   marks={people.outsider.pk: ("present", "")})


def test_daily_feedback_once_per_day_and_its_summary(people, session):
    day1 = session.start_date
    services.feedback_submit(person=people.agent, session=session, day=day1, content_rating=4, pace_rating=2,
                             relevance_rating=3, comment="这个模块讲得太深", today=day1)
    services.feedback_submit(person=people.agent2, session=session, day=day1, content_rating=5, pace_rating=2,
                             relevance_rating=2, comment="案例和我们的工作不太贴近", today=day1)
    with pytest.raises(ValidationError):
        services.feedback_submit(person=people.agent, session=session, day=day1, content_rating=4, pace_rating=4,
                                 relevance_rating=4, today=day1)
    (summary,) = selectors.feedback_summary(session)
    assert summary["count"] == 2
    assert summary["averages"] == {"content_rating": 4.5, "pace_rating": 2.0, "relevance_rating": 2.5}
    assert summary["low"] == ["pace_rating", "relevance_rating"]
    assert summary["comments"] == ["这个模块讲得太深", "案例和我们的工作不太贴近"]


def test_feedback_on_a_future_day_or_by_a_non_participant_is_refused(people, session):
    with pytest.raises(ValidationError):
        services.feedback_submit(person=people.agent, session=session, day=session.start_date, content_rating=4,
                                 pace_rating=4, relevance_rating=4, today=calendar.add_working_days(session.start_date, -1))
    with pytest.raises(PermissionDenied):
        services.feedback_submit(person=people.outsider, session=session, day=session.start_date, content_rating=4,
                                 pace_rating=4, relevance_rating=4, today=session.start_date)


def test_participation_note_only_for_participants(people, session):
    note = services.participation_note_add(actor=people.trainer.user, session=session, person=people.agent,
                                           day=session.start_date, times_spoken=3, note="角色扮演表现好")
    assert note.times_spoken == 3
    with pytest.raises(ValidationError):
        services.participation_note_add(actor=people.trainer.user, session=session, person=people.outsider,
                                        day=session.start_date, times_spoken=1, note="x")


def test_agenda_save_refuses_a_broken_agenda_and_keeps_the_old_one(people, session):
    good = services.agenda_build(session=session, topics=[("A", 60)])
    services.agenda_save(actor=None, session=session, blocks=good)
    from servicecoach.programmes.agenda import AgendaError, Block
    with pytest.raises(AgendaError):
        services.agenda_save(actor=None, session=session, blocks=[Block(0, 540, 700, "teaching", "x")])
    assert session.agenda.count() == len(good)


def test_cancelling_tells_the_participants(people, session):
    services.session_cancel(actor=people.manager.user, session=session, reason="讲师生病")
    assert Notice.objects.filter(recipient=people.agent, subject__contains=session.title).exists()
    with pytest.raises(ValidationError):
        services.session_send_notice(actor=people.manager.user, session=session)
