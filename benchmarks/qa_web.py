"""Benchmark: the quality web app at scale. Importing and scoring conversations through the real import
job, then the conversation list (with filters), a conversation page and the QA dashboard on a large
table.

    .venv/bin/python benchmarks/qa_web.py --postgres postgres://user@127.0.0.1:5432/db \\
        [--import 100000] [--total 1000000] [--agents 200] [--repeat 20]

Without ``--postgres`` it runs on a throw-away SQLite file. The PostgreSQL database must be empty (the
script migrates it and fills it; use a throw-away one).

Steps:
1. generate ``--import`` realistic Chinese conversations (quality.generator) for ``--agents`` agents into
   a JSON Lines file (timed apart: that is the data generator, not the app);
2. import and score them through the import job exactly as an upload does (jobs.job_run: reading,
   validation, idempotent upsert on source + id, agent linking, scoring with the built-in pack,
   results and hits, in batches of ``--batch`` with a checkpoint each): wall time and conversations/s;
3. grow the table to ``--total`` conversations by copying the imported ones in SQL (new ids, started
   earlier by a week per copy, with their results and hits): the data generator for the read tests;
4. time each page ``--repeat`` times through Django's test client (the full stack but the network):
   median and 95th percentile in ms, for an administrator (all conversations), a supervisor (one
   department) and an agent (their own).
Figures go to docs/benchmarks.md, section "Quality web app (conversations at scale)".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import build_large_org, django_in_temp_dir, grant_login, machine


def db_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend process (a local server only):
    with the script's own CPU time it says what the import costs apart from waiting on a busy machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(label: str, fn):
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(f"{label:<58} {wall:>8.1f} s wall {cpu:>8.1f} s CPU", flush=True)
    return result, wall


def grow(total: int) -> int:
    """Copy the stored conversations (with their current result and hits) until there are ``total``."""
    from django.db import connection

    from servicecoach.quality.models import Conversation

    base = Conversation.objects.count()
    copies = max(0, -(-total // base) - 1)
    pg = connection.vendor == "postgresql"
    conv_cols = ("channel, started_at, ended_at, agent_id, agent_employee_no, agent_name, unit_id, customer_id, "
                 "customer, labels, csat, tags, messages, message_count, first_response_seconds, duration_seconds, "
                 "content_hash, imported_at, updated_at, score, grade, red_line, reviewed_at")
    res_cols = ("ruleset_id, scorecard_id, score, grade, red_line, customer_emotion, emotion_trend, items, "
                "not_applicable, is_current, scored_at")
    hit_cols = ("rule_id, message_index, start, \"end\", text, category, severity, is_current, verdict, "
                "verdict_by_id, verdict_at")
    for k in range(1, copies + 1):
        remaining = total - Conversation.objects.count()
        if remaining <= 0:
            break
        shift = f"started_at - interval '{7 * k} days'" if pg else f"datetime(started_at, '-{7 * k} days')"
        end_shift = f"ended_at - interval '{7 * k} days'" if pg else f"datetime(ended_at, '-{7 * k} days')"
        cols = conv_cols.replace("started_at, ended_at", f"{shift}, {end_shift}")
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO quality_conversation (source, external_id, {conv_cols}) "
                f"SELECT source, external_id || '-r{k}', {cols} FROM quality_conversation "
                f"WHERE external_id NOT LIKE '%%-r%%' ORDER BY id LIMIT {remaining}"
            )
            cur.execute(
                f"INSERT INTO quality_autoresult (conversation_id, {res_cols}) "
                f"SELECT n.id, {', '.join('r.' + c.strip() for c in res_cols.split(','))} "
                f"FROM quality_conversation n JOIN quality_conversation o ON o.source = n.source "
                f"AND n.external_id = o.external_id || '-r{k}' "
                f"JOIN quality_autoresult r ON r.conversation_id = o.id AND r.is_current"
            )
            if pg:
                cur.execute(
                    "UPDATE quality_conversation c SET current_result_id = r.id FROM quality_autoresult r "
                    "WHERE r.conversation_id = c.id AND r.is_current AND c.current_result_id IS NULL"
                )
            else:
                cur.execute(
                    "UPDATE quality_conversation SET current_result_id = (SELECT r.id FROM quality_autoresult r "
                    "WHERE r.conversation_id = quality_conversation.id AND r.is_current) "
                    "WHERE current_result_id IS NULL"
                )
            cur.execute(
                f"INSERT INTO quality_rulehit (result_id, conversation_id, {hit_cols}) "
                f"SELECT nr.id, nr.conversation_id, {', '.join('h.' + c.strip() for c in hit_cols.split(','))} "
                f"FROM quality_conversation n JOIN quality_conversation o ON o.source = n.source "
                f"AND n.external_id = o.external_id || '-r{k}' "
                f"JOIN quality_autoresult nr ON nr.conversation_id = n.id AND nr.is_current "
                f"JOIN quality_rulehit h ON h.conversation_id = o.id AND h.is_current"
            )
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if pg else "ANALYZE")
    return Conversation.objects.count()


def load(args, people, tmp) -> None:
    from django.conf import settings
    from django.core.files import File

    from servicecoach.quality import jobs
    from servicecoach.quality.generator import generate_records
    from servicecoach.quality.models import Conversation, Job, JobKind, RuleHit

    data = Path(tmp) / "conversations.jsonl"
    start = datetime(2026, 8, 1, tzinfo=ZoneInfo("Asia/Shanghai"))

    def write() -> None:
        with data.open("w", encoding="utf-8") as fh:
            for record in generate_records(args.n_import, [p.employee_no for p in people], start=start,
                                           days=90, seed=11, source="bench"):
                fh.write(json.dumps(record, ensure_ascii=False))
                fh.write("\n")

    timed(f"generate {args.n_import:,} conversations (JSONL, {args.agents} agents)", write)
    print(f"file: {data.stat().st_size / 1e6:.0f} MB")
    settings.QUALITY_JOB_BATCH = args.batch

    with data.open("rb") as fh:
        job = Job(kind=JobKind.IMPORT, file_name=data.name, params={"csv_columns": {}, "source": ""})
        job.file.save(data.name, File(fh), save=True)
    before = db_cpu()
    _, wall = timed(f"import + score {args.n_import:,} (import job, batches of {args.batch})",
                    lambda: jobs.job_run(job.pk))
    after = db_cpu()
    if before is not None and after is not None:
        print(f"  PostgreSQL backend CPU during the import: {after - before:.1f} s; load average now "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    job.refresh_from_db()
    assert job.status == "done", job.error
    hits = RuleHit.objects.count()
    print(f"  {job.counts}; {args.n_import / wall:,.0f} conversations/s; {hits:,} hits stored")
    # The dashboard summary was settled at the job's end (once for all the days the batches noted).
    from django.db.models import Sum

    from servicecoach.review import summary
    from servicecoach.review.models import DailySummary, SummaryPending

    assert not SummaryPending.objects.exists(), "the job left summary days unsettled"
    counted = DailySummary.objects.aggregate(n=Sum("n"))["n"]
    assert counted == args.n_import, (counted, args.n_import)
    days = summary.keys_of(Conversation.objects.values_list("pk", flat=True))
    summary.note_pending(days)
    settled, settle_wall = timed("  of which: the settle at the job's end, again (every day noted)",
                                 summary.flush_pending)
    print(f"  {settled} days recomputed; the summary counts {counted:,} conversations")

    if args.total > args.n_import:
        count, _ = timed(f"grow to {args.total:,} conversations (SQL copies, with results and hits)",
                         lambda: grow(args.total))
        print(f"  {count:,} conversations, {RuleHit.objects.count():,} hits")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("SERVICECOACH_BENCH_POSTGRES_URL"))
    parser.add_argument("--import", dest="n_import", type=int, default=100_000)
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true",
                        help="the database already holds a run's data: only time the pages again")
    args = parser.parse_args()
    tmp = django_in_temp_dir("qa-web-bench-", args.postgres)
    try:
        from django.db import connection
        from django.test import Client

        from servicecoach.org.models import Role
        from servicecoach.quality.models import Conversation

        print(machine())
        print(f"database: {connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}; "
              f"agents: {args.agents}; import: {args.n_import}; total: {args.total}")
        if args.reuse:
            from servicecoach.org.models import OrgUnit, Person, User

            people = list(Person.objects.order_by("employee_no")[:4])
            departments = list(OrgUnit.objects.filter(code__startswith="D").order_by("pk"))
            teams = list(OrgUnit.objects.filter(code__startswith="T").order_by("pk"))
            admin, supervisor, agent = (User.objects.get(username=f"{role}-bench")
                                        for role in (Role.ADMIN, Role.SUPERVISOR, Role.AGENT))
            print(f"reusing {Conversation.objects.count():,} conversations")
        else:
            departments, teams, people = build_large_org(args.agents)
            admin = grant_login(people[0], Role.ADMIN)
            supervisor = grant_login(people[1], Role.SUPERVISOR, unit=departments[1])
            agent = grant_login(people[2], Role.AGENT)
            load(args, people, tmp)

        # The dashboard reads the summary tables: after the SQL copies they must be rebuilt (back-fill),
        # so that the dashboard below answers over all the conversations.
        from django.db.models import Sum

        from servicecoach.review.models import DailySummary
        from servicecoach.review.summary import rebuild

        counted = DailySummary.objects.aggregate(n=Sum("n"))["n"] or 0
        stored = Conversation.objects.count()
        if counted != stored:
            (days, rows), _ = timed(f"rebuild the dashboard summary for {stored:,} conversations", rebuild)
            print(f"  {days} days, {rows:,} summary rows")
        clients = {}
        for name, user in (("admin", admin), ("supervisor", supervisor), ("agent", agent)):
            clients[name] = Client()
            clients[name].force_login(user)
        some = Conversation.objects.filter(agent=people[2]).order_by("-started_at").first()
        team = teams[1]
        latest = Conversation.objects.order_by("-started_at").values_list("started_at", flat=True).first()
        week_from = (latest - timedelta(days=7)).date().isoformat()
        month_from = (latest - timedelta(days=30)).date().isoformat()
        earliest = Conversation.objects.order_by("started_at").values_list("started_at", flat=True).first()
        span = f"date_from={earliest.date().isoformat()}&date_to={latest.date().isoformat()}"
        requests = [
            ("admin", "/qa/"),
            ("admin", f"/qa/?date_from={week_from}&channel=chat"),
            ("admin", f"/qa/?unit={team.pk}&date_from={month_from}&sort=score"),
            ("admin", "/qa/?rule=zh-forbidden-01"),
            ("admin", f"/qa/?rule=zh-pii-01&date_from={month_from}"),
            ("admin", "/qa/?red_line=yes&csat_max=2"),
            ("admin", "/qa/?score_min=0&score_max=60&reviewed=no"),
            ("admin", f"/qa/?agent={people[3].pk}"),
            ("admin", "/qa/?page=50"),
            ("supervisor", "/qa/"),
            ("supervisor", f"/qa/?date_from={month_from}&sort=-score"),
            ("agent", "/qa/"),
            ("agent", f"/qa/conversations/{some.pk}/"),
            ("admin", f"/qa/conversations/{some.pk}/"),
            ("admin", "/qa/review/dashboard/"),
            ("supervisor", "/qa/review/dashboard/"),
            ("admin", f"/qa/review/dashboard/?{span}"),  # every conversation stored
            ("supervisor", f"/qa/review/dashboard/?{span}"),
        ]
        from django.test.utils import CaptureQueriesContext

        width = max(len(url) for _, url in requests) + 2
        print(f"\n{'who':<11} {'page':<{width}} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        all_times = []
        for who, url in requests:
            client = clients[who]
            client.get(url)  # warm
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            all_times += times
            print(f"{who:<11} {url:<{width}} {statistics.median(times):>10.1f} {percentile(times, 95):>8.1f} "
                  f"{len(queries):>8}", flush=True)
        print(f"all pages: p95 {percentile(all_times, 95):.1f} ms over {len(all_times)} requests")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
