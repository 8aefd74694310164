"""Marking lesson quizzes and drawing the daily quiz: plain data in, plain data out."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping
from datetime import date


def mark(correct: Mapping[int, frozenset[int]], answers: Mapping[int, Iterable[int]]) -> tuple[int, dict[int, bool]]:
    """Score in whole percent and, per question, whether it was right.

    A question is right when the chosen answers are exactly its correct ones (all or nothing, so that
    ticking every box of a multiple-choice question earns nothing); an unanswered question is wrong."""
    if not correct:
        return 0, {}
    right = {qid: frozenset(answers.get(qid, ())) == expected for qid, expected in correct.items()}
    return round(100 * sum(right.values()) / len(right)), right


def daily_seed(person_id: int, day: date) -> int:
    """A seed fixed by learner and day (stable across processes, unlike hash())."""
    digest = hashlib.sha256(f"daily-quiz:{person_id}:{day.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def draw_daily(question_ids: Iterable[int], *, person_id: int, day: date, count: int) -> list[int]:
    """Up to ``count`` question ids from the pool, the same ones for the same learner, day and pool."""
    pool = sorted(set(question_ids))
    if len(pool) <= count:
        chosen = pool
    else:
        chosen = random.Random(daily_seed(person_id, day)).sample(pool, count)
    return sorted(chosen)
