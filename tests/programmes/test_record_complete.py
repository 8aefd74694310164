"""The training record is complete (issue #6 "Records"): courses, sessions, attendance day by day, lesson
quizzes, exams and mentoring, each with dates, on the page and in the Excel export, and still there after the
person leaves. Quizzes and courses come from the training app, exams from the exams app, through their own
services (read-only here)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from tests.programmes.exam_helpers import sat_exam

from servicecoach.org.models import PersonStatus
from servicecoach.programmes import selectors, services
from servicecoach.training import services as training


def _client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _history(people, session):
    """Two class days (present, then absent with a reason), a mentor with a 1:1 and a shadowing note, a course
    of two lessons (one read, one quiz passed, then failed once), an exam passed and released."""
    day1, day2 = selectors.session_days(session)
    services.attendance_record(actor=None, session=session, day=day1, marks={people.agent.pk: ("present", "")})
    services.attendance_record(actor=None, session=session, day=day2, marks={people.agent.pk: ("excused", "病假")})
    cert = services.certification_request(actor=None, person=people.mentor, criteria_met=list(services.MENTOR_CRITERIA))
    services.certification_decide(actor=people.manager.user, certification=cert, approve=True)
    assignment = services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.agent,
                                        start_date=date(2025, 9, 1), probation_end=date(2025, 12, 1))
    services.one_on_one_log(actor=people.mentor.user, assignment=assignment, met_on=date(2025, 9, 5),
                            questions="退款时效？", advice="查看流程", next_steps="复盘")
    services.shadowing_log(actor=people.mentor.user, assignment=assignment, observed_on=date(2025, 9, 8),
                           senior=people.agent2, observed="投诉处理", learned="先致歉")
    course = training.course_create(actor=None, code="CRS-1", title="退款流程")
    module = training.module_create(actor=None, course=course, title="基础", topic="process")
    read = training.lesson_create(actor=None, module=module, title="退款规则", body="<p>规则</p>", minutes=20)
    quizzed = training.lesson_create(actor=None, module=module, title="退款时效", body="<p>时效</p>", minutes=20)
    question = training.quiz_question_add(actor=None, lesson=quizzed, kind="single", text="退款几天到账？",
                                          choices=[("3 天", True), ("30 天", False)])
    right, wrong = (c.pk for c in question.choices.order_by("-correct"))
    training.lesson_mark_read(person=people.agent, lesson=read)
    training.quiz_submit(person=people.agent, lesson=quizzed, answers={question.pk: [wrong]})
    training.quiz_submit(person=people.agent, lesson=quizzed, answers={question.pk: [right]})
    exam = sat_exam({people.agent: {"投诉处理", "产品知识"}}, title="岗前理论考试")
    return course, exam


def test_record_lists_every_part_with_dates(people, session):
    course, exam = _history(people, session)
    record = selectors.training_record(people.agent)
    today = timezone.localdate()
    assert [(a.day, a.status, a.reason) for a in record["attendance"]] == [
        (d, s, r) for d, s, r in zip(selectors.session_days(session), ("present", "excused"), ("", "病假"), strict=True)]
    assert [(m["date"], m["kind"]) for m in record["mentoring_log"]] == [
        (date(2025, 9, 5), "meeting"), (date(2025, 9, 8), "shadowing")]
    (row,) = record["courses"]
    assert row["course"] == course and (row["completed"], row["lessons"]) == (2, 2)
    assert timezone.localdate(row["completed_at"]) == today and row["started_at"] <= row["completed_at"]
    assert [(q.quiz.lesson.title, q.passed) for q in record["quizzes"]] == [("退款时效", False), ("退款时效", True)]
    (taken,) = record["exams"]
    assert taken["attempt"].exam == exam and taken["percent"] == 100 and taken["passed"] is True


def test_record_page_and_export_show_them_and_outlive_the_person(people, session):
    _history(people, session)
    people.agent.status, people.agent.left_on = PersonStatus.LEFT, timezone.localdate()
    people.agent.save()
    page = _client(people.manager).get(reverse("programmes:record", args=[people.agent.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("CRS-1", "退款时效", "岗前理论考试", "2025-09-05", "2025-09-08", "病假", "record-courses"):
        assert text in html, text
    response = _client(people.manager).get(reverse("programmes:record-export", args=[people.agent.pk]))
    workbook = load_workbook(BytesIO(response.content))
    sheets = {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames}
    assert len(sheets) == 9
    attendance, log, courses, exams = (list(sheets.values())[i] for i in (1, 4, 5, 8))
    day1, day2 = selectors.session_days(session)
    assert [(r[1], r[4] or "") for r in attendance[1:]] == [(day1.isoformat(), ""), (day2.isoformat(), "病假")]
    assert [r[0] for r in log[1:]] == ["2025-09-05", "2025-09-08"] and log[2][3] == people.agent2.name
    assert courses[1][:5] == ("CRS-1", "退款流程", courses[1][2], 2, 2) and courses[1][6]
    assert exams[1][0] == "岗前理论考试" and exams[1][2] == 100 and exams[1][3]
