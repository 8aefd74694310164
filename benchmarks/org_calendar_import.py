"""Speed of the working-day calendar and of the Excel import of people.

    .venv/bin/python benchmarks/org_calendar_import.py [--rows 1000] [--repeat 3]

* calendar engine (no database): ``is_working_day`` over every day of 2004–2030 (statute and
  fallback years), ``add_working_days(d, 20)`` from each day of 2025–2027, and one long walk
  ``add_working_days(2020-01-01, 2500)``;
* calendar service: ``get_calendar()`` (one fingerprint query) and ``calendar_status(d)``;
* import: a synthetic workbook of ``--rows`` people (10 teams, roles, a login for one in ten):
  reading and checking it alone (``read_people``), the first import (every row created), the
  re-import of the same file (every row unchanged) and a dry run.

Builds a throw-away SQLite database in a temporary folder (never the project's var/). Times are
wall-clock seconds, best of ``--repeat`` runs. Figures go to docs/benchmarks.md ("Organisation").
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="sc-bench-org-")
    os.environ["SERVICECOACH_VAR_DIR"] = tmp
    os.environ.pop("SERVICECOACH_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecoach.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from openpyxl import Workbook

    from servicecoach.org import calendar, services
    from servicecoach.org.importing import people_import
    from servicecoach.org.models import Person, UnitKind
    from servicecoach.org.people_import import read_people
    from servicecoach.org.workdays import WorkdayCalendar

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        call_command("migrate", verbosity=0)
        print(f"rows={args.rows} repeat={args.repeat} python={sys.version.split()[0]} cores={os.cpu_count()}")

        # --- calendar engine
        cal = WorkdayCalendar({date(2027, 2, 8): False})
        days = [date(2004, 1, 1) + timedelta(days=i) for i in range((date(2030, 12, 31) - date(2004, 1, 1)).days + 1)]
        t = best(lambda: [cal.is_working_day(d) for d in days], args.repeat)
        print(f"engine is_working_day: {len(days)} days in {t:.3f} s ({t / len(days) * 1e6:.2f} µs/day)")
        starts = [date(2025, 1, 1) + timedelta(days=i) for i in range(3 * 365)]
        t = best(lambda: [cal.add_working_days(d, 20) for d in starts], args.repeat)
        print(f"engine add_working_days(d, 20): {len(starts)} calls in {t:.3f} s ({t / len(starts) * 1e6:.1f} µs/call)")
        t = best(lambda: cal.add_working_days(date(2020, 1, 1), 2500), args.repeat)
        print(f"engine add_working_days(2020-01-01, 2500): {t * 1000:.1f} ms")

        # --- calendar service
        for day in range(1, 29):
            services.calendar_override_set(actor=None, date=date(2027, 3, day), is_working_day=day % 7 != 0)
        calendar.get_calendar()
        n = 2000
        t = best(lambda: [calendar.get_calendar() for _ in range(n)], args.repeat)
        print(f"service get_calendar (cached, fingerprint query): {t / n * 1e6:.0f} µs/call")
        t = best(lambda: [calendar.calendar_status(date(2027, 3, 5)) for _ in range(n)], args.repeat)
        print(f"service calendar_status (override date): {t / n * 1e6:.0f} µs/call")

        # --- import
        teams = [services.unit_create(actor=None, name=f"小组{i}", code=f"T{i:02d}", kind=UnitKind.TEAM)
                 for i in range(10)]
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["工号", "姓名", "部门/团队编码", "入职日期", "级别", "角色", "状态", "邮箱", "手机", "登录名"])
        for i in range(args.rows):
            sheet.append([f"B{i:06d}", f"员工{i}", teams[i % 10].code, date(2020, 1, 1) + timedelta(days=i % 2000),
                          ("初级", "中级", "高级")[i % 3], "客服、导师" if i % 20 == 0 else "客服", "在职",
                          f"p{i}@example.com", f"139{i:08d}", f"user{i}" if i % 10 == 0 else ""])
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
        codes = [u.code for u in teams]
        t = best(lambda: read_people(data, unit_codes=codes), args.repeat)
        print(f"read_people ({args.rows} rows, {len(data) // 1024} KiB): {t:.3f} s")
        t = best(lambda: people_import(actor=None, file=data, dry_run=True), args.repeat)
        print(f"people_import dry run ({args.rows} new rows): {t:.2f} s")
        started = time.perf_counter()
        report = people_import(actor=None, file=data)
        t = time.perf_counter() - started
        assert len(report.created) == args.rows and Person.objects.count() == args.rows, report.errors[:3]
        print(f"people_import first import ({args.rows} rows created): {t:.2f} s ({t / args.rows * 1000:.1f} ms/row)")
        t = best(lambda: people_import(actor=None, file=data), args.repeat)
        print(f"people_import re-import ({args.rows} rows unchanged): {t:.2f} s ({t / args.rows * 1000:.1f} ms/row)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
