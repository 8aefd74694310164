"""Sensitive data sent by the agent: mobile numbers, ID-card numbers (GB 11643), bank cards (Luhn)."""

from __future__ import annotations

import pytest

from servicecoach.quality.engine import reference
from servicecoach.quality.engine.fast import CompiledRuleSet
from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.rules import parse_ruleset
from servicecoach.quality.engine.sensitive import find_sensitive, id_card_ok, luhn_ok

ALL = ("mobile", "id_card", "bank_card")
ID = "11010519491231002X"  # the GB 11643 standard's own example


def test_luhn():
    assert luhn_ok("4111111111111111")
    assert luhn_ok("79927398713")
    assert not luhn_ok("4111111111111112")


def test_id_card_check_character_and_birth_date():
    assert id_card_ok(ID)
    assert id_card_ok(ID.lower())
    assert not id_card_ok("110105194912310021")  # wrong check character
    assert not id_card_ok("110105194913310029")  # month 13


@pytest.mark.parametrize(("text", "kinds"), [
    ("我的手机13812345678", ["mobile"]),
    ("电话 +86 138-1234-5678 联系", ["mobile"]),
    ("电话 138****5678", []),  # masked
    ("订单号 123456789012", []),
    (f"身份证{ID}已登记", ["id_card"]),
    ("身份证110105194912310021", []),
    ("卡号 4111 1111 1111 1111", ["bank_card"]),
    ("卡号 4111111111111112", []),
    ("手机138123456789", []),  # 12 digits: not a mobile number
])
def test_find_sensitive(text, kinds):
    assert [k for _s, _e, k in find_sensitive(text, ALL)] == kinds


def test_an_18_digit_id_number_is_not_also_reported_as_a_bank_card():
    both = "110105194912300219"
    assert id_card_ok(both) and luhn_ok(both)
    assert [k for *_, k in find_sensitive(both, ALL)] == ["id_card"]
    assert find_sensitive(both, ("bank_card",)) == []


def test_only_the_agents_messages_count_by_default_and_spans_cover_the_number():
    rs = parse_ruleset({"ruleset": "t", "version": "1", "rules": [{
        "id": "pii", "name": {"zh": "泄露", "en": "leak"}, "category": "compliance", "severity": "severe",
        "condition": {"sensitive": {}},
    }]})
    conv = Conversation(id="c", messages=[
        Message("customer", "我的号码13812345678"), Message("agent", "好的，已登记 4111 1111 1111 1111 卡"),
    ])
    for outcome in (reference.evaluate(rs, conv), CompiledRuleSet(rs).evaluate(conv)):
        assert outcome.hits == [("pii", 1, 7, 26, "4111 1111 1111 1111")]
