"""Celery tasks of the quality app: thin wrappers over ``quality.jobs``."""

from __future__ import annotations

from servicecoach.quality.worker import app


@app.task(name="quality.run_job")
def run_job(job_id: int) -> None:
    from servicecoach.quality.jobs import job_run

    job_run(job_id)
