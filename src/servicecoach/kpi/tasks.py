"""Background jobs of the Performance app: thin wrappers over kpi.services.

``period_score_later`` scores a month: in the embedded mode (``CELERY_TASK_ALWAYS_EAGER``, no broker)
at once in the process; with a broker the job is sent to a Celery worker after the current
transaction commits.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import transaction


@shared_task(name="kpi.period_score")
def period_score_task(period_id: int, actor_id: int | None = None, note: str = "") -> int:
    from servicecoach.kpi import services
    from servicecoach.kpi.models import Period
    from servicecoach.org.models import User

    period = Period.objects.get(pk=period_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return services.period_score(actor=actor, period=period, note=note).number


def period_score_later(*, period_id: int, actor_id: int | None, note: str = "") -> bool:
    """Score now (embedded mode: returns True, a ValidationError comes straight back) or send the job
    to a worker once the caller's transaction commits (returns False)."""
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
        period_score_task(period_id, actor_id, note)
        return True
    transaction.on_commit(lambda: period_score_task.delay(period_id, actor_id, note))
    return False
