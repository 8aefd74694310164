"""The quality app's jobs run on the project's Celery application (``servicecoach.worker``).

    SERVICECOACH_REDIS_URL=redis://127.0.0.1:6379/0 celery -A servicecoach.worker worker

``celery -A servicecoach.quality.worker worker`` still works: it is the same application.
"""

from __future__ import annotations

from servicecoach.worker import app

__all__ = ["app"]
