"""The scoring job: at once in the embedded mode, after the commit through Celery with a broker."""

from __future__ import annotations

from servicecoach.kpi import tasks


def test_task_scores_the_month_as_the_actor(kpi_org, period, perfect, fill):
    fill(period, kpi_org.a1, perfect)
    number = tasks.period_score_task(period.pk, kpi_org.supervisor.user.pk, "job")
    period.refresh_from_db()
    assert number == 1 and period.current_run.actor == kpi_org.supervisor.user and period.current_run.note == "job"


def test_embedded_mode_scores_at_once(kpi_org, period, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert tasks.period_score_later(period_id=period.pk, actor_id=None) is True
    period.refresh_from_db()
    assert period.current_run is not None


def test_with_a_broker_the_job_waits_for_the_commit(kpi_org, period, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.period_score_later(period_id=period.pk, actor_id=None) is False
    assert len(callbacks) == 1  # sent to the worker once the transaction commits, not before
    period.refresh_from_db()
    assert period.current_run is None
