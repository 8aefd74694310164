"""The review demo builds on the organisation and quality demos, and a second load changes nothing."""

from __future__ import annotations

from servicecoach.org.demo import demo_load as org_demo
from servicecoach.quality.demo import demo_load as quality_demo
from servicecoach.review.demo import demo_load
from servicecoach.review.models import (
    Appeal,
    AppealStatus,
    CalibrationSession,
    CaseWriteUp,
    Review,
    ReviewStatus,
)


def test_demo_loads_once_with_every_part_of_the_loop(db):
    org_demo()
    quality_demo()
    summary = demo_load()
    assert summary.startswith("review: 2 plans")
    assert Review.objects.filter(status=ReviewStatus.SUBMITTED, kind="regular").count() > 5
    assert Review.objects.exclude(status=ReviewStatus.SUBMITTED).filter(reviewer__user__username="qa").exists()
    assert Appeal.objects.get().status == AppealStatus.SUPERVISOR
    assert CaseWriteUp.objects.filter(published_at__isnull=False).count() == 1
    assert CalibrationSession.objects.count() == 1
    reviews = Review.objects.count()
    assert demo_load() == "review: demo plans already there"
    assert Review.objects.count() == reviews
