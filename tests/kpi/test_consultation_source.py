"""Consultation volume (咨询量) from the quality app's stored conversations: counted per agent and month
(the organisation's time zone decides the month), registered from kpi's AppConfig.ready(), written into
the month through kpi.services.inputs_compute (audited, source "computed") within the caller's scope.
The conversations are stored through the quality app's own ingest service."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from servicecoach.kpi import services
from servicecoach.kpi.models import AgentInput, InputChange, InputSource
from servicecoach.kpi.quality_source import KEY, count_conversations
from servicecoach.kpi.sources import SOURCES
from servicecoach.org.selectors import people_visible_to
from servicecoach.quality.engine.readers import parse_conversation
from servicecoach.quality.models import Conversation
from servicecoach.quality.services import conversations_ingest

TZ = ZoneInfo("Asia/Shanghai")
_ids = itertools.count(1)


def _record(agent_no: str, started: datetime, channel: str = "chat") -> dict:
    return {"id": f"kpi-c{next(_ids):05d}", "source": "kpi-test", "channel": channel, "agent": agent_no,
            "started_at": started.isoformat(),
            "messages": [{"role": "customer", "text": "请问这款有货吗", "offset": 0},
                         {"role": "agent", "text": "您好，有货的，今天下单明天发货", "offset": 15}]}


def _ingest(*records: dict) -> None:
    conversations_ingest(items=[(parse_conversation(dict(r)), r) for r in records], score=False)


@pytest.fixture
def conversations(kpi_org):
    a1, b1 = kpi_org.a1.employee_no, kpi_org.b1.employee_no
    _ingest(
        _record(a1, datetime(2026, 10, 1, 0, 5, tzinfo=TZ)),     # first minutes of October (Beijing time)
        _record(a1, datetime(2026, 10, 15, 10, 0, tzinfo=TZ), channel="call"),
        _record(a1, datetime(2026, 10, 31, 23, 30, tzinfo=TZ)),  # still October in Beijing (15:30 UTC)
        _record(a1, datetime(2026, 9, 30, 23, 59, tzinfo=TZ)),   # September
        _record(a1, datetime(2026, 11, 1, 0, 10, tzinfo=TZ)),    # November in Beijing, October 31 in UTC
        _record(b1, datetime(2026, 10, 20, 9, 0, tzinfo=TZ)),
        _record(b1, datetime(2026, 10, 21, 9, 0, tzinfo=TZ)),
        _record("NOBODY", datetime(2026, 10, 21, 9, 0, tzinfo=TZ)),  # linked to no person: not counted
    )
    assert Conversation.objects.filter(agent__isnull=False).count() == 7


def test_the_source_is_registered_by_the_app():
    assert SOURCES[KEY].figure == "consultations" and SOURCES[KEY].compute is count_conversations


def test_counts_per_agent_and_month_in_the_organisations_time_zone(kpi_org, conversations):
    people = [kpi_org.a1, kpi_org.a2, kpi_org.b1]
    assert count_conversations("2026-10", people) == {kpi_org.a1.pk: 3, kpi_org.b1.pk: 2}
    assert count_conversations("2026-09", people) == {kpi_org.a1.pk: 1}
    assert count_conversations("2026-11", people) == {kpi_org.a1.pk: 1}
    assert count_conversations("2026-10", [kpi_org.a2]) == {}  # no conversation: no value, not 0
    assert count_conversations("2026-10", []) == {}


def test_filled_into_the_month_audited_and_idempotent(kpi_org, period, conversations):
    services.input_set(actor=None, period=period, person=kpi_org.a2, figure="consultations", raw="400")
    n = services.inputs_compute(actor=kpi_org.manager.user, period=period, source_key=KEY)
    assert n == 2
    figures = {i.person_id: i.figures.get("consultations") for i in AgentInput.objects.filter(period=period)}
    assert figures == {kpi_org.a1.pk: 3, kpi_org.a2.pk: 400, kpi_org.b1.pk: 2}  # a2's typed value kept
    change = InputChange.objects.get(period=period, person=kpi_org.a1, figure="consultations")
    assert change.source == InputSource.COMPUTED and change.new == 3 and change.actor == kpi_org.manager.user
    assert services.inputs_compute(actor=None, period=period, source_key=KEY) == 0


def test_a_supervisor_fills_only_their_agents(kpi_org, period, conversations, client):
    user = kpi_org.supervisor.user
    assert services.inputs_compute(actor=user, period=period, source_key=KEY, people=people_visible_to(user)) == 1
    assert "consultations" not in AgentInput.objects.get(period=period, person=kpi_org.b1).figures
    # Through the month's page: the button is there and posts the source.
    client.force_login(user)
    page = client.get(reverse("kpi:period-detail", args=[period.pk])).content.decode()
    assert f'value="{KEY}"' in page
    response = client.post(reverse("kpi:period-compute", args=[period.pk]), {"source": KEY})
    assert response.status_code == 302
    assert AgentInput.objects.get(period=period, person=kpi_org.a1).figures["consultations"] == 3
    assert "consultations" not in AgentInput.objects.get(period=period, person=kpi_org.b1).figures
