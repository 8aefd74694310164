"""List (or with --delete remove) uploaded files that no record refers to any more."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from servicecoach.core.media import GRACE, cleanup


class Command(BaseCommand):
    help = ("List the files under MEDIA_ROOT that no record refers to (uploads whose transaction failed, rows "
            "deleted); --delete removes them.")

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="remove the files listed")
        parser.add_argument("--older-than", type=float, default=GRACE.total_seconds() / 3600, metavar="HOURS",
                            help="only files last written more than this many hours ago (default 24)")

    def handle(self, *args, **options):
        hours = options["older_than"]
        if hours < 0:
            raise CommandError(f"--older-than {hours}: must be 0 or more hours")
        report = cleanup(delete=options["delete"], grace=timedelta(hours=hours))
        for orphan in report.orphans:
            self.stdout.write(f"{orphan.name}\t{orphan.size} bytes\t{orphan.modified:%Y-%m-%d %H:%M} UTC")
        total = sum(o.size for o in report.orphans)
        if options["delete"]:
            self.stdout.write(f"{report.deleted} unreferenced file(s) deleted, {report.freed} bytes freed; "
                              f"{report.referenced} referenced, {report.kept_young} newer than {hours:g} h kept")
        else:
            self.stdout.write(f"{len(report.orphans)} unreferenced file(s), {total} bytes (run with --delete to "
                              f"remove them); {report.referenced} referenced, {report.kept_young} newer than "
                              f"{hours:g} h")
