"""Run the recurring sampling plans for their due period, escalate overdue appeals and settle the dashboard
summary's days left noted by an interrupted job.

Safe to run as often as you like (cron, a Celery beat entry, by hand): a plan samples each period once,
and an appeal is escalated once. ``--date`` runs as if on another day (catching up a missed day)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from servicecoach.review import services
from servicecoach.review.summary import flush_pending


class Command(BaseCommand):
    help = "Run the recurring sampling plans that are due and forward overdue appeals to the QA lead."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="run as if today were this day (YYYY-MM-DD)")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r}: expected YYYY-MM-DD") from None
        outcomes = services.plans_run_due(today=today)
        for outcome in outcomes:
            run = outcome.run
            state = "new" if outcome.created else "already ran"
            self.stdout.write(f"{run.plan.name}: {run.period_start}..{run.period_end} {state}, "
                              f"{run.picked} of {run.pool} picked")
        escalated = services.appeals_escalate_overdue(today=today)
        settled = flush_pending()
        self.stdout.write(f"{len(outcomes)} plan(s) due, {sum(o.created for o in outcomes)} run now; "
                          f"{escalated} appeal(s) forwarded to the QA lead; "
                          f"{settled} day(s) of the dashboard summary brought up to date")
