"""The project's Celery application knows every app's tasks, and its schedule names only real ones."""

from __future__ import annotations

import pytest

from servicecoach.worker import app


@pytest.fixture(scope="module")
def registered() -> set[str]:
    app.autodiscover_tasks(force=True)
    return set(app.tasks)


def test_every_app_task_is_registered(registered):
    for name in ["quality.run_job", "kpi.period_score", "knowledge.index_rebuild", "review.run_due",
                 "servicecoach.exams.tasks.close_due_attempts", "core.media_cleanup", "quality.settle"]:
        assert name in registered, f"{name} is not a task of servicecoach.worker"


def test_the_beat_schedule_names_registered_tasks(registered):
    schedule = app.conf.beat_schedule
    assert schedule, "no periodic work scheduled"
    unknown = {key: entry["task"] for key, entry in schedule.items() if entry["task"] not in registered}
    assert not unknown, f"beat entries naming no task: {unknown}"


def test_the_quality_worker_module_is_the_same_application():
    from servicecoach.quality.worker import app as quality_app

    assert quality_app is app
