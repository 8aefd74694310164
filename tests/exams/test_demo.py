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


@pytest.mark.django_db
def test_with_the_programmes_demo_an_exam_and_an_assessment_follow_the_programme():
    from servicecoach.exams.models import AttendanceSource, Exam
    from servicecoach.exams.selectors import exam_candidates
    from servicecoach.programmes.demo import PROGRAMME
    from servicecoach.programmes.demo import demo_load as programmes_demo_load
    from servicecoach.programmes.models import Programme

    org_demo_load()
    programmes_demo_load()
    summary = demo.demo_load()
    programme = Programme.objects.get(title=PROGRAMME)
    assert "attendance from the programme" in summary
    exam = Exam.objects.get(title=demo.PROGRAMME_EXAM_TITLE)
    participants = set(programme.participants.values_list("pk", flat=True))
    assert set(exam_candidates(exam).values_list("pk", flat=True)) == participants
    assessment = Assessment.objects.get(title=demo.PROGRAMME_ASSESSMENT_TITLE)
    assert set(assessment.candidates.values_list("person_id", flat=True)) == participants
    from_programme = assessment.candidates.filter(attendance_source=AttendanceSource.PROGRAMME)
    assert from_programme.exists() and all(c.attendance_rate is not None for c in from_programme)
    assert "already there" in demo.demo_load()
    assert Assessment.objects.filter(title=demo.PROGRAMME_ASSESSMENT_TITLE).count() == 1
