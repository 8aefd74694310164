"""Celery tasks of the quality app: thin wrappers over ``quality.jobs``."""

from __future__ import annotations

from servicecoach.quality.worker import app


@app.task(name="quality.run_job")
def run_job(job_id: int) -> None:
    from servicecoach.quality.jobs import job_run

    job_run(job_id)


@app.task(name="quality.settle")
def settle() -> None:
    """Bring up to date what change hooks noted in bulk mode (see ``services.changes_settle``)."""
    from servicecoach.quality.services import changes_settle

    changes_settle()
