"""The training demo builds on the demo organisation, works through the services, and runs twice safely."""

from __future__ import annotations

from servicecoach.org.demo import demo_load as org_demo_load
from servicecoach.org.models import Person, User
from servicecoach.training import selectors
from servicecoach.training.demo import PATH_CODE, demo_load
from servicecoach.training.models import Course, Enrolment, LessonProgress, QuizAttempt, RereadTask


def test_demo_loads_courses_path_progress_and_is_idempotent(db):
    org_demo_load()
    summary = demo_load()
    assert summary.startswith("2 courses created")
    assert Course.objects.filter(published=True).count() == 2
    enrolments = Enrolment.objects.filter(path__code=PATH_CODE).count()
    assert enrolments > 20
    agent = Person.objects.get(user__username="agent")
    status = selectors.my_learning(agent)
    assert status["next_lesson"] is not None
    assert 0 < status["statuses"][0].percent < 100
    assert RereadTask.objects.filter(done_at__isnull=True).exists()
    assert RereadTask.objects.filter(done_at__isnull=False).exists()
    counts = (Enrolment.objects.count(), LessonProgress.objects.count(), QuizAttempt.objects.count(),
              RereadTask.objects.count())
    again = demo_load()
    assert again.startswith("0 courses created")
    assert counts == (Enrolment.objects.count(), LessonProgress.objects.count(), QuizAttempt.objects.count(),
                      RereadTask.objects.count())


def test_demo_report_shows_overdue_learners(db):
    org_demo_load()
    demo_load()
    rows = selectors.learning_report(user=User.objects.get(username="manager"))
    assert sum(len(r.overdue) for r in rows) >= 2
    assert any(r.pass_rate is not None and r.pass_rate < 100 for r in rows)
