"""Update and compile the Chinese catalogues: the project's own and one per domain app.

    servicecoach manage messages            # every catalogue
    servicecoach manage messages quality    # only the quality app's (``main`` for the project's own)

Each app with a ``locale/`` folder keeps its own ``django.po``, so work on one domain never touches another's
catalogue. Django's makemessages would put every string under the package into the project catalogue
(LOCALE_PATHS wins over an app's folder), so this command runs it once per catalogue, from that catalogue's
folder, with LOCALE_PATHS emptied and the other apps' folders ignored.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from django.core.management import BaseCommand, CommandError, call_command
from django.test.utils import override_settings

import servicecoach

PACKAGE_DIR = Path(servicecoach.__file__).parent
LANGUAGE = "zh_Hans"


def catalogues() -> dict[str, Path]:
    """``{"main": package dir, app: app dir}`` for the project and every app that has a ``locale/`` folder."""
    found = {"main": PACKAGE_DIR}
    for child in sorted(PACKAGE_DIR.iterdir()):
        if child.is_dir() and (child / "locale").is_dir() and child.name != "locale":
            found[child.name] = child
    return found


@contextmanager
def _inside(folder: Path):
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


class Command(BaseCommand):
    help = "Update (makemessages) and compile (compilemessages) the Chinese catalogues, one per app."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="'main' or app names; all catalogues when left out")

    def handle(self, *args, names, verbosity=1, **options):
        known = catalogues()
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise CommandError(f"no catalogue named {', '.join(unknown)}; known: {', '.join(known)}")
        apps_with_catalogue = [name for name in known if name != "main"]
        for name in names or list(known):
            folder = known[name]
            ignore = ["engine/*", "*/engine/*"]
            if name == "main":
                ignore += [f"{app}/*" for app in apps_with_catalogue]
            with _inside(folder), override_settings(LOCALE_PATHS=[]):
                for domain, extensions in (("django", ["html", "txt", "py"]),):
                    call_command("makemessages", locale=[LANGUAGE], domain=domain, extensions=extensions,
                                 no_obsolete=True, ignore_patterns=ignore, verbosity=verbosity)
                call_command("compilemessages", locale=[LANGUAGE], verbosity=verbosity)
            if verbosity:
                self.stdout.write(f"{name}: {folder / 'locale' / LANGUAGE / 'LC_MESSAGES' / 'django.po'}")
