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
import shutil
import time

from _common import build_large_org, django_in_temp_dir, grant_login, machine, time_requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--audit", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    tmp = django_in_temp_dir("sc-bench-")
    from django.db import connection
    from django.test import Client

    from servicecoach.org.models import AuditEntry, OrgUnit, Person, Role

    started = time.perf_counter()
    departments, teams, people = build_large_org(args.people)
    AuditEntry.objects.bulk_create([
        AuditEntry(actor_name="批量", action=("create", "update", "login")[i % 3], object_type="org.person",
                   object_id=str(people[i % len(people)].pk), object_repr=f"员工{i % len(people)}",
                   changes={"level": ["junior", "senior"]} if i % 3 == 1 else {})
        for i in range(args.audit)
    ], batch_size=2000)

    def login(person: Person, role: str, unit: OrgUnit | None = None) -> Client:
        client = Client()
        client.force_login(grant_login(person, role, unit))
        return client

    clients = {
        "admin": login(people[0], Role.ADMIN),
        "supervisor": login(people[1], Role.SUPERVISOR, departments[1]),
        "agent": login(people[2], Role.AGENT),
    }
    print(f"{machine()}\nbuilt {args.people} people, {len(teams)} teams, {args.audit} audit entries "
          f"in {time.perf_counter() - started:.1f} s (SQLite in {tmp})")

    time_requests(clients, [
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
    ], args.repeat, label="page")
    connection.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
