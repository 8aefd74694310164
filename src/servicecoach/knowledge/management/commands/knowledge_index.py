"""``servicecoach manage knowledge_index [--rebuild | --snapshot]``: the state of the knowledge search index, a
rebuild (after changing the domain dictionary or the synonyms), or a fresh snapshot (cron: processes that
start then replay fewer changes)."""

from __future__ import annotations

from django.core.management import BaseCommand

from servicecoach.knowledge import search


class Command(BaseCommand):
    help = "Show the knowledge search index, or rebuild it with --rebuild."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="rebuild the index and write its snapshot")
        parser.add_argument("--snapshot", action="store_true",
                            help="apply the changes since the last snapshot and write a new one (for cron)")

    def handle(self, *args, rebuild: bool = False, snapshot: bool = False, **options) -> None:
        if rebuild:
            summary = search.rebuild()
            self.stdout.write(f"rebuilt: {summary['articles']} articles in {summary['seconds']:.1f} s "
                              f"(epoch {summary['epoch']}, snapshot in {search.index_dir()})")
            return
        if snapshot:
            summary = search.snapshot_now()
            self.stdout.write(f"snapshot written: {summary['articles']} articles up to change {summary['last_change']}")
            return
        status = search.index_status()
        state = status["state"]
        if state is None:
            self.stdout.write("no index yet: it is built at the first search (or run with --rebuild)")
            return
        self.stdout.write(f"epoch {state.epoch}, rebuilt {state.rebuilt_at:%Y-%m-%d %H:%M}, {state.articles} articles"
                          f"{'; dictionary or synonyms changed since' if state.config_changed_at else ''}")
