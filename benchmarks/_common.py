"""What the benchmark scripts share: the machine's description, CPU-time measurement, and a
throw-away Django database with a large organisation in it.

Scripts run as ``python benchmarks/NAME.py``, so this folder is on ``sys.path``: ``import _common``.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def machine() -> str:
    """nproc, CPU model, Python and OS: the line every figure in docs/benchmarks.md is read with."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs (nproc), {model}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.machine()}")


def best(fn, repeat: int) -> float:
    """Best process (CPU) time of ``repeat`` runs of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def django_in_temp_dir(prefix: str, postgres: str | None = None) -> str:
    """Point the settings at a new temporary folder (never the project's var/), set Django up and
    migrate the database: the embedded SQLite there, or the (empty, throw-away) PostgreSQL database
    ``postgres`` names. Returns the folder, for the caller to remove."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.environ["SERVICECOACH_VAR_DIR"] = tmp
    if postgres:
        os.environ["SERVICECOACH_DATABASE_URL"] = postgres
    else:
        os.environ.pop("SERVICECOACH_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecoach.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    return tmp


def build_large_org(people: int):
    """One company, 10 departments, ``people // 100`` teams (at least 10), ``people`` agents.
    Returns (departments, teams, people)."""
    from servicecoach.org import services
    from servicecoach.org.models import Person, Role, RoleAssignment, UnitKind

    company = services.unit_create(actor=None, name="总公司", code="HQ", kind=UnitKind.COMPANY)
    departments = [services.unit_create(actor=None, name=f"部门{d}", code=f"D{d}", kind=UnitKind.DEPARTMENT,
                                        parent=company) for d in range(10)]
    teams = [services.unit_create(actor=None, name=f"小组{t}", code=f"T{t}", kind=UnitKind.TEAM,
                                  parent=departments[t % 10]) for t in range(max(people // 100, 10))]
    staff = Person.objects.bulk_create([
        Person(employee_no=f"E{i:06d}", name=f"员工{i}", unit=teams[i % len(teams)],
               level=("junior", "intermediate", "senior")[i % 3]) for i in range(people)
    ])
    RoleAssignment.objects.bulk_create([RoleAssignment(person=p, role=Role.AGENT) for p in staff])
    return departments, teams, staff


def grant_login(person, role: str, unit=None):
    """Give ``person`` a login named after ``role`` and that role; returns the user."""
    from servicecoach.org import services
    from servicecoach.org.models import User

    user = User.objects.create(username=f"{role}-bench")
    person.user = user
    person.save(update_fields=["user"])
    services.role_grant(actor=None, person=person, role=role, unit=unit)
    return user


def time_requests(clients: dict, requests: list[tuple[str, str]], repeat: int, label: str = "request") -> None:
    """GET each (who, url) ``repeat`` times with that principal's client; print the median and worst
    time in ms and the SQL query count of one more request. Every answer must be 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    width = max(len(url) for _, url in requests) + 2
    print(f"{'who':<11} {label:<{width}} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for who, url in requests:
        client = clients[who]
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code, response.content[:200])
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"{who:<11} {url:<{width}} {statistics.median(times):>10.1f} {max(times):>8.1f} {len(queries):>8}")
