"""Rule sets are validated on load; every message names the rule id (or the file) and the field."""

from __future__ import annotations

import copy

import pytest

from servicecoach.quality.engine.rules import RuleError, load_ruleset, parse_ruleset

GOOD_RULE = {
    "id": "zh-greeting-01", "name": {"zh": "问候", "en": "Greeting"}, "category": "communication",
    "severity": "minor", "condition": {"keywords": {"words": ["您好"], "role": "agent"}},
}


def load(rule_changes=None, top_changes=None):
    rule = copy.deepcopy(GOOD_RULE)
    rule.update(rule_changes or {})
    data = {"ruleset": "t", "version": "1", "synonyms": {"apology": ["抱歉"]}, "rules": [rule]}
    data.update(top_changes or {})
    return parse_ruleset(data, source="pack.yaml")


def message(**kw) -> str:
    with pytest.raises(RuleError) as info:
        load(**kw)
    return str(info.value)


@pytest.mark.parametrize(("condition", "expected"), [
    ({"keywords": {"words": ["a", "b"], "match": "at_least", "min": 0}},
     "rule zh-greeting-01, field condition.keywords.min: must be a positive integer"),
    ({"keywords": {"words": ["a"], "match": "at_least", "min": 2}},
     "rule zh-greeting-01, field condition.keywords.min: is 2 but only 1 words are listed"),
    ({"keywords": {"words": ["a"], "min": 1}}, "field condition.keywords.min: is only used with match: at_least"),
    ({"keywords": {"words": []}}, "field condition.keywords.words: must be a non-empty list"),
    ({"keywords": {"words": ["$nope"]}}, "field condition.keywords.words[0]: unknown synonym list '$nope' (known: apology)"),
    ({"keywords": {"words": ["a"], "role": "boss"}}, "field condition.keywords.role: must be one of agent, customer"),
    ({"keywords": {"words": ["a"], "position": {"first": 1, "last": 1}}}, "field condition.keywords.position: must hold exactly one"),
    ({"keywords": {"words": ["a"], "colour": "red"}}, "field condition.keywords.colour: unknown field"),
    ({"regex": {"pattern": "(unclosed"}}, "field condition.regex.pattern: not a valid regular expression"),
    ({"regex": {"pattern": "a*"}}, "field condition.regex.pattern: matches the empty string"),
    ({"timing": {"metric": "first_response"}}, "field condition.timing: needs a threshold: over and/or under"),
    ({"timing": {"metric": "latency", "over": 3}}, "field condition.timing.metric: must be one of first_response"),
    ({"timing": {"metric": "duration", "over": 3, "count": 2}}, "field condition.timing.count: is only used with metric: reply_latency"),
    ({"timing": {"metric": "left_waiting", "over": 3}}, "field condition.timing.over: is not used with metric: left_waiting"),
    ({"call": {"metric": "silence", "over": "ten"}}, "field condition.call.over: must be a number, not a string"),
    ({"count": {"metric": "repeat", "times": 1}}, "field condition.count.times: must be an integer >= 2"),
    ({"emotion": {}}, "field condition.emotion: needs over (a score threshold) and/or trend"),
    ({"label": {"name": "csat", "lte": "two"}}, "field condition.label.lte: must be a number"),
    ({"label": {"name": "csat"}}, "field condition.label: needs exactly one comparison"),
    ({"context": {"trigger": {"keywords": {"words": ["a"], "match": "none"}}, "expect": {"keywords": {"words": ["b"]}}}},
     "field condition.context.trigger: must be keywords (match: any), regex or sensitive"),
    ({"and": []}, "field condition.and: must be a non-empty list of conditions"),
    ({"and": [{"keywords": {"words": ["a"]}}, {"nor": 1}]}, "field condition.and[1]: must hold exactly one operator"),
    ({"keywords": {"words": ["a"]}, "regex": {"pattern": "b"}}, "field condition: must hold exactly one operator"),
])
def test_condition_errors_name_the_rule_and_the_field(condition, expected):
    assert expected in message(rule_changes={"condition": condition})


def test_rule_level_errors():
    assert "rule zh-greeting-01, field category: must be one of attitude" in message(rule_changes={"category": "speed"})
    assert "rule zh-greeting-01, field severity: must be one of minor, general, severe" in message(rule_changes={"severity": 3})
    assert "rule zh-greeting-01, field name.en: must be a non-empty string" in message(rule_changes={"name": {"zh": "问候"}})
    assert "rule zh-greeting-01, field condition: must be a mapping, not empty" in message(rule_changes={"condition": None})
    assert "field rules[0].id" in message(rule_changes={"id": "bad id!"})


def test_duplicate_rule_ids_are_refused():
    data = {"ruleset": "t", "version": "1", "rules": [GOOD_RULE, GOOD_RULE]}
    with pytest.raises(RuleError, match="rule zh-greeting-01, field id: is used by two rules"):
        parse_ruleset(data)


def test_rule_set_level_errors_name_the_file():
    assert "rule set pack.yaml, field version: must be a non-empty string" in message(top_changes={"version": ""})
    assert "rule set pack.yaml, field synonyms.apology[0]: must be a non-empty string without control characters, not int" in message(
        top_changes={"synonyms": {"apology": [12315]}})
    assert "rule set pack.yaml, field rules: must be a non-empty list" in message(top_changes={"rules": []})
    assert "rule set pack.yaml, field owner: unknown field" in message(top_changes={"owner": "me"})


def test_numeric_versions_are_kept_as_strings():
    assert load(top_changes={"version": 2}).version == "2"


def test_yaml_errors_and_missing_files_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"rule set .*bad.yaml: not valid YAML at line \d+"):
        load_ruleset(bad)
    with pytest.raises(RuleError, match="rule set .*missing.yaml: rule set file not found"):
        load_ruleset(tmp_path / "missing.yaml")
