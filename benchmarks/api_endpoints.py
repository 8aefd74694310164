"""How fast the REST API's organisation endpoints answer on a large organisation, and their query counts.

    .venv/bin/python -W ignore benchmarks/api_endpoints.py [--people 5000] [--repeat 15]

Builds a throw-away SQLite database in a temporary folder (never the project's var/): one company,
``--people // 100`` teams under 10 departments, people with roles. Then requests each endpoint through
DRF's test client with token authentication (no network) as an administrator, a supervisor of one
department and an agent, and prints the median and worst time and the query count of one request.
Figures go to docs/benchmarks.md ("REST API").
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
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="sc-bench-api-")
    os.environ["SERVICECOACH_VAR_DIR"] = tmp
    os.environ.pop("SERVICECOACH_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecoach.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from servicecoach.org import services
    from servicecoach.org.models import Person, Role, RoleAssignment, UnitKind, User

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

    def client_for(person: Person, role: str, unit=None) -> APIClient:
        user = User.objects.create(username=f"{role}-bench")
        person.user = user
        person.save(update_fields=["user"])
        services.role_grant(actor=None, person=person, role=role, unit=unit)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    clients = {
        "admin": client_for(people[0], Role.ADMIN),
        "supervisor": client_for(people[1], Role.SUPERVISOR, departments[1]),
        "agent": client_for(people[2], Role.AGENT),
    }
    print(f"built {args.people} people, {len(teams)} teams in {time.perf_counter() - started:.1f} s "
          f"(SQLite in {tmp})")

    requests = [
        ("admin", "/api/v1/me/"),
        ("admin", "/api/v1/units/"),
        ("admin", "/api/v1/people/"),
        ("admin", f"/api/v1/people/?page={args.people // 50}"),
        ("admin", "/api/v1/people/?search=员工12&level=senior"),
        ("admin", f"/api/v1/people/?unit={departments[3].pk}&role=agent"),
        ("supervisor", "/api/v1/people/"),
        ("supervisor", f"/api/v1/people/{people[11].pk}/"),
        ("agent", "/api/v1/people/"),
        ("agent", "/api/v1/units/"),
    ]
    print(f"{'who':<11} {'request':<44} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for who, url in requests:
        client = clients[who]
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code, response.content[:200])
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"{who:<11} {url:<44} {statistics.median(times):>10.1f} {max(times):>8.1f} {len(queries):>8}")
    connection.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
