"""Answers saved at the same time from several connections (two tabs, a re-sent queue, the deadline job).

Real concurrency needs a database server with row locks: on PostgreSQL (CI runs the suite there) each thread
has its own connection; SQLite's test database is one in-memory connection, so these tests skip there."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection, connections

from servicecoach.exams import services
from servicecoach.exams.models import AttemptItem, AttemptStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _needs_a_server():
    if connection.vendor == "sqlite":
        pytest.skip("concurrent connections need PostgreSQL (SERVICECOACH_DATABASE_URL)")


def _in_threads(functions):
    errors = []
    barrier = threading.Barrier(len(functions))

    def run(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # noqa: BLE001 - collected and re-raised below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_saves_of_one_question_keep_the_latest_edit(org, fixed_paper, make_exam):
    attempt = services.attempt_start(exam=make_exam(fixed_paper), person=org.people["agent"])
    item = attempt.items.get(version__question__key="sa")
    edits = list(range(1, 17))
    random.Random(5).shuffle(edits)  # the edits arrive in any order
    results = []
    errors = _in_threads([
        (lambda t=t: results.append(services.answer_save(attempt=attempt, position=item.position,
                                                         answer=f"第{t}次", client_time=t)))
        for t in edits
    ])
    assert errors == []
    item.refresh_from_db()
    assert item.answer == "第16次" and item.client_time == 16
    assert item.revision == sum(r.applied for r in results)  # every applied save counted once, none lost


def test_saves_racing_the_deadline_submission_are_either_kept_or_refused(org, fixed_paper, make_exam):
    attempt = services.attempt_start(exam=make_exam(fixed_paper), person=org.people["agent"])
    positions = list(attempt.items.values_list("position", flat=True))
    outcomes = {}

    def save(position):
        def fn():
            try:
                services.answer_save(attempt=attempt, position=position, answer=None, client_time=position)
                outcomes[position] = "saved"
            except services.AnswerRefused:
                outcomes[position] = "refused"
        return fn

    errors = _in_threads([save(p) for p in positions] + [lambda: services.attempt_submit(attempt=attempt)])
    assert errors == []
    attempt.refresh_from_db()
    assert attempt.status != AttemptStatus.IN_PROGRESS
    # a save either happened before the submission (and was marked with it) or was refused: never half
    for position, outcome in outcomes.items():
        stored = AttemptItem.objects.get(attempt=attempt, position=position)
        assert (stored.client_time == position) == (outcome == "saved")
        assert stored.status != ""  # marked with the submission
