"""Storing conversations: idempotent on (source, id), linked by employee number, scored on arrival."""

from __future__ import annotations

from servicecoach.quality.models import AutoResult, Conversation, RuleHit, UnmappedAgent, Verdict
from servicecoach.quality.services import hit_set_verdict, unmapped_agent_map


def test_new_conversation_is_linked_to_its_agent_and_scored(sample, ingest, make_record):
    out = ingest(make_record("S007", cid="a1"))
    assert (out.imported, out.updated, out.unchanged, out.scored) == (1, 0, 0, 1)
    conv = Conversation.objects.get(source="test", external_id="a1")
    assert conv.agent == sample.people["agent"]
    assert conv.unit == sample.units["team_a"]
    assert conv.csat == 4 and conv.tags == ["物流"]
    assert conv.first_response_seconds == 12
    assert conv.duration_seconds == 70
    result = conv.current_result
    assert result is not None and result.is_current
    assert conv.score == result.score and result.score is not None
    assert result.ruleset.status == "published" and result.scorecard.status == "published"


def test_rude_conversation_gets_hits_with_positions(sample, ingest, make_record):
    ingest(make_record(cid="rude", polite=False))
    conv = Conversation.objects.get(external_id="rude")
    rules = set(conv.rule_hits.filter(is_current=True).values_list("rule_id", flat=True))
    assert "zh-forbidden-01" in rules
    hit = conv.rule_hits.get(rule_id="zh-forbidden-01", text="不知道")
    assert hit.message_index == 1
    assert conv.messages[1]["text"][hit.start:hit.end] == "不知道"
    assert hit.category and hit.severity


def test_reimport_same_record_changes_nothing(sample, ingest, make_record):
    rec = make_record(cid="same")
    ingest(rec)
    out = ingest(rec)
    assert (out.imported, out.updated, out.unchanged, out.scored) == (0, 0, 1, 0)
    assert Conversation.objects.filter(external_id="same").count() == 1
    assert AutoResult.objects.filter(conversation__external_id="same").count() == 1


def test_changed_record_is_updated_and_rescored_keeping_history_and_verdicts(sample, ingest, make_record):
    rec = make_record(cid="chg", polite=False)
    ingest(rec)
    conv = Conversation.objects.get(external_id="chg")
    hit = conv.rule_hits.get(rule_id="zh-forbidden-01", text="不知道")
    hit_set_verdict(actor=sample.users["qa_reviewer"], hit=hit, verdict=Verdict.CONFIRMED)
    rec["labels"] = {"csat": 1}
    out = ingest(rec)
    assert (out.imported, out.updated, out.scored) == (0, 1, 1)
    conv.refresh_from_db()
    assert conv.csat == 1
    assert conv.auto_results.count() == 2
    assert conv.auto_results.filter(is_current=True).count() == 1
    new_hit = RuleHit.objects.get(conversation=conv, is_current=True, rule_id="zh-forbidden-01", text="不知道")
    assert new_hit.pk != hit.pk
    assert new_hit.verdict == Verdict.CONFIRMED


def test_same_id_from_two_sources_are_two_conversations(sample, ingest, make_record):
    ingest(make_record(cid="x", source="one"), make_record(cid="x", source="two"))
    assert Conversation.objects.filter(external_id="x").count() == 2


def test_unknown_agent_is_listed_and_mapping_relinks(sample, ingest, make_record):
    ingest(make_record("VENDOR-9", cid="u1"), make_record("VENDOR-9", cid="u2"))
    entry = UnmappedAgent.objects.get(source="test", employee_no="VENDOR-9")
    assert entry.conversation_count == 2
    assert Conversation.objects.filter(agent__isnull=True).count() == 2
    linked = unmapped_agent_map(actor=sample.users["admin"], entry=entry, person=sample.teammate)
    assert linked == 2
    assert set(Conversation.objects.values_list("agent", flat=True)) == {sample.teammate.pk}
    # a later import of that number follows the mapping
    ingest(make_record("VENDOR-9", cid="u3"))
    assert Conversation.objects.get(external_id="u3").agent == sample.teammate


def test_conversation_without_agent_is_stored_unlinked(sample, ingest, make_record):
    ingest(make_record(None, cid="noagent"))
    conv = Conversation.objects.get(external_id="noagent")
    assert conv.agent is None and conv.agent_employee_no == ""
    assert not UnmappedAgent.objects.exists()
