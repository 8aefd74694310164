"""score_batch (the scorecard over a batch's states matrix) against score(..., shared=True), item
record for item record: on every scorecard feature (deduct/award/manual, several rules per item, red
lines, bonus items with and without bonus_lifts, fractional points, rules the outcome lacks) and on
the built-in cards."""

from __future__ import annotations

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.quality.engine.measures import Outcome
from servicecoach.quality.engine.rules import load_ruleset
from servicecoach.quality.engine.scorecard import (
    load_scorecard,
    parse_scorecard,
    score,
    score_batch,
    score_batch_json,
)

STATE = {1: True, 0: False, -1: None}
RULES = ["r0", "r1", "r2", "r3"]


def _check(card, rule_ids, matrix):
    states = np.array(matrix, dtype=np.int8).reshape(len(matrix), len(rule_ids))
    got = score_batch(card, rule_ids, states)
    assert len(got) == len(matrix)
    # the serialised item records are the records' JSON, byte for byte
    with_json, fragments = score_batch_json(card, rule_ids, states)
    assert with_json == got
    assert [orjson.dumps(f) for f in fragments] == [orjson.dumps(r.items) for r in got]
    for row, result in zip(matrix, got):
        expected = score(card, Outcome(states={r: STATE[v] for r, v in zip(rule_ids, row)}), shared=True)
        assert result == expected, (row, result, expected)
        assert [repr(i) for i in result.items] == [repr(i) for i in expected.items]  # 0.0 stays 0.0, not 0
    return got


@st.composite
def cards(draw):
    sections = []
    n_items = 0
    for s in range(draw(st.integers(1, 3))):
        items = []
        for _ in range(draw(st.integers(1, 4))):
            mode = draw(st.sampled_from(["deduct", "award", "manual"]))
            rules = draw(st.lists(st.sampled_from(RULES + ["missing"]), min_size=0 if mode == "manual" else 1, max_size=3,
                                  unique=True))
            bonus = mode == "award" and draw(st.booleans())
            items.append({
                "id": f"i{n_items}", "name": {"zh": "项", "en": "item"}, "rules": rules, "mode": mode, "bonus": bonus,
                "points": draw(st.sampled_from([0, 1, 2.5, 5, 0.1, 0.7, 10, 33.3])), "red_line": draw(st.booleans()),
            })
            n_items += 1
        sections.append({"id": f"s{s}", "name": {"zh": "节", "en": "section"}, "items": items,
                         "bonus_lifts": draw(st.booleans())})
    grades = [{"min": 90, "grade": "A"}, {"min": 33.33, "grade": "B"}, {"min": 0, "grade": "C"}]
    return parse_scorecard({"scorecard": "c", "version": "1", "grades": grades, "sections": sections})


@settings(max_examples=300, deadline=None)
@given(cards(), st.lists(st.lists(st.sampled_from([1, 0, -1]), min_size=4, max_size=4), min_size=1, max_size=12))
def test_score_batch_equals_score_on_random_cards_and_states(card, matrix):
    _check(card, RULES, matrix)


def test_score_batch_equals_score_on_the_built_in_cards():
    rng = np.random.default_rng(7)
    for pack in ("zh", "en"):
        ruleset, card = load_ruleset(pack), load_scorecard(pack)
        ids = [r.id for r in ruleset.rules]
        # mostly "did not fire", as in real results, plus every rule alone fired and not applicable
        matrix = rng.choice([0, 0, 0, 1, -1], size=(400, len(ids))).tolist()
        matrix += [[1 if j == k else 0 for j in range(len(ids))] for k in range(len(ids))]
        matrix += [[-1] * len(ids), [0] * len(ids), [1] * len(ids)]
        got = _check(card, ids, matrix)
        assert {r.red_line for r in got} == {True, False}
        assert len({r.score for r in got}) > 20


def test_score_batch_of_no_conversations():
    card = load_scorecard("zh")
    ids = [r.id for r in load_ruleset("zh").rules]
    assert score_batch(card, ids, np.zeros((0, len(ids)), dtype=np.int8)) == []
