"""Demo conversations for the demo organisation (org/demo.py): a few hundred generated chats of the
last 30 days for the active agents, scored with the built-in pack, a handful from an employee number
no one has yet (so the unmapped-agents page has work), and some reviewers' verdicts on hits.

Idempotent: nothing is added once the demo source has conversations."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from servicecoach.org.models import Person, PersonStatus, Role, RoleAssignment, User
from servicecoach.quality import services
from servicecoach.quality.engine.readers import parse_conversation
from servicecoach.quality.generator import generate_records
from servicecoach.quality.models import Conversation, RuleHit, Verdict

SOURCE = "demo-chat"
PER_AGENT = 15
UNKNOWN_AGENT = "WB-1024"


def demo_load() -> str:
    if Conversation.objects.filter(source=SOURCE).exists():
        return f"quality: demo conversations already there ({Conversation.objects.filter(source=SOURCE).count()})"
    agents = list(Person.objects.filter(status=PersonStatus.ACTIVE, pk__in=RoleAssignment.objects.filter(
        role=Role.AGENT).values("person_id")).order_by("employee_no").values_list("employee_no", flat=True))
    if not agents:
        return "quality: no demo agents (load the organisation first)"
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=30)
    records = list(generate_records(PER_AGENT * len(agents), agents, start=start, days=30, seed=2026,
                                    source=SOURCE, id_prefix="demo"))
    records += list(generate_records(6, [UNKNOWN_AGENT], start=start, days=30, seed=7, source=SOURCE,
                                     id_prefix="demo-wb", offset=0))
    stored = 0
    with transaction.atomic():
        for first in range(0, len(records), 200):
            chunk = records[first:first + 200]
            outcome = services.conversations_ingest(items=[(parse_conversation(r), r) for r in chunk])
            stored += outcome.imported
        reviewer = User.objects.filter(username="qa").first()
        judged = 0
        for index, hit in enumerate(RuleHit.objects.filter(conversation__source=SOURCE, is_current=True,
                                                           message_index__isnull=False).order_by("pk")[:60]):
            # the reviewers disagree with the forbidden-phrase rule now and then: its precision shows it
            verdict = Verdict.REJECTED if index % 5 == 0 else Verdict.CONFIRMED
            services.hit_set_verdict(actor=reviewer, hit=hit, verdict=verdict)
            judged += 1
    return f"quality: {stored} demo conversations scored, {judged} automatic hits judged"
