"""The demo data: conversations for the demo agents, scored, loaded once."""

from __future__ import annotations

import pytest

from servicecoach.org.demo import demo_load as org_demo_load
from servicecoach.quality.demo import SOURCE, UNKNOWN_AGENT, demo_load
from servicecoach.quality.models import AutoResult, Conversation, RuleHit, UnmappedAgent, Verdict


@pytest.mark.django_db
def test_demo_conversations_are_scored_and_loaded_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org_demo_load()
    summary = demo_load()
    count = Conversation.objects.filter(source=SOURCE).count()
    assert count >= 300 and str(count) in summary
    assert AutoResult.objects.filter(is_current=True).count() == count
    assert Conversation.objects.filter(agent__isnull=False).count() == count - 6
    assert UnmappedAgent.objects.get(employee_no=UNKNOWN_AGENT).conversation_count == 6
    assert RuleHit.objects.filter(verdict=Verdict.REJECTED).exists()
    assert Conversation.objects.filter(red_line=False, score__lt=80).exists()
    assert Conversation.objects.filter(score__gte=90).exists()
    assert "already" in demo_load()
    assert Conversation.objects.filter(source=SOURCE).count() == count
