"""Scorecard arithmetic: deduct/award, N/A leaves the denominator, red lines, bonus caps, grades."""

from __future__ import annotations

import pytest

from servicecoach.quality.engine.measures import Outcome
from servicecoach.quality.engine.rules import RuleError, parse_ruleset
from servicecoach.quality.engine.scorecard import load_scorecard, parse_scorecard, score

GRADES = [{"min": 90, "grade": "A"}, {"min": 60, "grade": "B"}, {"min": 0, "grade": "C"}]


def card(sections, **extra):
    return parse_scorecard({"scorecard": "c", "version": "3", "grades": GRADES, "sections": sections, **extra}, source="card.yaml")


def item(item_id, points, rules, **kw):
    return {"id": item_id, "name": {"zh": item_id, "en": item_id}, "points": points, "rules": rules, **kw}


def section(sec_id, items, **kw):
    return {"id": sec_id, "name": {"zh": sec_id, "en": sec_id}, "items": items, **kw}


def outcome(**states):
    return Outcome(states=states)


BASIC = card([section("s", [item("a", 10, ["ra"]), item("b", 30, ["rb"]), item("c", 60, ["rc"])])])


def test_deduct_items_lose_their_points_when_a_rule_fires():
    result = score(BASIC, outcome(ra=True, rb=False, rc=False))
    assert (result.score, result.grade, result.red_line) == (90.0, "A", False)
    assert [(i["item"], i["earned"], i["applicable"], i["rules"]) for i in result.items] == [
        ("a", 0.0, True, ["ra"]), ("b", 30.0, True, []), ("c", 60.0, True, [])]


def test_not_applicable_items_leave_the_denominator():
    # a (10) fired, b (30) not applicable: 60 / 70
    result = score(BASIC, outcome(ra=True, rb=None, rc=False))
    assert result.score == pytest.approx(85.71)
    assert result.items[1]["applicable"] is False and result.items[1]["earned"] is None
    assert (result.earned, result.applicable) == (60.0, 70.0)


def test_an_item_with_several_rules_applies_when_any_applies_and_fails_when_any_fires():
    c = card([section("s", [item("a", 10, ["r1", "r2"])])])
    assert score(c, outcome(r1=None, r2=False)).score == 100.0
    assert score(c, outcome(r1=None, r2=True)).score == 0.0
    assert score(c, outcome(r1=None, r2=None)).score is None


def test_score_is_null_when_nothing_applies():
    result = score(BASIC, outcome(ra=None, rb=None, rc=None))
    assert (result.score, result.grade) == (None, None)


def test_rules_missing_from_the_outcome_count_as_not_applicable():
    assert score(BASIC, outcome(ra=False)).score == 100.0


def test_a_fired_red_line_fails_the_whole_conversation():
    c = card([section("s", [item("a", 100, ["ra"]), item("rude", 0, ["rr"], red_line=True)])])
    result = score(c, outcome(ra=False, rr=True))
    assert (result.score, result.red_line, result.grade) == (0.0, True, "C")
    assert score(c, outcome(ra=False, rr=False)).red_line is False


def test_award_items_earn_points_when_a_rule_fires():
    c = card([section("s", [item("a", 50, ["ra"], mode="award"), item("b", 50, ["rb"])])])
    assert score(c, outcome(ra=True, rb=False)).score == 100.0
    assert score(c, outcome(ra=False, rb=False)).score == 50.0


def test_bonus_fills_lost_points_within_its_section_but_not_beyond_unless_allowed():
    items = [item("a", 10, ["ra"]), item("b", 10, ["rb"]), item("bonus", 5, ["rx"], mode="award", bonus=True)]
    capped = card([section("s", items), section("t", [item("c", 20, ["rc"])])])
    # a lost 10 of 20 in s, bonus gives 5 back: s = 15, t = 20 -> 35/40
    assert score(capped, outcome(ra=True, rb=False, rx=True, rc=False)).score == 87.5
    # nothing lost: the bonus cannot lift s above its 20 points
    assert score(capped, outcome(ra=False, rb=False, rx=True, rc=True)).score == 50.0
    lifting = card([section("s", items, bonus_lifts=True), section("t", [item("c", 20, ["rc"])])])
    # s = 25 (lifted), t = 0: 25/40
    assert score(lifting, outcome(ra=False, rb=False, rx=True, rc=True)).score == 62.5
    # lifted, but the total is capped at 100
    assert score(lifting, outcome(ra=False, rb=False, rx=True, rc=False)).score == 100.0


def test_bonus_points_are_not_in_the_denominator():
    c = card([section("s", [item("a", 10, ["ra"]), item("bonus", 5, ["rx"], mode="award", bonus=True)])])
    result = score(c, outcome(ra=False, rx=False))
    assert (result.score, result.applicable) == (100.0, 10.0)


def test_manual_items_wait_for_a_human_and_stay_out_of_the_automatic_score():
    c = card([section("s", [item("a", 10, ["ra"]), item("accuracy", 90, [], mode="manual")])])
    result = score(c, outcome(ra=False))
    assert result.score == 100.0
    assert (result.items[1]["manual"], result.items[1]["applicable"], result.items[1]["earned"]) == (True, False, None)


def test_grade_bands_pick_the_highest_band_reached():
    assert BASIC.grade(90) == "A" and BASIC.grade(89.99) == "B" and BASIC.grade(0) == "C"


@pytest.mark.parametrize(("change", "expected"), [
    ({"points": -1}, "field sections.s.items.a.points: must be a number >= 0"),
    ({"mode": "subtract"}, "field sections.s.items.a.mode: must be one of deduct, award, manual"),
    ({"rules": []}, "field sections.s.items.a.rules: an item with mode deduct needs at least one rule"),
    ({"bonus": True}, "field sections.s.items.a.bonus: a bonus item must have mode: award"),
    ({"weight": 2}, "field sections.s.items[0].weight: unknown field"),
])
def test_scorecard_validation_names_the_item_and_field(change, expected):
    with pytest.raises(RuleError) as info:
        card([section("s", [item("a", 10, ["ra"]) | change])])
    assert f"scorecard card.yaml, {expected}" in str(info.value)


def test_a_scorecard_naming_an_unknown_rule_is_refused():
    rs = parse_ruleset({"ruleset": "rs", "version": "1", "rules": [
        {"id": "ra", "name": {"zh": "a", "en": "a"}, "category": "process", "severity": "minor",
         "condition": {"channel": ["chat"]}}]})
    with pytest.raises(RuleError, match="scorecard card.yaml, field sections.s.items.b.rules: names rule 'rb', which rule set rs does not have"):
        BASIC.check_rules(rs)
    with pytest.raises(RuleError, match="was written for rule set 'other'"):
        card([section("s", [item("a", 10, ["ra"])])], ruleset="other").check_rules(rs)


def test_builtin_scorecards_load():
    for name in ("zh", "en"):
        c = load_scorecard(name)
        assert c.grades and c.sections
