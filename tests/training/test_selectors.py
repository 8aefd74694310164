"""The batched path_statuses agrees with the one-enrolment reference path_status on varied progress."""

from __future__ import annotations

import datetime
import random

from tests.training.helpers import right_answers

from servicecoach.org.models import Role
from servicecoach.training import selectors, services
from servicecoach.training.models import Enrolment, ModuleTopic


def _shape(status):
    return [(c.course.pk, c.lessons, c.completed, c.due_on, c.locked, [m.pk for m in c.missing], c.done, c.percent)
            for c in status.courses], status.percent


def test_batched_statuses_equal_the_reference(make_person, course):
    rng = random.Random(6)
    second = services.course_create(actor=None, code="C-2", title="第二门")
    module = services.module_create(actor=None, course=second, title="工具", topic=ModuleTopic.TOOLS)
    second_lessons = [services.lesson_create(actor=None, module=module, title=f"课{i}", body="x", minutes=5)
                      for i in range(3)]
    empty = services.course_create(actor=None, code="C-EMPTY", title="空课程")
    paths = []
    for n in range(3):
        path = services.path_create(actor=None, code=f"P{n}", title=f"路径{n}", due_days=20 + n)
        services.path_course_add(actor=None, path=path, course=course.course, due_days=7 if n else None)
        services.path_course_add(actor=None, path=path, course=second, prerequisites=[course.course] if n != 1 else [])
        if n == 2:
            services.path_course_add(actor=None, path=path, course=empty, prerequisites=[second])
        paths.append(path)
    for _ in range(12):
        person = make_person(Role.AGENT)
        for path in rng.sample(paths, rng.randint(1, 3)):
            services.enrol(actor=None, person=person, path=path,
                           on=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 300)))
        if rng.random() < 0.6:
            services.quiz_submit(person=person, lesson=course.micro, answers=right_answers(course.micro))
        if rng.random() < 0.5:
            services.lesson_mark_read(person=person, lesson=course.plain)
        for lesson in second_lessons:
            if rng.random() < 0.5:
                services.lesson_mark_read(person=person, lesson=lesson)
    enrolments = list(Enrolment.objects.select_related("person", "path").order_by("pk"))
    assert len(enrolments) > 12
    batched = selectors.path_statuses(enrolments)
    assert [_shape(b) for b in batched] == [_shape(selectors.path_status(e)) for e in enrolments]
    assert any(c.locked for b in batched for c in b.courses) and any(c.done for b in batched for c in b.courses)
