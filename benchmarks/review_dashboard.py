"""Benchmark: the QA dashboard (review app) with reviews, review items, problems and appeals in the
period, and the review queue and review form.

    .venv/bin/python benchmarks/review_dashboard.py [--conversations 100000] [--agents 200]
        [--reviewed 0.05] [--repeat 10] [--postgres postgres://user@host/db]

Data generator (timed apart, not the app): ``--conversations`` conversations of the last 30 days for
``--agents`` agents written in bulk (scores, red lines, CSAT, first response, duration, customer ids with
repeats, one automatic result and a few rule hits each), ``--reviewed`` of them reviewed (every scorecard
item, a point taken on ~8 % of the items with a problem type and severity, opened 3-15 minutes before
submission) and 5 % of the reviews appealed. Then each page is requested ``--repeat`` times through
Django's test client (the full stack but the network): median and 95th percentile in ms, for an
administrator (the whole company) and a supervisor (one department of ten).
The generator writes in bulk behind the services, so the dashboard's summary tables are then rebuilt
(``review_summary_rebuild``, timed). Without ``--postgres`` it runs on a throw-away SQLite file; a PostgreSQL database must be empty.
Figures go to docs/benchmarks.md, section "Quality review dashboard".
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from datetime import timedelta

from _common import build_large_org, django_in_temp_dir, grant_login, machine


def generate(args, people) -> None:
    from django.db import transaction
    from django.utils import timezone

    from servicecoach.quality.models import AutoResult, Conversation, RuleHit
    from servicecoach.quality.selectors import rule_catalogue
    from servicecoach.quality.services import versions_ensure_builtin
    from servicecoach.review.models import (
        Appeal,
        AppealItem,
        AppealStatus,
        ProblemType,
        Review,
        ReviewItem,
        ReviewKind,
        ReviewStatus,
        Severity,
    )
    from servicecoach.review.services import _item_rows

    rng = random.Random(2026)
    ruleset, card = versions_ensure_builtin()
    rules = list(rule_catalogue(ruleset))
    template = _item_rows(None, card)
    now = timezone.now()
    reviewers = people[:5]
    batch = 5000
    for first in range(0, args.conversations, batch):
        with transaction.atomic():
            rows = []
            for i in range(first, min(first + batch, args.conversations)):
                agent = people[i % len(people)]
                score = round(rng.uniform(35, 100), 2)
                rows.append(Conversation(
                    source="bench", external_id=f"b{i:07d}", agent=agent, agent_employee_no=agent.employee_no,
                    unit_id=agent.unit_id, started_at=now - timedelta(seconds=rng.randint(3600, 29 * 86400)),
                    customer_id=f"u{rng.randint(0, args.conversations // 2)}", csat=rng.choice([None, 1, 2, 3, 4, 5]),
                    messages=[], message_count=8, first_response_seconds=rng.uniform(2, 90),
                    duration_seconds=rng.uniform(60, 900), score=score, red_line=rng.random() < 0.02,
                    grade="pass" if score >= 60 else "fail"))
            Conversation.objects.bulk_create(rows)
            results = AutoResult.objects.bulk_create([AutoResult(
                conversation=c, ruleset=ruleset, scorecard=card, score=c.score, grade=c.grade, red_line=c.red_line,
                items=[]) for c in rows])
            hits = []
            for c, r in zip(rows, results):
                for rule in rng.sample(rules, rng.randint(0, 3)):
                    hits.append(RuleHit(result=r, conversation=c, rule_id=rule))
            RuleHit.objects.bulk_create(hits)
            reviewed = [c for c in rows if rng.random() < args.reviewed]
            reviews = Review.objects.bulk_create([Review(
                conversation=c, kind=ReviewKind.REGULAR, reviewer=reviewers[n % len(reviewers)], scorecard=card,
                status=ReviewStatus.SUBMITTED, score=round(rng.uniform(30, 100), 2), version=1,
                opened_at=now - timedelta(minutes=rng.randint(20, 40)),
                submitted_at=now - timedelta(minutes=rng.randint(3, 15))) for n, c in enumerate(reviewed)])
            items = []
            for review in reviews:
                for position, row in enumerate(template):
                    taken = not row["red_line"] and not row["bonus"] and rng.random() < 0.08
                    items.append(ReviewItem(
                        review=review, position=position, **(row | {"earned": 0.0 if taken else row["points"]}),
                        problem_type=rng.choice(ProblemType.values) if taken else "",
                        severity=rng.choice(Severity.values) if taken else ""))
            ReviewItem.objects.bulk_create(items, batch_size=5000)
            for review in reviews:
                if rng.random() < 0.05:
                    appeal = Appeal.objects.create(
                        review=review, agent=review.conversation.agent, comment="bench", due_on=now.date(),
                        status=rng.choice([AppealStatus.ACCEPTED, AppealStatus.REJECTED, AppealStatus.SUPERVISOR]),
                        score_before=review.score)
                    if appeal.status != AppealStatus.SUPERVISOR:
                        Appeal.objects.filter(pk=appeal.pk).update(decided_at=now + timedelta(hours=rng.randint(2, 60)))
                    item = ReviewItem.objects.filter(review=review).first()
                    AppealItem.objects.create(appeal=appeal, review_item=item)
            # a few open reviews for the queue
            for c in rows[:20]:
                if not Review.objects.filter(conversation=c).exists():
                    review = Review.objects.create(conversation=c, reviewer=reviewers[0], scorecard=card)
                    ReviewItem.objects.bulk_create([ReviewItem(review=review, position=n, **row)
                                                    for n, row in enumerate(template)])
        print(f"  generated {min(first + batch, args.conversations)} conversations", flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--reviewed", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    tmp = django_in_temp_dir("review-bench-", args.postgres)
    try:
        from django.db import connection
        from django.test import Client

        from servicecoach.org.models import Role
        from servicecoach.review.models import Review, ReviewItem

        print(machine())
        print(f"database: {connection.vendor}")
        departments, teams, people = build_large_org(args.agents)
        admin = grant_login(people[0], Role.ADMIN)
        supervisor = grant_login(people[1], Role.SUPERVISOR, unit=departments[0])
        for person in people[:5]:
            from servicecoach.org.services import role_grant

            role_grant(actor=None, person=person, role=Role.QA_REVIEWER)
        t0 = time.perf_counter()
        generate(args, people)
        print(f"data generator: {args.conversations} conversations, {Review.objects.count()} reviews, "
              f"{ReviewItem.objects.count()} review items in {time.perf_counter() - t0:.1f} s")
        # The generator writes behind the services' back: the summary is back-filled as after an upgrade.
        from servicecoach.review.summary import rebuild

        t0 = time.perf_counter()
        days, rows = rebuild()
        print(f"review_summary_rebuild: {days} days, {rows} summary rows in {time.perf_counter() - t0:.1f} s")
        clients = {}
        for who, user in (("admin", admin), ("supervisor", supervisor)):
            clients[who] = Client()
            clients[who].force_login(user)
        open_review = Review.objects.filter(status="pending").first()
        pages = [("admin", "/qa/review/dashboard/"), ("supervisor", "/qa/review/dashboard/"),
                 ("admin", "/qa/review/dashboard/repeat/"), ("supervisor", "/qa/review/dashboard/repeat/"),
                 ("admin", "/qa/review/reviews/"), ("admin", f"/qa/review/reviews/{open_review.pk}/edit/")]
        print(f"{'who':<11} {'page':<34} {'median ms':>10} {'p95 ms':>8}")
        for who, url in pages:
            clients[who].get(url)  # warm-up
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = clients[who].get(url)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            print(f"{who:<11} {url:<34} {statistics.median(times):>10.0f} {percentile(times, 95):>8.0f}", flush=True)
        # the dashboard's figures in-process, from the summary and from the detailed tables
        from django.utils import timezone

        from servicecoach.review import metrics

        end = timezone.localdate()
        for summary in (True, False):
            times = []
            for _ in range(3):
                start = time.perf_counter()
                metrics.dashboard(user=admin, unit=None, start=end - timedelta(days=29), end=end, summary=summary)
                times.append((time.perf_counter() - start) * 1000)
            print(f"metrics.dashboard(summary={summary}) administrator: median {statistics.median(times):.0f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
