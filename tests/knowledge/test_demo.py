"""The demo data: every kind of article, one standard awaiting acknowledgement, and loading twice changes nothing."""

from __future__ import annotations

import pytest

from servicecoach.knowledge.demo import demo_load
from servicecoach.knowledge.models import Acknowledgement, Article, ArticleVersion, Kind
from servicecoach.org.demo import demo_load as org_demo_load
from servicecoach.org.models import User

pytestmark = pytest.mark.django_db


def test_demo_has_every_kind_a_pending_standard_and_is_idempotent():
    org_demo_load()
    summary = demo_load()
    assert "300" in summary
    assert set(Article.objects.values_list("kind", flat=True)) == set(Kind.values)
    agent = User.objects.get(username="agent")
    pending = Acknowledgement.objects.filter(person__user=agent, acknowledged_at__isnull=True)
    assert pending.count() == 1 and pending.get().request.article.kind == Kind.STANDARD
    counts = (Article.objects.count(), ArticleVersion.objects.count(), Acknowledgement.objects.count())
    demo_load()
    assert (Article.objects.count(), ArticleVersion.objects.count(), Acknowledgement.objects.count()) == counts
