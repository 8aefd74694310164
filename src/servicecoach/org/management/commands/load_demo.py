"""``servicecoach manage load_demo``: create the demo organisation (idempotent) and print its logins."""

from __future__ import annotations

import importlib
import unicodedata

from django.core.management.base import BaseCommand

from servicecoach.org.demo import demo_load

# Each domain app may bring demo data in ``servicecoach/<app>/demo.py``: a ``demo_load() -> str`` that builds
# on the demo organisation, is idempotent, and returns a one-line summary (empty: nothing to say).
DOMAIN_DEMOS = ["training", "programmes", "exams", "quality", "review", "kpi", "knowledge"]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Create the demo organisation (华信优选) if missing and print the demo logins. Safe to run again."

    def handle(self, *args, **options):
        result = demo_load()
        verbosity = options["verbosity"]
        if verbosity >= 1:
            if result.changed:
                self.stdout.write(
                    f"Demo organisation loaded: {result.units_created} units, {result.people_created} people, "
                    f"{result.logins_created} logins, {result.overrides_created} calendar overrides created."
                )
            else:
                self.stdout.write("Demo organisation already loaded: nothing changed.")
            header = {"username": "login", "password": "password", "roles": "roles", "name": "name", "unit": "unit"}
            rows = [header, *result.logins]
            columns = ["username", "password", "roles", "name", "unit"]
            widths = {c: max(_width(r[c]) for r in rows) for c in columns}
            self.stdout.write("")
            for index, row in enumerate(rows):
                self.stdout.write("  ".join(_pad(row[c], widths[c]) for c in columns).rstrip())
                if index == 0:
                    self.stdout.write("  ".join("-" * widths[c] for c in columns))
            self.stdout.write("(passwords as loaded; an administrator may have changed them since)")
        for name in DOMAIN_DEMOS:
            try:
                module = importlib.import_module(f"servicecoach.{name}.demo")
            except ModuleNotFoundError as error:
                if error.name == f"servicecoach.{name}.demo":
                    continue
                raise
            summary = module.demo_load()
            if summary and verbosity >= 1:
                self.stdout.write(f"{name}: {summary}")
