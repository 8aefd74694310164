"""The project's Celery application: every app's ``tasks`` module runs on it.

    SERVICECOACH_REDIS_URL=redis://127.0.0.1:6379/0 celery -A servicecoach.worker worker

The broker and the other ``CELERY_*`` settings come from ``servicecoach.settings``. Without a broker the
apps run their jobs in the web process (eagerly or in a thread; see each app's ``jobs``/``tasks``), and
nothing here talks to a server. The core app imports this module when Django starts, so ``shared_task``s
enqueued from a web process reach the configured broker.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecoach.settings")

app = Celery("servicecoach")
app.config_from_object("django.conf:settings", namespace="CELERY")
# A job's message is acknowledged when the task ends, so a worker killed mid-job leaves it queued; each
# job's checkpoint makes the second run start after the last committed batch.
app.conf.task_acks_late = True
app.conf.task_reject_on_worker_lost = True
app.conf.worker_prefetch_multiplier = 1
app.conf.broker_connection_retry_on_startup = True
queue = os.environ.get("SERVICECOACH_QUEUE") or os.environ.get("SERVICECOACH_QUALITY_QUEUE")
if queue:
    app.conf.task_default_queue = queue
app.autodiscover_tasks()

# What `celery -A servicecoach.worker beat` starts on a schedule (without a broker, the same work is done
# on access and by the management commands `exams_close_due`, `review_run_due` and `media_cleanup`).
app.conf.beat_schedule = {
    # attempts past their deadline are submitted with what was saved
    "exams-close-due-attempts": {"task": "servicecoach.exams.tasks.close_due_attempts", "schedule": 60.0},
    # sampling plans whose period has come, and appeals past their deadline
    "review-run-due": {"task": "review.run_due", "schedule": 15 * 60.0},
    # uploaded files no record refers to any more (failed uploads, deleted rows), older than a day
    "core-media-cleanup": {"task": "core.media_cleanup", "schedule": 24 * 3600.0},
}
