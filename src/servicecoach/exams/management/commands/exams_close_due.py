"""Submit every exam attempt whose time is up, with the answers saved so far.

Run it every minute (cron, or the Celery beat task servicecoach.exams.tasks.close_due_attempts);
pages also close due attempts when they are opened, so a missed run loses nothing."""

from django.core.management.base import BaseCommand

from servicecoach.exams.services import attempt_close_due


class Command(BaseCommand):
    help = "Submit exam attempts whose deadline has passed, with what was saved."

    def handle(self, *args, **options):
        count = attempt_close_due()
        self.stdout.write(f"{count} attempt(s) submitted")
