"""Rebuild the QA dashboard's summary tables from the stored conversations, reviews and hits."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from servicecoach.review.summary import rebuild


class Command(BaseCommand):
    help = "Rebuild the QA dashboard's per-day summary (back-fill, or after data written outside the services)."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        days, rows = rebuild()
        self.stdout.write(_("Summary rebuilt: %(days)s days, %(rows)s rows in %(seconds).1f s.")
                          % {"days": days, "rows": rows, "seconds": time.perf_counter() - started})
