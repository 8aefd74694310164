"""The managers' learning report on a large organisation: batched progress (selectors.path_statuses) against
the one-enrolment reference (selectors.path_status), and the report page and its Excel export as a training
manager and a supervisor sees them.

    .venv/bin/python benchmarks/training_report.py [--people 2000] [--repeat 3]

Runs in a throw-away database (never the project's var/). Figures go to docs/benchmarks.md ("Training").
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
import time

import _common


def build(people: int):
    from django.db import connection

    from servicecoach.org.models import Role
    from servicecoach.training import services
    from servicecoach.training.models import (
        Enrolment,
        Lesson,
        LessonProgress,
        ModuleTopic,
        ProgressStatus,
        QuestionKind,
        QuizAttempt,
    )

    departments, teams, staff = _common.build_large_org(people)
    courses = []
    for c in range(4):
        course = services.course_create(actor=None, code=f"C{c}", title=f"课程{c}")
        for m in range(3):
            module = services.module_create(actor=None, course=course, title=f"模块{m}", topic=ModuleTopic.PROCESS)
            for n in range(4):
                lesson = services.lesson_create(actor=None, module=module, title=f"课时{m}.{n}", body="x",
                                                minutes=15, is_micro=True)
                services.quiz_question_add(actor=None, lesson=lesson, kind=QuestionKind.TRUE_FALSE, text="?",
                                           choices=[("", True)])
        services.course_set_published(actor=None, course=course, published=True)
        courses.append(course)
    path = services.path_create(actor=None, code="P", title="路径", role=Role.AGENT, due_days=60)
    for i, course in enumerate(courses):
        services.path_course_add(actor=None, path=path, course=course, prerequisites=courses[:i][-1:],
                                 due_days=15 * (i + 1))
    rng = random.Random(2026)
    today = datetime.date.today()
    Enrolment.objects.bulk_create([
        Enrolment(person=p, path=path, source="unit", enrolled_on=today - datetime.timedelta(days=rng.randint(0, 90)),
                  due_on=today + datetime.timedelta(days=rng.randint(-30, 60))) for p in staff])
    lessons = list(Lesson.objects.order_by("module__course__code", "module__position", "position"))
    quizzes = {lesson.pk: lesson.quiz for lesson in Lesson.objects.select_related("quiz")}
    progress, attempts = [], []
    for person in staff:
        for lesson in lessons[:rng.randint(0, len(lessons))]:
            progress.append(LessonProgress(person=person, lesson=lesson, status=ProgressStatus.COMPLETED,
                                           completed_version=1))
            attempts.append(QuizAttempt(person=person, quiz=quizzes[lesson.pk], lesson_version=1, answers={},
                                        score=100, passed=True))
            if rng.random() < 0.2:
                attempts.append(QuizAttempt(person=person, quiz=quizzes[lesson.pk], lesson_version=1, answers={},
                                            score=0, passed=False))
    LessonProgress.objects.bulk_create(progress, batch_size=5000)
    QuizAttempt.objects.bulk_create(attempts, batch_size=5000)
    connection.close()
    return departments, teams, staff, len(progress), len(attempts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = _common.django_in_temp_dir("sc-training-bench-")
    try:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from servicecoach.org.models import Person, Role
        from servicecoach.training import selectors
        from servicecoach.training.models import Enrolment

        t0 = time.perf_counter()
        departments, teams, staff, progress, attempts = build(args.people)
        print(_common.machine())
        print(f"{args.people} learners in {len(teams)} teams, 48 lessons in 4 courses on one path, {progress} "
              f"completed lessons, {attempts} quiz attempts (built in {time.perf_counter() - t0:.0f} s)")

        enrolments = list(Enrolment.objects.select_related("person", "path").order_by("pk"))
        sample = enrolments[:200]
        ref = _common.best(lambda: [selectors.path_status(e) for e in sample], args.repeat)
        fast = _common.best(lambda: selectors.path_statuses(sample), args.repeat)
        with CaptureQueriesContext(connection) as q_ref:
            [selectors.path_status(e) for e in sample]
        with CaptureQueriesContext(connection) as q_fast:
            selectors.path_statuses(sample)
        print(f"progress of 200 enrolments: reference {ref * 1000:.0f} ms CPU ({len(q_ref)} queries), "
              f"batched {fast * 1000:.0f} ms CPU ({len(q_fast)} queries)")
        whole = _common.best(lambda: selectors.path_statuses(enrolments), args.repeat)
        print(f"progress of all {len(enrolments)} enrolments, batched: {whole * 1000:.0f} ms CPU")

        manager = _common.grant_login(Person.objects.order_by("pk").first(), Role.TRAINING_MANAGER)
        supervisor = _common.grant_login(Person.objects.order_by("pk")[1], Role.SUPERVISOR, unit=departments[0])
        clients = {}
        for who, user in (("manager", manager), ("supervisor", supervisor)):
            clients[who] = Client()
            clients[who].force_login(user)
        _common.time_requests(clients, [
            ("manager", "/learning/report/"), ("manager", "/learning/report/export/"),
            ("supervisor", "/learning/report/"), ("supervisor", "/learning/report/export/"),
            ("manager", "/api/v1/training/enrolments/?overdue=true"),
        ], args.repeat, label="page")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
