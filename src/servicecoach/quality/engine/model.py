"""Plain data for the auto-QA engine: a conversation as read from conversation-v1 (JSON Lines),
CSV or Excel. No Django here (a test enforces it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ROLES = ("customer", "agent", "bot", "system")
CHANNELS = ("chat", "call", "email", "social")


@dataclass(slots=True)
class Message:
    role: str
    text: str
    # Seconds since the conversation started (from ``offset``, or ``at`` minus the first time).
    # None when the message carries no time.
    time: float | None = None
    # Seconds since the start at which a call utterance ended (``end``); None for chat.
    end: float | None = None
    agent_id: str | None = None


@dataclass(slots=True)
class Conversation:
    id: str
    messages: list[Message]
    source: str = "default"
    channel: str = "chat"
    started_at: datetime | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    customer_id: str | None = None
    labels: dict[str, Any] = field(default_factory=dict)

    @property
    def timed(self) -> bool:
        """True when every message has a time, so timing rules can be judged."""
        return bool(self.messages) and all(m.time is not None for m in self.messages)

    @property
    def has_call_audio(self) -> bool:
        """True when every utterance has an end time, so call rules can be judged."""
        return bool(self.messages) and all(m.time is not None and m.end is not None for m in self.messages)
