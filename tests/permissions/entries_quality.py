"""Quality inspection (servicecoach.quality): conversations, rule sets, scorecards, uploads, jobs.

Scope: administrators and training managers see every conversation; the sample QA reviewer sits in
the Training department (scope: their own unit), so Team A's conversations are out of their scope
(404); the supervisor sees Team A's; the agent only their own; trainers and mentors get 403 on the
pages (the API lists nothing for them).
"""

from __future__ import annotations

from tests.permissions.matrix import FORBIDDEN, NOT_FOUND, OK, Entry, expect, only, signed_in

QA_STAFF = ("admin", "qa_reviewer")


def conversation(org, agent_no: str = "S007", cid: str = "matrix-1"):
    """A stored, scored conversation handled by ``agent_no`` (S007 = the sample agent, Team A)."""
    from servicecoach.quality.engine.readers import parse_conversation
    from servicecoach.quality.models import Conversation
    from servicecoach.quality.services import conversations_ingest

    record = {"id": cid, "source": "matrix", "agent": agent_no, "started_at": "2026-11-02T09:00:00+08:00",
              "messages": [{"role": "customer", "text": "还没到，太差了", "offset": 0},
                           {"role": "agent", "text": "不知道", "offset": 30}], "labels": {"csat": 2}}
    conversations_ingest(items=[(parse_conversation(record), record)])
    return Conversation.objects.get(source="matrix", external_id=cid)


def own(org):
    return {"pk": conversation(org).pk}


def other_team(org):
    return {"pk": conversation(org, "S009", "matrix-2").pk}


ENTRIES = [
    # REST: everyone signed in reads their scope (empty for trainers/mentors); QA staff send batches.
    Entry("api:conversation-list", expect=signed_in()),
    Entry("api:conversation-list", label="send a batch", method="POST", json=True, data={"conversations": "x"},
          expect=expect(FORBIDDEN, admin=400, qa_reviewer=400)),
    Entry("api:conversation-detail", label="agent's own (Team A)", kwargs=own,
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK, agent=OK)),
    Entry("api:conversation-detail", label="other team", kwargs=other_team,
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK)),
]

__all__ = ["ENTRIES", "QA_STAFF", "conversation", "only", "own", "other_team"]
