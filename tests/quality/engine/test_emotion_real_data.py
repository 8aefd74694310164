"""The customer-emotion score against human satisfaction labels on real Weibo helpdesk dialogues
(STC-3 DCH-1). Skipped when the shared data directory is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from servicecoach.quality.engine.emotion import analyse, crude_count
from servicecoach.quality.engine.readers import ReadError, read_conversations
from servicecoach.quality.engine.stats import spearman

REPO = Path(__file__).resolve().parents[3]
DATA = (
    Path(os.environ.get("SERVICECOACH_SHARED_DIR", REPO.parent / "shared"))
    / "data"
    / "stc3-dch1-cn-train.jsonl"
)


@pytest.fixture(scope="module")
def dialogues():
    if not DATA.exists():
        pytest.skip(f"real dialogues not found at {DATA} (set SERVICECOACH_SHARED_DIR)")
    items = list(read_conversations([DATA]))
    assert not [x for x in items if isinstance(x, ReadError)]
    return items


def test_emotion_ranks_satisfaction_clearly_better_than_a_crude_word_count(dialogues):
    satisfaction = [c.labels["stc3_quality_mean"]["S"] for c in dialogues]
    ours = [-analyse(c).score for c in dialogues]
    crude = [-crude_count(c) for c in dialogues]
    # The weights were tuned on the even positions: the odd ones are held out, so check both halves.
    for half in (slice(0, None, 2), slice(1, None, 2)):
        rho_ours = spearman(ours[half], satisfaction[half])
        rho_crude = spearman(crude[half], satisfaction[half])
        assert rho_crude > 0  # the labels and the lexicon do carry the signal
        assert rho_ours > rho_crude + 0.1, (rho_ours, rho_crude)


def test_emotion_trend_agrees_with_satisfaction(dialogues):
    by_trend: dict[str, list[float]] = {}
    for c in dialogues:
        trend = analyse(c).trend
        if trend:
            by_trend.setdefault(trend, []).append(c.labels["stc3_quality_mean"]["S"])
    mean = {trend: sum(v) / len(v) for trend, v in by_trend.items()}
    assert mean["falling"] > mean["rising"] + 0.2
    assert mean["flat"] > mean["rising"]
