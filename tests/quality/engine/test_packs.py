"""The built-in packs: they load, and each rule catches what docs/qa-packs.md says it catches."""

from __future__ import annotations

from functools import cache

import pytest

from servicecoach.quality.engine.model import Conversation, Message
from servicecoach.quality.engine.results import Inspector
from servicecoach.quality.engine.rules import load_ruleset

GOOD_ZH = [
    ("customer", "你好，我的快递三天了还没到", 0),
    ("agent", "您好，很高兴为您服务，很抱歉让您久等了，我马上为您查询", 15),
    ("customer", "好的", 30),
    ("agent", "已为您催促站点，预计明天送达，请您放心", 50),
    ("agent", "请问还有什么可以帮您？", 55),
    ("customer", "没有了，谢谢", 70),
    ("agent", "感谢您的耐心，祝您生活愉快，再见", 80),
]


def conv(msgs, **kw):
    return Conversation(id="t", messages=[Message(role=r, text=t, time=at) for r, t, at in msgs], **kw)


@cache
def inspector(pack: str) -> Inspector:
    return Inspector.load(pack)


def fired(pack: str, conversation: Conversation) -> set[str]:
    return {h["rule"] for h in inspector(pack).inspect(conversation)["hits"]}


def test_a_model_conversation_fires_only_the_bonus():
    result = inspector("zh").inspect(conv(GOOD_ZH))
    assert {h["rule"] for h in result["hits"]} == {"zh-empathy-01"}
    assert (result["score"], result["grade"], result["red_line"]) == (100.0, "excellent", False)


def with_agent(text, at=60):
    msgs = list(GOOD_ZH)
    msgs.insert(4, ("agent", text, at))
    return conv(msgs)


@pytest.mark.parametrize(("rule", "conversation"), [
    ("zh-greeting-01", conv([("customer", "在吗", 0), ("agent", "说", 5), ("agent", "什么事", 6)])),
    ("zh-closing-01", conv(GOOD_ZH[:-1])),
    ("zh-confirm-01", conv([m for m in GOOD_ZH if "还有什么" not in m[1]])),
    ("zh-apology-01", conv([("customer", "太差了，我要投诉", 0), ("agent", "您好，请提供订单号", 10), ("agent", "再见", 20)])),
    ("zh-forbidden-01", with_agent("这个我也不知道，这是规定")),
    ("zh-rude-01", with_agent("你有病吧")),
    ("zh-impatient-01", with_agent("您快点说重点")),
    ("zh-push-away-01", with_agent("这个不归我们管，你找别人")),
    ("zh-promise-01", with_agent("我保证明天一定能送达")),
    ("zh-pii-01", with_agent("已帮您改成13812345678")),
    ("zh-off-platform-01", with_agent("您加我微信，私下处理")),
    ("zh-jargon-01", with_agent("已经给您提了逆向单，在工单池里")),
    ("zh-transfer-01", with_agent("给您转接一下")),
    ("zh-self-repeat-01", conv(GOOD_ZH + [("agent", "请您耐心等待处理结果", 90 + i) for i in range(3)])),
    ("zh-long-message-01", with_agent("详" * 301)),
    ("zh-first-reply-01", conv([("customer", "在吗", 0)] + [(r, t, at + 60) for r, t, at in GOOD_ZH])),
    ("zh-slow-reply-01", conv([("customer", "在吗", 0), ("agent", "您好", 70), ("customer", "查快递", 80),
                               ("agent", "好的", 200), ("agent", "还有什么可以帮您？再见", 210)])),
    ("zh-long-wait-01", conv([("customer", "在吗", 0), ("agent", "您好", 400)])),
    ("zh-left-waiting-01", conv(GOOD_ZH + [("customer", "还有一个问题", 100)])),
    ("zh-duration-01", conv(GOOD_ZH + [("agent", "再见", 2000)])),
    ("zh-repeat-question-01", conv([("customer", "退款什么时候到账？", 0), ("agent", "您好，在处理", 10),
                                     ("customer", "退款什么时候到账？", 20), ("agent", "再见", 30)])),
    ("zh-no-agent-01", conv([("customer", "在吗", 0), ("bot", "您好，请描述问题", 1)])),
    ("zh-angry-01", conv([("customer", "垃圾！！骗子！我要投诉，曝光你们！", 0), ("agent", "您好，非常抱歉", 10)])),
    ("zh-emotion-rising-01", conv([("customer", "你好，请问快递到哪了", 0), ("agent", "您好，正在派送", 10),
                                    ("customer", "太慢了！垃圾！我要投诉！", 20), ("agent", "抱歉", 30)])),
    ("zh-csat-low-01", conv(GOOD_ZH, labels={"csat": 1})),
    ("zh-refund-timeline-01", conv(GOOD_ZH, labels={"tags": ["退款"]})),
])
def test_each_zh_rule_catches_its_case(rule, conversation):
    assert rule in fired("zh", conversation)


def call(msgs):
    return Conversation(id="t", channel="call", messages=[Message(role=r, text=t, time=a, end=e) for r, t, a, e in msgs])


def test_zh_call_rules():
    assert "zh-call-id-01" in fired("zh", call([("agent", "喂", 0, 1), ("customer", "你好", 1.5, 2)]))
    assert "zh-call-id-01" not in fired("zh", call([("agent", "您好，工号1234为您服务", 0, 3), ("customer", "你好", 3.5, 4)]))
    assert "zh-silence-01" in fired("zh", call([("agent", "您好，工号1234", 0, 2), ("customer", "嗯", 20, 21)]))
    assert "zh-speech-rate-01" in fired("zh", call([("agent", "快" * 40, 0, 5), ("customer", "嗯", 6, 7), ("agent", "快" * 40, 8, 13)]))
    assert "zh-interrupt-01" in fired("zh", call([("customer", "我想问一下那个", 0, 5), ("agent", "您好工号123", 3, 6)]))
    # and they are not applicable on a chat
    result = inspector("zh").inspect(conv(GOOD_ZH))
    assert {"zh-call-id-01", "zh-silence-01", "zh-speech-rate-01", "zh-interrupt-01"} <= set(result["not_applicable"])


def test_promise_exclusion_keeps_honest_caveats():
    assert "zh-promise-01" not in fired("zh", with_agent("这个我们无法保证能在明天送达"))


def test_a_red_line_scores_zero():
    result = inspector("zh").inspect(with_agent("你有病吧"))
    assert (result["score"], result["red_line"], result["grade"]) == (0.0, True, "fail")


GOOD_EN = [
    ("customer", "Hi, my parcel is three days late", 0),
    ("agent", "Hello, thanks for contacting us. I'm sorry for the wait, let me check.", 20),
    ("agent", "It will arrive tomorrow. Is there anything else I can help with?", 50),
    ("customer", "No, thanks", 60),
    ("agent", "Thank you for your patience, have a great day!", 70),
]


@pytest.mark.parametrize(("rule", "text"), [
    ("en-forbidden-01", "I don't know, that's our policy"),
    ("en-rude-01", "Don't be stupid"),
    ("en-promise-01", "I guarantee it will arrive tomorrow"),
    ("en-pii-01", "Your card 4111 1111 1111 1111 is on file"),
    ("en-jargon-01", "I've put it in the L2 ticket queue"),
    ("en-push-away-01", "That's not our responsibility, contact the manufacturer"),
    ("en-transfer-01", "Let me transfer you"),
])
def test_each_en_rule_catches_its_case(rule, text):
    msgs = list(GOOD_EN)
    msgs.insert(3, ("agent", text, 55))
    assert rule in fired("en", conv(msgs))


def test_en_model_conversation_and_the_promise_exclusion():
    result = inspector("en").inspect(conv(GOOD_EN))
    assert {h["rule"] for h in result["hits"]} <= {"en-empathy-01"} and result["score"] == 100.0
    msgs = list(GOOD_EN)
    msgs.insert(3, ("agent", "I can't guarantee it will arrive tomorrow", 55))
    assert "en-promise-01" not in fired("en", conv(msgs))
    angry = [("customer", "This is RIDICULOUS!!! Worst service ever, I want a refund", 0), ("agent", "Let me look", 10)]
    assert {"en-apology-01", "en-angry-01"} <= fired("en", conv(angry))


@pytest.mark.parametrize("pack", ["zh", "en"])
def test_packs_have_the_practitioners_rules_and_unique_ids(pack):
    rs = load_ruleset(pack)
    assert len(rs.rules) >= 25
    assert len({r.id for r in rs.rules}) == len(rs.rules)
    assert {r.category for r in rs.rules} == {"attitude", "knowledge", "communication", "process", "compliance"}
