"""Demo data of the knowledge base on the demo organisation (org/demo.py): the 300 articles of the search
test collection (FAQs, script templates, cases, risk cases, service standards) owned by the trainer and the
QA reviewer, a few past their review date, and one service standard awaiting acknowledgement by everyone in the
customer service and e-commerce departments. Idempotent: articles are found again by their import key, the request by its note."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from servicecoach.knowledge import services
from servicecoach.knowledge.collection import load_collection
from servicecoach.knowledge.models import AcknowledgementRequest, Article, Kind
from servicecoach.org.models import OrgUnit, Person, User

DEMO_REQUEST_NOTE = "2026 版服务红线：请全体客服阅读并确认"


@transaction.atomic
def demo_load() -> str:
    admin = User.objects.filter(username="admin").first()
    trainer = Person.objects.filter(user__username="trainer").first()
    qa = Person.objects.filter(user__username="qa").first()
    owners = {Kind.FAQ: trainer, Kind.SCRIPT: trainer, Kind.CASE: qa, Kind.RISK: qa, Kind.STANDARD: trainer}
    before = Article.objects.count()
    articles = load_collection(author=admin, owners=owners, key_prefix="demo")
    created = Article.objects.count() - before
    if created:
        # a few articles of each owner are due for review, so the "past review date" list has something
        today = timezone.localdate()
        for number, key in enumerate(("faq-001", "faq-010", "script-001", "case-001", "risk-001")):
            article = articles[key]
            review = today - timedelta(days=3 + number) if number % 2 == 0 else today + timedelta(days=60)
            Article.objects.filter(pk=article.pk).update(review_date=review)
        first, second = articles["faq-001"], articles["faq-002"]
        services.article_update(article=first, author=admin, related=[second], note="关联取消订单")
    standard = articles["standard-001"]
    requested = 0
    if not AcknowledgementRequest.objects.filter(article=standard, note=DEMO_REQUEST_NOTE).exists():
        units = list(OrgUnit.objects.filter(code__in=["HX-CS", "HX-EC"])) or list(OrgUnit.objects.filter(parent__isnull=True)[:1])
        if units:
            services.acknowledgement_request_create(article=standard, units=units, actor=admin,
                                                    note=DEMO_REQUEST_NOTE,
                                                    due_date=timezone.localdate() + timedelta(days=7))
            requested = 1
    return (f"{len(articles)} articles ({created} new), "
            f"{requested} acknowledgement request for “{standard.title}”")
