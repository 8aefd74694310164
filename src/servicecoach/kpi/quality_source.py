"""The figure source for consultation volume (咨询量): the conversations the quality app has stored for
each agent in the month.

A conversation counts for the agent it is linked to (``Conversation.agent``, set when the employee
number received matches a person, or when an administrator maps the number later) and for the month in
which it started, in the organisation's time zone (``TIME_ZONE``). Every channel counts (chat, call,
email, social): each is one customer contact answered. An agent with no stored conversation in the
month gets no value (the cell keeps what it had): the quality app may simply not receive that team's
conversations, and "no data" must not turn into 0 consultations.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicecoach.kpi.sources import FigureSource

KEY = "quality.consultations"


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, aware, in the default time zone."""
    year, mon = int(month[:4]), int(month[5:7])
    tz = timezone.get_default_timezone()
    start = datetime(year, mon, 1, tzinfo=tz)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=tz)
    return start, end


def count_conversations(month: str, people: Iterable[Any]) -> dict[int, float]:
    """``{person id: conversations started in the month}`` for the given agents that have any."""
    from servicecoach.quality.models import Conversation

    ids = [p.pk for p in people]
    if not ids:
        return {}
    start, end = month_bounds(month)
    rows = (Conversation.objects.filter(agent_id__in=ids, started_at__gte=start, started_at__lt=end)
            .values("agent_id").annotate(n=Count("id")).values_list("agent_id", "n"))
    return {agent_id: n for agent_id, n in rows}


SOURCE = FigureSource(key=KEY, figure="consultations", label=_("Conversations stored in Quality inspection"),
                      compute=count_conversations)
