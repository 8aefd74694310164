"""Knowledge search through the web layer: rebuild from the database, snapshot load, search latency with the
catch-up query and the article fetch, the search page, and the cost of an edit reaching the index.

    .venv/bin/python benchmarks/knowledge_web.py [--articles 50000] [--queries 2000] [--edits 50]

Articles are generated as in knowledge_search_speed.py and bulk-inserted into a throw-away SQLite database
(not through the services: 50,000 versions and audit entries would measure the services, not search).
Figures go in docs/benchmarks.md, section "Knowledge base in the web app".
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from pathlib import Path

import _common
from knowledge_search_speed import generate_articles, generate_queries, percentiles, rss_mb


def fields_for(article: dict) -> dict:
    kind, body = article["kind"], article["body"]
    return {
        "faq": {"answer": body, "similar": article["similar"]},
        "script": {"opening": body, "scenarios": [], "closing": ""},
        "case": {"outcome": "good", "background": body, "problem": "", "handling": "", "result": ""},
        "risk": {"what_went_wrong": body, "rule": "", "consequence": "", "lesson": ""},
        "standard": {"area": "process", "body": body},
    }[kind]


def insert(articles: list[dict]) -> None:
    from servicecoach.knowledge.models import Article, Category, Tag

    categories = {name: Category.objects.create(name=name) for name in sorted({a["category"] for a in articles})}
    tags = {name: Tag.objects.create(name=name) for name in sorted({t for a in articles for t in a["tags"]})}
    rows = Article.objects.bulk_create([
        Article(kind=a["kind"], title=a["title"][:200], status="published", fields=fields_for(a),
                category=categories[a["category"]], version=1) for a in articles
    ], batch_size=2000)
    through = Article.tags.through
    through.objects.bulk_create([through(article_id=row.pk, tag_id=tags[t].pk)
                                 for row, a in zip(rows, articles, strict=True) for t in a["tags"]],
                                batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    tmp = _common.django_in_temp_dir("kb-web-bench-")
    try:
        from django.conf import settings
        from django.test import Client

        from servicecoach.knowledge import search, selectors, services
        from servicecoach.knowledge.models import Article
        from servicecoach.org import services as org_services
        from servicecoach.org.models import Role, UnitKind

        settings.KNOWLEDGE_INDEX_DIR = Path(tmp) / "knowledge"
        settings.ALLOWED_HOSTS = ["*"]
        print(_common.machine())
        rng = random.Random(options.seed)
        articles = generate_articles(options.articles, rng)
        queries = generate_queries(options.queries, articles, rng)
        started = time.perf_counter()
        insert(articles)
        print(f"inserted {Article.objects.count()} articles in {time.perf_counter() - started:.1f} s")

        unit = org_services.unit_create(actor=None, name="客服组", code="KB", kind=UnitKind.TEAM)
        person = org_services.person_create(actor=None, employee_no="B1", name="客服", unit=unit)
        org_services.role_grant(actor=None, person=person, role=Role.AGENT)
        user = org_services.person_set_login(actor=None, person=person, username="agent", password=None)

        started = time.perf_counter()
        summary = search.rebuild()
        rebuild = time.perf_counter() - started
        size = (search.index_dir() / search.SNAPSHOT_NAME).stat().st_size
        print(f"rebuild from the database: {rebuild:.1f} s for {summary['articles']} articles; snapshot "
              f"{size / 2**20:.1f} MB; process RSS {rss_mb():.0f} MB")

        search.forget_process_index()
        started = time.perf_counter()
        selectors.article_search(user=user, query="退款多久到账")
        print(f"another process: load the snapshot and answer the first search: {time.perf_counter() - started:.2f} s")

        samples = []
        for query in queries:
            started = time.perf_counter()
            selectors.article_search(user=user, query=query)
            samples.append(time.perf_counter() - started)
        print(f"article_search (catch-up query + engine + article rows), {len(queries)} queries: {percentiles(samples)}")

        client = Client()
        client.force_login(user)
        page_times = []
        for query in queries[: options.pages]:
            started = time.perf_counter()
            response = client.get("/kb/", {"q": query, "live": "1"}, headers={"HX-Request": "true"})
            page_times.append(time.perf_counter() - started)
            assert response.status_code == 200
        print(f"search results (htmx partial, rendered), {len(page_times)} requests: {percentiles(page_times)}")

        edit_times, catch_up = [], []
        ids = list(Article.objects.filter(kind="faq").values_list("pk", flat=True)[: options.edits])
        for number, pk in enumerate(ids):
            article = Article.objects.get(pk=pk)
            started = time.perf_counter()
            services.article_update(article=article, author=None, title=f"{article.title}（第{number}次修订）")
            edit_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            result, _ = selectors.article_search(user=user, query=f"第{number}次修订")
            catch_up.append(time.perf_counter() - started)
            assert result.hits and int(result.hits[0].id) == pk, (number, [h.id for h in result.hits[:3]])
        print(f"article_update (version, audit, index change), {len(ids)} edits: {percentiles(edit_times)}")
        print(f"first search after each edit (applies it), {len(ids)} edits: {percentiles(catch_up)}")
        recent = []
        for query in queries[:300]:
            started = time.perf_counter()
            selectors.article_search(user=user, query=query)
            recent.append(time.perf_counter() - started)
        print(f"searches within 2 minutes of those edits (re-read, nothing to apply): {percentiles(recent)}")
        print(f"median {statistics.median(samples) * 1000:.1f} ms overall; RSS {rss_mb():.0f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
