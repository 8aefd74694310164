"""The per-conversation result record: fields, versions, determinism."""

from __future__ import annotations

import orjson

from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.results import Inspector

CONV = Conversation(id="c-1", source="shop-a", messages=[
    Message("customer", "我要投诉，快递三天了还没到！", 0), Message("agent", "请问订单号？", 70),
    Message("customer", "123", 80), Message("agent", "已催促，请问还有什么可以帮您？再见", 100),
])


def test_result_record_fields():
    result = Inspector.load("zh").inspect(CONV)
    assert list(result) == [
        "id", "source", "score", "grade", "red_line", "customer_emotion", "emotion_trend", "hits",
        "not_applicable", "items", "ruleset", "scorecard",
    ]
    assert (result["id"], result["source"]) == ("c-1", "shop-a")
    assert result["ruleset"] == {"id": "zh-default", "version": "2026.11.1"}
    assert result["scorecard"] == {"id": "zh-default-card", "version": "2026.11.1"}
    assert 0 <= result["score"] <= 100 and result["grade"] in ("excellent", "good", "pass", "fail")
    assert result["customer_emotion"] > 0
    rules = {h["rule"] for h in result["hits"]}
    assert {"zh-apology-01", "zh-first-reply-01"} <= rules and "zh-greeting-01" not in rules
    apology = next(h for h in result["hits"] if h["rule"] == "zh-apology-01")
    assert apology == {"rule": "zh-apology-01", "message": 0, "start": 2, "end": 4, "text": "投诉"}
    assert "zh-silence-01" in result["not_applicable"]
    item = next(i for i in result["items"] if i["item"] == "first-reply")
    assert item == {"section": "efficiency", "item": "first-reply", "points": 5.0, "earned": 0.0, "applicable": True,
                    "red_line": False, "bonus": False, "manual": False, "rules": ["zh-first-reply-01"]}


def test_results_are_reproducible_across_backends_and_runs():
    lines = {orjson.dumps(Inspector.load("zh", backend=b).inspect(CONV)) for b in ("hyperscan", "ahocorasick", "python")}
    assert len(lines) == 1
    assert orjson.dumps(Inspector.load("zh").inspect(CONV)) in lines


def test_inspect_json_is_the_same_record_with_shared_item_entries():
    inspector = Inspector.load("zh")
    other = Conversation(id="c-2", messages=[Message("customer", "你有病吧", 0), Message("agent", "你有病吧", 5)])
    for conv in (CONV, other, CONV):
        line, record = inspector.inspect_json(conv)
        assert line == orjson.dumps(inspector.inspect(conv))
        assert orjson.loads(line) == orjson.loads(orjson.dumps(record))
