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
import shutil
import time

from _common import build_large_org, django_in_temp_dir, grant_login, machine, time_requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    tmp = django_in_temp_dir("sc-bench-api-")
    from django.db import connection
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from servicecoach.org.models import Person, Role

    started = time.perf_counter()
    departments, teams, people = build_large_org(args.people)

    def client_for(person: Person, role: str, unit=None) -> APIClient:
        user = grant_login(person, role, unit)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    clients = {
        "admin": client_for(people[0], Role.ADMIN),
        "supervisor": client_for(people[1], Role.SUPERVISOR, departments[1]),
        "agent": client_for(people[2], Role.AGENT),
    }
    print(f"{machine()}\nbuilt {args.people} people, {len(teams)} teams in {time.perf_counter() - started:.1f} s "
          f"(SQLite in {tmp})")

    time_requests(clients, [
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
    ], args.repeat)
    connection.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
