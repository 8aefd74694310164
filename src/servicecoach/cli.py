"""The ``servicecoach`` console command.

    servicecoach demo [--port 8000]     embedded SQLite, migrations, demo organisation, dev server
    servicecoach serve [--bind ...]     production server (gunicorn), configuration from the environment
    servicecoach manage ARGS...         any Django management command
    servicecoach qa run|check|explain   automatic quality inspection on files (no database needed)
    servicecoach kpi templates|score    KPI scorecards on spreadsheets (no database needed)
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecoach.settings")
    import django

    django.setup()


def check_production_settings() -> list[str]:
    """Problems that make the current configuration unfit for production, as messages to print."""
    from django.conf import settings

    problems = []
    if settings.SECRET_KEY == settings.DEFAULT_SECRET_KEY:
        problems.append(
            "SERVICECOACH_SECRET_KEY is not set: set it to a long random string, e.g. "
            "SERVICECOACH_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    if settings.DEBUG:
        problems.append("SERVICECOACH_DEBUG is on: unset it (or set it to 0) in production.")
    return problems


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("SERVICECOACH_DEBUG", "1")
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", verbosity=1)
    print(f"\nServiceCoach demo: http://127.0.0.1:{args.port}/  (database: {settings.DATABASES['default']['NAME']})\n")
    if args.no_serve:
        return 0
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    problems = check_production_settings()
    if problems:
        for problem in problems:
            print(f"servicecoach serve: refusing to start: {problem}", file=sys.stderr)
        return 2
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", interactive=False, verbosity=1)
    call_command("collectstatic", interactive=False, verbosity=0)
    argv = [
        "gunicorn",
        "servicecoach.wsgi:application",
        "--bind", args.bind,
        "--workers", str(args.workers),
        "--access-logfile", "-",
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])
    return 0  # pragma: no cover - execvp does not return


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecoach.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["servicecoach manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="servicecoach", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="set up the embedded database with demo data and serve it")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="set up only, do not start the server")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="production server (gunicorn), configured from the environment")
    serve.add_argument("--bind", default=os.environ.get("SERVICECOACH_BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("SERVICECOACH_WORKERS", "3")))
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.set_defaults(func=cmd_serve)

    manage = sub.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    qa = sub.add_parser("qa", help="automatic quality inspection of conversation files", add_help=False)
    qa.add_argument("rest", nargs=argparse.REMAINDER)
    qa.set_defaults(func=lambda a: _qa(a.rest))

    kpi = sub.add_parser("kpi", help="KPI scorecards: list templates, score a spreadsheet", add_help=False)
    kpi.add_argument("rest", nargs=argparse.REMAINDER)
    kpi.set_defaults(func=lambda a: _kpi(a.rest))
    return parser


def _kpi(rest: list[str]) -> int:
    from servicecoach.kpi.cli import main as kpi_main

    return kpi_main(rest)


def _qa(rest: list[str]) -> int:
    from servicecoach.quality.cli import main as qa_main

    return qa_main(rest)


PASS_THROUGH = ("manage", "qa", "kpi")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASS_THROUGH:
        # argparse's REMAINDER refuses an option as its first word ("servicecoach qa --help"), so the
        # pass-through commands get their arguments untouched.
        args = build_parser().parse_args(argv[:1])
        args.rest = argv[1:]
    else:
        args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
