"""The quality services' change hook (``on_conversations_changed``): called once per ingest batch with the
conversations whose figures changed and, where a conversation moved, the (start, agent) it had before;
by scoring; by mapping an unknown agent. Unchanged re-imports call nothing. Inside ``bulk_changes`` (a
job's batches) the hooks are told so, and ``changes_settle`` calls the settle hooks."""

from __future__ import annotations

import pytest

from servicecoach.quality import services
from servicecoach.quality.models import Conversation, UnmappedAgent
from servicecoach.quality.selectors import published_versions


@pytest.fixture
def calls():
    seen: list[tuple[list[int], list[tuple]]] = []

    def hook(ids, before, bulk):
        assert bulk is False
        seen.append((sorted(ids), before))

    services.on_conversations_changed(hook)
    yield seen
    services._change_hooks.remove(hook)


def test_hook_sees_imports_moves_scoring_and_mapping(sample, ingest, make_record, calls):
    ingest(make_record("S007", cid="h1"), make_record("NOBODY", cid="h2"))
    first = Conversation.objects.get(external_id="h1")
    second = Conversation.objects.get(external_id="h2")
    assert calls == [(sorted([first.pk, second.pk]), [])]

    calls.clear()
    ingest(make_record("S007", cid="h1"))  # identical: nothing changed
    assert calls == []

    ingest(make_record("S009", cid="h1", polite=False))  # changed: re-scored, moved to another agent
    assert calls == [([first.pk], [(first.started_at, sample.people["agent"].pk)])]

    calls.clear()
    ruleset, card = published_versions()
    services.conversations_score(rows=[first], ruleset=ruleset, scorecard=card)
    assert calls == [([first.pk], [])]

    calls.clear()
    entry = UnmappedAgent.objects.get(employee_no="NOBODY")
    services.unmapped_agent_map(actor=None, entry=entry, person=sample.teammate)
    assert calls == [([second.pk], [(second.started_at, None)])]


def test_a_failing_hook_rolls_the_import_back(sample, ingest, make_record):
    def broken(ids, before, bulk):
        raise RuntimeError("summary down")

    services.on_conversations_changed(broken)
    try:
        with pytest.raises(RuntimeError):
            ingest(make_record("S007", cid="h3"))
    finally:
        services._change_hooks.remove(broken)
    assert not Conversation.objects.filter(external_id="h3").exists()


def test_bulk_mode_reaches_the_hooks_and_settle_calls_the_settle_hooks(sample, ingest, make_record):
    modes: list[bool] = []
    settled: list[int] = []

    def hook(ids, before, bulk):
        modes.append(bulk)

    def settle():
        settled.append(len(modes))

    services.on_conversations_changed(hook)
    services.on_changes_settled(settle)
    try:
        ingest(make_record("S007", cid="b1"))
        with services.bulk_changes():
            ingest(make_record("S007", cid="b2"))
            with services.bulk_changes():
                ingest(make_record("S007", cid="b3"))
            ingest(make_record("S007", cid="b4"))  # still bulk after the nested block
        ingest(make_record("S007", cid="b5"))
        services.changes_settle()
    finally:
        services._change_hooks.remove(hook)
        services._settle_hooks.remove(settle)
    assert modes == [False, True, True, True, False]
    assert settled == [5]
