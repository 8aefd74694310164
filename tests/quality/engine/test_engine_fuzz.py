"""Whatever valid conversation comes in, the built-in packs score it without crashing and every
result keeps its invariants (spans point at the text, score in range, every item present)."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.quality.engine.readers import ConversationFormatError, parse_conversation
from servicecoach.quality.engine.results import Inspector

PIECES = ["您好", "抱歉", "投诉", "垃圾！！", "13812345678", "4111 1111 1111 1111", "转接", "吗？", "hello", "SORRY",
          "I guarantee", "😀", "\n", " ", "，", "。", "保证能", "退款", "\x00", "İ"]


@cache
def inspector(pack: str) -> Inspector:
    return Inspector.load(pack)


numbers = st.one_of(st.none(), st.floats(min_value=-100, max_value=1e5, allow_nan=False), st.integers(-10, 10**6))


@st.composite
def records(draw):
    msgs = []
    for _ in range(draw(st.integers(1, 12))):
        msg = {
            "role": draw(st.sampled_from(["customer", "agent", "bot", "system"])),
            "text": "".join(draw(st.lists(st.sampled_from(PIECES), max_size=6))),
        }
        offset, end = draw(numbers), draw(numbers)
        if offset is not None:
            msg["offset"] = offset
        if end is not None:
            msg["end"] = end
        msgs.append(msg)
    labels = draw(st.sampled_from([{}, {"csat": 1}, {"csat": "x"}, {"tags": ["退款"]}, {"tags": "refund"}, {"csat": None}]))
    return {"id": "f", "channel": draw(st.sampled_from(["chat", "call", "email", "social"])), "messages": msgs, "labels": labels}


@settings(max_examples=150, deadline=None)
@given(records(), st.sampled_from(["zh", "en"]))
def test_any_valid_conversation_is_scored_with_sane_fields(record, pack):
    try:
        conv = parse_conversation(record)
    except ConversationFormatError:
        return
    insp = inspector(pack)
    result = insp.inspect(conv)
    assert result["score"] is None or 0 <= result["score"] <= 100
    assert result["red_line"] is False or result["score"] == 0
    rule_ids = [r.id for r in insp.ruleset.rules]
    assert set(result["not_applicable"]) <= set(rule_ids)
    for hit in result["hits"]:
        assert hit["rule"] in rule_ids and hit["rule"] not in result["not_applicable"]
        if hit["message"] is None:
            assert (hit["start"], hit["end"], hit["text"]) == (None, None, "")
        else:
            assert conv.messages[hit["message"]].text[hit["start"]:hit["end"]] == hit["text"]
    assert len(result["items"]) == sum(len(s.items) for s in insp.scorecard.sections)
