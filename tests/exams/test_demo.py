"""The demo data: loads on the demo organisation, gives a usable bank, exam and assessment, and loads twice
without adding anything."""

from __future__ import annotations

import pytest

from servicecoach.exams import demo
from servicecoach.exams.models import Assessment, Attempt, AttemptStatus, Question
from servicecoach.exams.selectors import marking_queue
from servicecoach.org.demo import demo_load as org_demo_load


@pytest.mark.django_db
def test_demo_loads_once_and_is_idempotent():
    org_demo_load()
    summary = demo.demo_load()
    assert summary.startswith("exams: 40 questions added")
    assert Question.objects.count() == 40
    attempts = list(Attempt.objects.all())
    assert len(attempts) == 4 and all(a.status != AttemptStatus.IN_PROGRESS for a in attempts)
    assert marking_queue().count() >= 1  # one essay left for the trainer
    assessment = Assessment.objects.get()
    graded = [c for c in assessment.candidates.all() if c.band_label]
    assert len(graded) == 3  # the fourth candidate's essay is not marked yet, so no theory result
    assert all(c.card is not None for c in assessment.candidates.all())
    again = demo.demo_load()
    assert again.startswith("exams: 0 questions added (40 already there), 0 attempts, 0 scenario cards")
    assert Question.objects.count() == 40 and Attempt.objects.count() == 4
