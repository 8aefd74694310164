"""Fixtures for the quality web app's tests: the sample organisation, conversation records and a
helper to ingest them through the real services."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from tests.permissions.sample_org import build_sample_org

from servicecoach.quality import services
from servicecoach.quality.engine.readers import parse_conversation

_ids = itertools.count(1)
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fast_and_inline(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.QUALITY_JOBS_INLINE = True  # jobs run in the request, so a test sees their end


@pytest.fixture
def sample(db):
    return build_sample_org()


@pytest.fixture
def login(sample):
    """``login(role)``: a test client logged in as the sample organisation's user of that role."""

    def make(role):
        client = Client()
        client.force_login(sample.users[role])
        return client

    return make


def record(agent: str | None = "S007", *, cid: str | None = None, source: str = "test", polite: bool = True,
           started: datetime | None = None, csat: int | None = 4, channel: str = "chat", **extra) -> dict:
    """A conversation-v1 record: polite (greeting, apology, closing) or rude (forbidden words)."""
    cid = cid or f"c{next(_ids):05d}"
    started = started or datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
    if polite:
        messages = [
            {"role": "customer", "text": "我的快递三天了还没到，太差了", "offset": 0},
            {"role": "agent", "text": "您好，很抱歉让您久等了，我马上为您查询", "offset": 12},
            {"role": "customer", "text": "好的", "offset": 30},
            {"role": "agent", "text": "已为您催促站点，预计明天送达。请问还有什么可以帮您？祝您生活愉快", "offset": 70},
        ]
    else:
        messages = [
            {"role": "customer", "text": "我的快递三天了还没到，太差了", "offset": 0},
            {"role": "agent", "text": "不知道，你自己去查", "offset": 400},
            {"role": "customer", "text": "你们什么服务态度", "offset": 420},
            {"role": "agent", "text": "爱买不买", "offset": 900},
        ]
    data = {"id": cid, "source": source, "channel": channel, "started_at": started.isoformat(),
            "messages": messages, "labels": {"csat": csat, "tags": ["物流"]} if csat else {"tags": ["物流"]}}
    if agent:
        data["agent"] = agent
    data.update(extra)
    return data


@pytest.fixture
def ingest(db):
    def run(*records: dict, **kwargs):
        items = [(parse_conversation(dict(r)), r) for r in records]
        return services.conversations_ingest(items=items, **kwargs)

    return run


@pytest.fixture
def make_record():
    return record


def one_day(n: int) -> timedelta:
    return timedelta(days=n)
