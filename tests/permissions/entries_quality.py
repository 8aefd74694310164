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


def hit(org):
    from servicecoach.quality.models import RuleHit

    return {"pk": RuleHit.objects.filter(conversation=conversation(org)).first().pk}


def job(org):
    from servicecoach.quality.models import Job, JobKind

    return {"pk": Job.objects.create(kind=JobKind.RESCORE, status="done", total=0).pk}


def published(kind):
    def kwargs(org):
        from servicecoach.quality.selectors import published_versions

        ruleset, card = published_versions()
        return {"kind": kind, "pk": (ruleset if kind == "ruleset" else card).pk}

    return kwargs


def published_pk(kind):
    def kwargs(org):
        return {"pk": published(kind)(org)["pk"]}

    return kwargs


def unmapped(org):
    conversation(org, "VENDOR-1", "matrix-3")
    from servicecoach.quality.models import UnmappedAgent

    return {"pk": UnmappedAgent.objects.get(employee_no="VENDOR-1").pk}


VIEWERS = expect(FORBIDDEN, admin=OK, training_manager=OK, qa_reviewer=OK, supervisor=OK, agent=OK)
STAFF = only(*QA_STAFF)

ENTRIES = [
    # Pages: the conversation list and export for every QA role, each in their scope.
    Entry("quality:conversation-list", expect=VIEWERS),
    Entry("quality:conversation-export", expect=VIEWERS),
    Entry("quality:conversation-detail", label="agent's own (Team A)", kwargs=own,
          expect=expect(FORBIDDEN, admin=OK, training_manager=OK, supervisor=OK, agent=OK, qa_reviewer=NOT_FOUND)),
    Entry("quality:conversation-detail", label="other team", kwargs=other_team,
          expect=expect(FORBIDDEN, admin=OK, training_manager=OK, supervisor=NOT_FOUND, agent=NOT_FOUND,
                        qa_reviewer=NOT_FOUND)),
    # Verdicts: QA staff only, and the conversation must be in their scope (the sample reviewer's is not).
    Entry("quality:hit-verdict", method="POST", kwargs=hit, data={"verdict": "nonsense"},
          expect=expect(FORBIDDEN, admin=400, qa_reviewer=NOT_FOUND)),
    # Uploads, jobs, re-scoring, rule sets and scorecards: QA staff.
    Entry("quality:upload", expect=STAFF),
    Entry("quality:upload", label="post without a file", method="POST", data={}, expect=STAFF),
    Entry("quality:rescore", method="POST", data={"date_from": "not a date"}, expect=STAFF),
    Entry("quality:job-list", expect=STAFF),
    Entry("quality:job-detail", kwargs=job, expect=STAFF),
    Entry("quality:job-skips", kwargs=job, expect=STAFF),
    Entry("quality:job-resume", method="POST", kwargs=job, expect=STAFF),
    Entry("quality:version-list", expect=STAFF),
    Entry("quality:version-create", kwargs={"kind": "ruleset"}, expect=STAFF),
    Entry("quality:version-create", label="scorecard, invalid YAML", method="POST", kwargs={"kind": "scorecard"},
          data={"yaml_text": "sections: ["}, expect=STAFF),
    Entry("quality:version-edit", kwargs=published("ruleset"), expect=STAFF),
    Entry("quality:version-edit", label="scorecard", kwargs=published("scorecard"), expect=STAFF),
    # publishing or deleting a published version is refused with a message: a redirect for the staff
    Entry("quality:version-publish", method="POST", kwargs=published("ruleset"), expect=STAFF),
    Entry("quality:version-delete", method="POST", kwargs=published("scorecard"), expect=STAFF),
    Entry("quality:ruleset-preview", kwargs=published_pk("ruleset"), expect=STAFF),
    Entry("quality:scorecard-items", kwargs=published_pk("scorecard"), expect=STAFF),
    # Unmapped agents: administrators only.
    Entry("quality:unmapped-list", expect=only("admin")),
    Entry("quality:unmapped-map", method="POST", kwargs=unmapped, data={"person": ""}, expect=only("admin")),

    # REST: everyone signed in reads their scope (empty for trainers/mentors); QA staff send batches.
    Entry("api:conversation-list", expect=signed_in()),
    Entry("api:conversation-list", label="send a batch", method="POST", json=True, data={"conversations": "x"},
          expect=expect(FORBIDDEN, admin=400, qa_reviewer=400)),
    Entry("api:conversation-detail", label="agent's own (Team A)", kwargs=own,
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK, agent=OK)),
    Entry("api:conversation-detail", label="other team", kwargs=other_team,
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK)),
]

