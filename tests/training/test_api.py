"""The training API: scoped courses and enrolments, the learner's own view."""

from __future__ import annotations

import datetime

from rest_framework.test import APIClient
from tests.training.helpers import right_answers

from servicecoach.org.models import Role
from servicecoach.training import services


def api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def _results(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def test_courses_are_scoped_and_carry_their_lessons(make_person, course):
    draft = services.course_create(actor=None, code="C-DRAFT", title="草稿课")
    agent, trainer = make_person(Role.AGENT), make_person(Role.TRAINER)
    path = services.path_create(actor=None, code="P", title="路径")
    services.path_course_add(actor=None, path=path, course=course.course)
    services.enrol(actor=None, person=agent, path=path)
    assert [c["code"] for c in _results(api(trainer).get("/api/v1/training/courses/"))] == ["C-DRAFT", "C-ETQ"]
    listed = _results(api(agent).get("/api/v1/training/courses/"))
    assert [c["code"] for c in listed] == ["C-ETQ"]
    lessons = listed[0]["modules"][0]["lessons"]
    assert [(lesson["title"], lesson["has_quiz"]) for lesson in lessons] == [("开场白", True), ("结束语", False)]
    assert api(agent).get(f"/api/v1/training/courses/{draft.pk}/").status_code == 404


def test_enrolments_follow_the_learners_scope(org, make_person, course):
    supervisor = make_person(Role.SUPERVISOR, unit=org.pre, scope=org.pre)
    mine, theirs = make_person(Role.AGENT, unit=org.pre), make_person(Role.AGENT, unit=org.aft)
    path = services.path_create(actor=None, code="P", title="路径", due_days=5)
    services.path_course_add(actor=None, path=path, course=course.course)
    services.enrol(actor=None, person=mine, path=path, on=datetime.date.today() - datetime.timedelta(days=10))
    services.enrol(actor=None, person=theirs, path=path)
    rows = _results(api(supervisor).get("/api/v1/training/enrolments/"))
    assert [(r["person"], r["overdue"]) for r in rows] == [(mine.pk, True)]
    assert [r["person"] for r in _results(api(theirs).get("/api/v1/training/enrolments/"))] == [theirs.pk]
    trainer = make_person(Role.TRAINER, unit=org.trn)
    overdue = _results(api(trainer).get("/api/v1/training/enrolments/?overdue=true"))
    assert [r["person"] for r in overdue] == [mine.pk]
    response = api(trainer).get("/api/v1/training/enrolments/?person=abc")
    assert response.status_code == 400 and "person" in response.json()


def test_my_learning_reports_progress_and_next_lesson(make_person, course):
    agent = make_person(Role.AGENT)
    path = services.path_create(actor=None, code="P", title="路径")
    services.path_course_add(actor=None, path=path, course=course.course)
    services.enrol(actor=None, person=agent, path=path)
    services.quiz_submit(person=agent, lesson=course.micro, answers=right_answers(course.micro))
    data = api(agent).get("/api/v1/training/my-learning/").json()
    assert data["paths"][0]["percent"] == 50
    assert data["paths"][0]["courses"][0]["completed"] == 1
    assert data["next_lesson"]["title"] == "结束语"
