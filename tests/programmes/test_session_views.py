"""Session pages: scheduling through the form (refused, overridden), scope, materials, attendance,
feedback and notices as each person sees them."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicecoach.org import calendar
from servicecoach.programmes import services
from servicecoach.programmes.models import Attendance, ClassroomSession, DailyFeedback, Notice
from servicecoach.programmes.selectors import session_days


def _client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _form(people, start, **extra):
    data = {"title": "投诉处理培训", "trainer": people.trainer.pk, "start_date": start.isoformat(),
            "end_date": start.isoformat(), "day_start": "09:00", "day_end": "17:30", "venue": "A301",
            "capacity": "10", "new_hires": [people.agent.pk], "retrainees": [people.agent2.pk]}
    data.update(extra)
    return data


def test_schedule_form_refuses_two_working_days_and_accepts_three(people, programme):
    client = _client(people.manager)
    url = reverse("programmes:session-create", args=[programme.pk])
    today = timezone.localdate()
    response = client.post(url, _form(people, calendar.add_working_days(today, 2)))
    assert response.status_code == 200
    assert "start_date" in response.context["form"].errors
    assert not ClassroomSession.objects.exists()
    response = client.post(url, _form(people, calendar.add_working_days(today, 3)))
    session = ClassroomSession.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("programmes:session-detail",
                                                                           args=[session.pk])
    assert {(e.person_id, e.kind) for e in session.enrolments.all()} == {(people.agent.pk, "new_hire"),
                                                                         (people.agent2.pk, "retrainee")}


def test_schedule_form_with_a_reason_overrides(people, programme):
    start = calendar.add_working_days(timezone.localdate(), 1)
    response = _client(people.manager).post(reverse("programmes:session-create", args=[programme.pk]),
                                             _form(people, start, override_reason="紧急上线新政策"))
    assert response.status_code == 302
    assert ClassroomSession.objects.get().notice_override_reason == "紧急上线新政策"


def test_participant_lists_stay_within_scope(people, session, make_person, org):
    outsider = make_person(unit=org.aft, name="外组学员")
    services.session_update(actor=people.manager.user, session=session,
                            participants=[(people.agent, "new_hire"), (outsider, "new_hire")])
    agent_page = _client(people.agent).get(reverse("programmes:session-detail", args=[session.pk]))
    assert [e.person for e in agent_page.context["enrolments"]] == [people.agent]
    supervisor_page = _client(people.supervisor).get(reverse("programmes:programme-detail",
                                                             args=[session.programme_id]))
    assert outsider not in supervisor_page.context["participants"]
    trainer_page = _client(people.trainer).get(reverse("programmes:session-detail", args=[session.pk]))
    assert {e.person for e in trainer_page.context["enrolments"]} == {people.agent, outsider}


def test_session_scope(people, session):
    url = reverse("programmes:session-detail", args=[session.pk])
    assert _client(people.agent).get(url).status_code == 200
    assert _client(people.supervisor).get(url).status_code == 200  # the agents are in the supervisor's team
    assert _client(people.trainer).get(url).status_code == 200
    assert _client(people.outsider).get(url).status_code == 404
    assert _client(people.mentor).get(url).status_code == 404
    assert _client(people.agent).get(reverse("programmes:session-attendance", args=[session.pk])).status_code == 403


def test_materials_are_served_to_participants_and_staff_only(people, session):
    client = _client(people.trainer)
    upload = SimpleUploadedFile("流程手册.pdf", b"%PDF-1.4 handbook", content_type="application/pdf")
    client.post(reverse("programmes:material-upload", args=[session.pk]), {"title": "流程手册", "file": upload})
    material = session.materials.get()
    url = reverse("programmes:material-download", args=[session.pk, material.pk])
    response = _client(people.agent).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 handbook"
    assert _client(people.supervisor).get(url).status_code == 404  # sees the session, not its materials
    assert _client(people.outsider).get(url).status_code == 404


def test_trainer_records_attendance_through_the_page(people, session):
    day = session.start_date
    response = _client(people.trainer).post(reverse("programmes:session-attendance", args=[session.pk]), {
        "day": day.isoformat(), f"status_{people.agent.pk}": "present", f"status_{people.agent2.pk}": "excused",
        f"reason_{people.agent2.pk}": ""})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Attendance.objects.exists()
    response = _client(people.trainer).post(reverse("programmes:session-attendance", args=[session.pk]), {
        "day": day.isoformat(), f"status_{people.agent.pk}": "present", f"status_{people.agent2.pk}": "excused",
        f"reason_{people.agent2.pk}": "年假"})
    assert response.status_code == 302
    assert Attendance.objects.get(person=people.agent2).reason == "年假"


def test_equipment_is_checked_off_with_htmx(people, session):
    check = session.equipment.get(item="projector")
    response = _client(people.trainer).post(reverse("programmes:equipment-toggle", args=[session.pk, check.pk]),
                                            HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "✓" in response.content.decode()
    check.refresh_from_db()
    assert check.checked
    assert _client(people.agent).post(
        reverse("programmes:equipment-toggle", args=[session.pk, check.pk])).status_code == 403


def test_agenda_page_builds_and_reports_bad_lines(people, session):
    client = _client(people.trainer)
    url = reverse("programmes:session-agenda", args=[session.pk])
    response = client.post(url, {"action": "build", "build-topics": "服务流程 | 120\n系统操作 | 90"})
    assert response.status_code == 302 and session.agenda.filter(kind="teaching").count() == 4
    response = client.post(url, {"action": "edit", "edit-text": f"{session.start_date}\n09:00-11:00 teaching 太长\n"})
    errors = " ".join(response.context["text_form"].non_field_errors())
    assert response.status_code == 200 and "120" in errors
    assert session.agenda.filter(kind="teaching").count() == 4


def test_participant_gives_feedback_and_trainer_sees_the_summary(people, session):
    day = session.start_date
    today = timezone.localdate()
    if day > today:  # feedback is for days that have happened: move the session into the past for this test
        ClassroomSession.objects.filter(pk=session.pk).update(start_date=today - timedelta(days=14), end_date=today)
        session.refresh_from_db()
    day = session_days(session)[0]
    response = _client(people.agent).post(reverse("programmes:session-feedback", args=[session.pk]), {
        "day": day.isoformat(), "content_rating": "4", "pace_rating": "2", "relevance_rating": "3",
        "comment": "节奏太快"})
    assert response.status_code == 302
    assert DailyFeedback.objects.get().comment == "节奏太快"
    response = _client(people.trainer).get(reverse("programmes:session-feedback-summary", args=[session.pk]))
    assert "节奏太快" in response.content.decode()
    assert _client(people.supervisor).get(reverse("programmes:session-feedback", args=[session.pk])).status_code == 403


def test_notices_are_personal_and_marked_read_when_opened(people, session):
    services.session_send_notice(actor=people.manager.user, session=session)
    mine = Notice.objects.get(recipient=people.agent)
    home = _client(people.agent).get(reverse("home")).content.decode()
    assert mine.subject in home
    assert _client(people.agent2).get(reverse("programmes:notice-detail", args=[mine.pk])).status_code == 404
    response = _client(people.agent).get(reverse("programmes:notice-detail", args=[mine.pk]))
    assert response.status_code == 200 and "三楼培训室" in response.content.decode()
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_agenda_topics_can_come_from_a_courses_modules(people, session):
    from servicecoach.training import services as training

    course = training.course_create(actor=None, code="CS-101", title="客服入门")
    process = training.module_create(actor=None, course=course, title="服务流程", topic="process")
    training.lesson_create(actor=None, module=process, title="接待流程", body="<p>x</p>", minutes=45)
    training.lesson_create(actor=None, module=process, title="售后流程", body="<p>x</p>", minutes=60)
    tools = training.module_create(actor=None, course=course, title="工单系统", topic="tools")
    training.lesson_create(actor=None, module=tools, title="建单", body="<p>x</p>", minutes=30)
    training.course_set_published(actor=None, course=course, published=True)
    response = _client(people.trainer).get(reverse("programmes:session-agenda", args=[session.pk]),
                                           {"course": course.pk})
    assert response.context["topics_form"].initial["topics"] == "服务流程 | 105\n工单系统 | 30"


def test_a_material_of_an_unknown_kind_is_refused_by_name(people, session):
    upload = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream")
    response = _client(people.trainer).post(reverse("programmes:material-upload", args=[session.pk]),
                                            {"title": "x", "file": upload}, follow=True)
    assert not session.materials.exists()
    assert "exe" in " ".join(str(m) for m in response.context["messages"])


def test_session_participants_join_the_programme(people, programme, session, make_person):
    newcomer = make_person(name="新来的")
    services.session_update(actor=people.manager.user, session=session,
                            participants=[(people.agent, "new_hire"), (newcomer, "retrainee")])
    assert newcomer in programme.participants.all()


def test_trainer_home_lists_their_coming_sessions_and_the_latest_feedback(people, session):
    from servicecoach.programmes.selectors import home_trainer_sessions

    today = timezone.localdate()
    ClassroomSession.objects.filter(pk=session.pk).update(start_date=today - timedelta(days=14),
                                                          end_date=today + timedelta(days=3))
    session.refresh_from_db()
    held = [d for d in session_days(session) if d <= today]
    services.feedback_submit(person=people.agent, session=session, day=held[-1], content_rating=2, pace_rating=2,
                             relevance_rating=2, comment="太难", today=today)
    (row,) = home_trainer_sessions(people.trainer.user)["rows"]
    assert row["running"] and row["latest_feedback"]["day"] == held[-1] and row["latest_feedback"]["low"]
    html = _client(people.trainer).get(reverse("home")).content.decode()
    assert 'id="panel-programmes_trainer_sessions"' in html and session.title in html
    assert home_trainer_sessions(people.agent.user)["rows"] == []


def test_session_list_can_hide_past_sessions(people, session):
    today = timezone.localdate()
    past = services.session_schedule(
        actor=people.manager.user, programme=session.programme, title="上个月的培训班", trainer=people.trainer,
        start_date=calendar.add_working_days(today, -30), end_date=calendar.add_working_days(today, -30),
        day_start=session.day_start,
        day_end=session.day_end, venue="A", capacity=5, participants=[(people.agent, "new_hire")],
        today=today - timedelta(days=60))
    client = _client(people.agent)
    assert set(client.get(reverse("programmes:session-list")).context["sessions"]) == {session, past}
    assert list(client.get(reverse("programmes:session-list"), {"upcoming": "1"}).context["sessions"]) == [session]
