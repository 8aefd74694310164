"""Onboarding overview, notice sending and agenda building of the programmes app on a large organisation.

    .venv/bin/python benchmarks/programmes_onboarding.py [--people 2000] [--plans 500] [--repeat 3]

Runs in a throw-away database (never the project's var/). Figures go to docs/benchmarks.md ("Programmes").
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
import time

import _common

TEMPLATE = "\n".join(
    f"week {w}: 目标{w}\n" + "\n".join(f"- {kind}: 任务{w}.{n}" for n, kind in enumerate(("task", "task", "lesson",
                                                                                          "check")))
    for w in (1, 2, 3))


def build(people: int, plans: int):
    from servicecoach.org.models import Role
    from servicecoach.programmes import services
    from servicecoach.programmes.models import PlanTask

    departments, teams, staff = _common.build_large_org(people)
    manager = _common.grant_login(staff[0], Role.TRAINING_MANAGER)
    supervisor = _common.grant_login(staff[1], Role.SUPERVISOR, unit=departments[3])
    template = services.onboarding_template_save(actor=None, name="三周带教", description="", text=TEMPLATE)
    rng = random.Random(2026)
    today = datetime.date.today()
    t0 = time.perf_counter()
    for person in staff[10:10 + plans]:
        services.onboarding_start(actor=None, template=template, person=person,
                                  start_date=today - datetime.timedelta(days=rng.randint(0, 30)))
    started = time.perf_counter() - t0
    tasks = list(PlanTask.objects.values_list("pk", flat=True))
    done = rng.sample(tasks, len(tasks) // 2)
    PlanTask.objects.filter(pk__in=done).update(done_at=datetime.datetime.now(datetime.UTC), evidence="bench")
    return manager, supervisor, started, staff


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--plans", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = _common.django_in_temp_dir("programmes-bench-")
    try:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from servicecoach.programmes import agenda, selectors, services

        print(_common.machine())
        manager, supervisor, started, staff = build(args.people, args.plans)
        print(f"{args.plans} onboarding plans started in {started:.1f} s wall ({1000 * started / args.plans:.1f} ms each)")
        for who, user in (("manager", manager), ("supervisor", supervisor)):
            with CaptureQueriesContext(connection) as queries:
                rows = selectors.plan_overview(user=user)
            cpu = _common.best(lambda user=user: selectors.plan_overview(user=user), args.repeat)
            print(f"plan_overview {who}: {len(rows)} plans, {1000 * cpu:.0f} ms CPU, {len(queries)} queries")
        clients = {}
        for who, user in (("manager", manager), ("supervisor", supervisor)):
            clients[who] = Client()
            clients[who].force_login(user)
        _common.time_requests(clients, [("manager", "/programmes/onboarding/"),
                                        ("manager", "/programmes/onboarding/?behind=1"),
                                        ("supervisor", "/programmes/onboarding/")], args.repeat)
        # A session with 100 participants: scheduling and sending the notice (in-app and e-mail, locmem).
        from django.conf import settings
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        from servicecoach.org import calendar

        programme = services.programme_create(actor=None, title="bench", kind="new_hire",
                                              start_date=datetime.date.today(),
                                              end_date=datetime.date.today() + datetime.timedelta(days=60))
        start = calendar.add_working_days(datetime.date.today(), 5)
        for person in staff[1000:1100]:
            person.email = f"{person.employee_no}@example.com"
            person.save(update_fields=["email"])
        session = services.session_schedule(
            actor=None, programme=programme, title="bench", trainer=staff[2], start_date=start,
            end_date=calendar.add_working_days(start, 4), day_start=datetime.time(9), day_end=datetime.time(17, 30),
            venue="A", capacity=100, participants=[(p, "new_hire") for p in staff[1000:1100]])
        topics = [(f"课题{i}", 60 + 15 * (i % 5)) for i in range(18)]
        services.agenda_save(actor=None, session=session, blocks=services.agenda_build(session=session, topics=topics))
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            sent = services.session_send_notice(actor=None, session=session)
        print(f"notice to {sent} people (100 e-mails): {1000 * (time.perf_counter() - t0):.0f} ms wall, "
              f"{len(queries)} queries")
        cpu = _common.best(lambda: agenda.build_agenda(topics, days=5, day_start=540, day_end=1050), 200)
        print(f"build_agenda, 18 topics over 5 days: {1e6 * cpu:.0f} µs CPU")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
