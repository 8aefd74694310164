"""Background jobs of the knowledge base: thin wrappers over knowledge.search.

``index_rebuild_later`` rebuilds the search index after the current transaction commits: in the embedded mode
(``CELERY_TASK_ALWAYS_EAGER``, no broker) at once in this process, with a broker on a Celery worker, which
writes the new snapshot that the web processes then load (docs/knowledge.md, "Search settings").
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import transaction


@shared_task(name="knowledge.index_rebuild")
def index_rebuild_task() -> dict:
    from servicecoach.knowledge import search

    return search.rebuild()


def index_rebuild_later() -> bool:
    """Schedule a rebuild; True when it ran here already (no broker), False when a worker will run it."""
    eager = getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True)

    def run() -> None:
        if eager:
            index_rebuild_task()
        else:
            index_rebuild_task.delay()

    transaction.on_commit(run)
    return eager
