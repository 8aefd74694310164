"""The engine's test collection (``engine/testcollection/articles.jsonl``) as knowledge-base articles:
the demo loads it, and the web-layer ranking test measures search through the database with it."""

from __future__ import annotations

import re

from django.db import transaction

from servicecoach.knowledge import services
from servicecoach.knowledge.engine.collection import load_articles
from servicecoach.knowledge.models import Article, Kind, Status

_CASE = {"背景": "background", "问题": "problem", "处理": "handling", "结果": "result"}
_RISK = {"经过": "what_went_wrong", "违反": "rule", "后果": "consequence", "教训": "lesson"}


def _split_labelled(body: str, labels: dict[str, str], default: str) -> dict[str, str]:
    """``背景：…问题：…`` → ``{"background": "…", "problem": "…"}``; text before any label goes to ``default``."""
    pattern = re.compile("(" + "|".join(labels) + ")[：:]")
    fields: dict[str, str] = {}
    pieces = pattern.split(body)
    if pieces[0].strip():
        fields[default] = pieces[0].strip()
    for label, text in zip(pieces[1::2], pieces[2::2], strict=False):
        key = labels[label]
        fields[key] = (fields.get(key, "") + " " + text.strip()).strip()
    return fields


def article_fields(article: dict) -> dict:
    kind, body = article["kind"], article["body"]
    if kind == Kind.FAQ:
        return {"answer": body, "similar": article.get("similar", [])}
    if kind == Kind.SCRIPT:
        if article.get("category") == "开场白":
            return {"opening": body}
        if article.get("category") == "结束语":
            return {"closing": body}
        return {"scenarios": [{"scenario": article["title"], "text": body}]}
    if kind == Kind.CASE:
        fields = _split_labelled(body, _CASE, "background")
        fields["outcome"] = "bad" if "坏案例" in article["title"] or "差评" in article["title"] else "good"
        if article["title"].startswith("坏"):
            fields["outcome"] = "bad"
        return fields
    if kind == Kind.RISK:
        return _split_labelled(body, _RISK, "what_went_wrong")
    title = article["title"]
    area = "red_line" if "红线" in title else "privacy" if ("隐私" in title or "个人信息" in title) else "process"
    return {"area": area, "body": body}


@transaction.atomic
def load_collection(*, author=None, owner=None, owners: dict | None = None, limit: int | None = None,
                    key_prefix: str = "collection") -> dict[str, Article]:
    """Create (or find again) one article per collection article; returns them by collection id.

    Idempotent: an article is found again by its import key ``<key_prefix>:<collection id>``."""
    articles = load_articles()[:limit] if limit else load_articles()
    existing = {a.import_key: a for a in Article.objects.filter(import_key__startswith=f"{key_prefix}:")}
    result: dict[str, Article] = {}
    for item in articles:
        key = f"{key_prefix}:{item['id']}"
        article = existing.get(key)
        if article is None:
            article = services.article_create(
                kind=item["kind"], title=item["title"], fields=article_fields(item), author=author,
                category=item.get("category", ""), tags=item.get("tags", []),
                owner=(owners or {}).get(item["kind"], owner), status=Status.PUBLISHED, import_key=key,
            )
        result[item["id"]] = article
    return result
