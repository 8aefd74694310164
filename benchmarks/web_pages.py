"""How fast the web shell's pages answer on a large organisation, and how many SQL queries each takes.

    .venv/bin/python benchmarks/web_pages.py [--people 5000] [--audit 20000] [--repeat 15]

Builds a throw-away SQLite database in a temporary folder (never the project's var/): one company,
``--people // 100`` teams under 10 departments, people with roles, and ``--audit`` audit entries.
Then requests each page through Django's test client (no network, no browser) as an administrator,
a supervisor of one department and an agent, and prints the median time and the query count.
Figures go to docs/benchmarks.md ("Web shell").
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--audit", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="sc-bench-")
    os.environ["SERVICECOACH_VAR_DIR"] = tmp
    os.environ.pop("SERVICECOACH_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecoach.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from servicecoach.org import services
    from servicecoach.org.models import AuditEntry, OrgUnit, Person, Role, RoleAssignment, UnitKind, User

    setup_test_environment()
    call_command("migrate", verbosity=0)

    started = time.perf_counter()
    company = services.unit_create(actor=None, name="总公司", code="HQ", kind=UnitKind.COMPANY)
    departments = [services.unit_create(actor=None, name=f"部门{d}", code=f"D{d}", kind=UnitKind.DEPARTMENT,
                                        parent=company) for d in range(10)]
    teams = [services.unit_create(actor=None, name=f"小组{t}", code=f"T{t}", kind=UnitKind.TEAM,
                                  parent=departments[t % 10]) for t in range(max(args.people // 100, 10))]
    people = Person.objects.bulk_create([
        Person(employee_no=f"E{i:06d}", name=f"员工{i}", unit=teams[i % len(teams)],
               level=("junior", "intermediate", "senior")[i % 3]) for i in range(args.people)
    ])
    RoleAssignment.objects.bulk_create([RoleAssignment(person=p, role=Role.AGENT) for p in people])
    AuditEntry.objects.bulk_create([
        AuditEntry(actor_name="批量", action=("create", "update", "login")[i % 3], object_type="org.person",
                   object_id=str(people[i % len(people)].pk), object_repr=f"员工{i % len(people)}",
                   changes={"level": ["junior", "senior"]} if i % 3 == 1 else {})
        for i in range(args.audit)
    ], batch_size=2000)

    def login(person: Person, role: str, unit: OrgUnit | None = None) -> Client:
        user = User.objects.create(username=f"{role}-bench")
        person.user = user
        person.save(update_fields=["user"])
        services.role_grant(actor=None, person=person, role=role, unit=unit)
        client = Client()
        client.force_login(user)
        return client

    clients = {
        "admin": login(people[0], Role.ADMIN),
        "supervisor": login(people[1], Role.SUPERVISOR, departments[1]),
        "agent": login(people[2], Role.AGENT),
    }
    print(f"built {args.people} people, {len(teams)} teams, {args.audit} audit entries "
          f"in {time.perf_counter() - started:.1f} s (SQLite in {tmp})")

    pages = [
        ("admin", "/"),
        ("supervisor", "/"),
        ("agent", "/"),
        ("admin", "/org/units/"),
        ("admin", "/org/people/"),
        ("admin", f"/org/people/?page={args.people // 25}"),
        ("admin", "/org/people/?q=员工12&level=senior"),
        ("supervisor", "/org/people/"),
        ("agent", "/org/people/"),
        ("admin", f"/org/people/{people[5].pk}/"),
        ("admin", "/org/audit/"),
        ("admin", "/org/audit/?action=update&text=员工1"),
        ("admin", f"/org/audit/?page={args.audit // 50}"),
    ]
    print(f"{'who':<11} {'page':<34} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for who, url in pages:
        client = clients[who]
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"{who:<11} {url:<34} {statistics.median(times):>10.1f} {max(times):>8.1f} {len(queries):>8}")
    connection.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
