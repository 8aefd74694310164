"""Background jobs of the review app, thin wrappers over services (a Celery beat entry may call
``review.run_due`` daily; ``servicecoach manage review_run_due`` does the same from cron)."""

from __future__ import annotations

from celery import shared_task

from servicecoach.review import services
from servicecoach.review.summary import flush_pending


@shared_task(name="review.run_due")
def run_due() -> dict[str, int]:
    outcomes = services.plans_run_due()
    escalated = services.appeals_escalate_overdue()
    # Days a job noted and never settled (its worker died and nobody resumed it) are settled here.
    settled = flush_pending()
    return {"plans": len(outcomes), "runs": sum(o.created for o in outcomes), "appeals_escalated": escalated,
            "summary_days": settled}
