"""Benchmark: scoring a month for 5,000 agents through the web app's service (kpi.services.period_score),
on a throw-away SQLite database.

    .venv/bin/python benchmarks/kpi_web.py [--agents 5000] [--repeat 3]

Steps timed (wall clock, and CPU time of this process):
1. opening the month (period_create: one AgentInput per agent);
2. entering every agent's 20 figures in one batch (inputs_set_many: validation, history rows);
3. scoring the month (period_score: reading inputs and the previous month, the engine, one run and
   5,000 AgentResult rows with every item's explanation), ``--repeat`` times (each a new run: re-scoring);
4. reading the results page's query for a supervisor of one team and for an administrator.
Figures go to docs/benchmarks.md, section "KPI web scoring".
"""

from __future__ import annotations

import argparse
import shutil
import time

from _common import build_large_org, django_in_temp_dir, machine


def timed(label: str, fn):
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(f"{label:<46} {wall:>8.2f} s wall {cpu:>8.2f} s CPU")
    return result, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = django_in_temp_dir("kpi-web-bench-")
    try:
        from django.db import connection

        from servicecoach.kpi import selectors, services
        from servicecoach.kpi.demo import demo_figures
        from servicecoach.kpi.models import AgentResult, InputChange, ScorecardTemplate
        from servicecoach.org.models import User

        print(machine())
        print(f"database: {connection.vendor}; agents: {args.agents}")
        _, teams, people = build_large_org(args.agents)
        services.builtin_templates_sync()
        template = ScorecardTemplate.objects.get(key="ecommerce-cs")
        september, _ = timed("open 2026-09", lambda: services.period_create(actor=None, template=template,
                                                                            month="2026-09"))
        values = {p.pk: {"sales": demo_figures(p.employee_no, p.level, "2026-09")["sales"]} for p in people}
        timed("enter 2026-09 sales (1 figure each)", lambda: services.inputs_set_many(
            actor=None, period=september, values=values))
        october, _ = timed("open 2026-10", lambda: services.period_create(actor=None, template=template,
                                                                          month="2026-10"))
        values = {p.pk: demo_figures(p.employee_no, p.level, "2026-10") for p in people}
        n, _ = timed("enter 2026-10 (20 figures each, one batch)", lambda: services.inputs_set_many(
            actor=None, period=october, values=values))
        print(f"  {n} values, {InputChange.objects.count()} history rows in all")
        walls = []
        for i in range(args.repeat):
            run, wall = timed(f"score 2026-10 (run {i + 1})", lambda: services.period_score(actor=None,
                                                                                           period=october))
            walls.append(wall)
        print(f"  best {min(walls):.2f} s = {args.agents / min(walls):,.0f} agents/s; "
              f"{AgentResult.objects.filter(run=run).count()} results in the last run, "
              f"{AgentResult.objects.count()} kept in all runs")

        admin = User.objects.create(username="bench-admin", is_superuser=True)
        from _common import grant_login
        from servicecoach.org.models import Role

        boss = people[0]
        supervisor = grant_login(boss, Role.SUPERVISOR, unit=teams[0])
        timed("results query, administrator (all agents)", lambda: len(list(
            selectors.results_visible_to(admin, october))))
        timed("results query, supervisor (one team)", lambda: len(list(
            selectors.results_visible_to(supervisor, october))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
