"""Background jobs of the Assessment app (thin wrappers over services)."""

from celery import shared_task

from servicecoach.exams.services import attempt_close_due


@shared_task(name="servicecoach.exams.tasks.close_due_attempts")
def close_due_attempts() -> int:
    """Submit every attempt whose deadline has passed (schedule it every minute with Celery beat)."""
    return attempt_close_due()
