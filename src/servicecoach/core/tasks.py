"""Background jobs of the core app (Celery beat runs them on the schedule in ``servicecoach.worker``)."""

from __future__ import annotations

from celery import shared_task

from servicecoach.core.media import cleanup


@shared_task(name="core.media_cleanup")
def media_cleanup() -> dict[str, int]:
    """Remove uploaded files no record refers to, older than a day (see ``core.media``)."""
    report = cleanup(delete=True)
    return {"deleted": report.deleted, "freed": report.freed, "referenced": report.referenced}
