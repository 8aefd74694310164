"""Helpers for the review tests: conversations stored and scored through the quality app's services."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from servicecoach.quality.engine.readers import parse_conversation
from servicecoach.quality.models import Conversation
from servicecoach.quality.services import conversations_ingest

TZ = ZoneInfo("Asia/Shanghai")
_ids = itertools.count(1)

POLITE = [
    {"role": "customer", "text": "我的快递三天了还没到，太差了", "offset": 0},
    {"role": "agent", "text": "您好，很抱歉让您久等了，我马上为您查询", "offset": 12},
    {"role": "customer", "text": "好的", "offset": 30},
    {"role": "agent", "text": "已为您催促站点，预计明天送达。请问还有什么可以帮您？祝您生活愉快", "offset": 70},
]
RUDE = [
    {"role": "customer", "text": "我的快递三天了还没到，太差了，我的电话13812345678", "offset": 0},
    {"role": "agent", "text": "不知道，你自己去查", "offset": 400},
    {"role": "customer", "text": "你们什么服务态度", "offset": 420},
    {"role": "agent", "text": "爱买不买", "offset": 900},
]


def make_conversation(agent: str = "S007", *, polite: bool = True, day: int = 2, hour: int = 9, csat: int | None = 4,
                      customer: dict | None = None, cid: str | None = None) -> Conversation:
    cid = cid or f"r{next(_ids):05d}"
    data = {"id": cid, "source": "review-test", "agent": agent, "agent_name": "客服 赵敏",
            "started_at": datetime(2026, 11, day, hour, 0, tzinfo=TZ).isoformat(),
            "messages": POLITE if polite else RUDE, "labels": {"csat": csat} if csat else {}}
    if customer:
        data["customer"] = customer
    conversations_ingest(items=[(parse_conversation(dict(data)), data)])
    return Conversation.objects.get(source="review-test", external_id=cid)


def marks_full(review) -> dict[int, dict]:
    """Marks giving every item its full points (applicable items) or N/A (the others)."""
    return {i.position: ({"earned": i.points} if i.applicable else {"na": True}) for i in review.items.all()}
