"""Every change to quality data: rule-set and scorecard versions, ingesting conversations, scoring
them, verdicts on automatic hits, mapping unknown agents. Views, the API and background jobs call
these; reads are in ``quality.selectors``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecoach.org.models import AuditAction, Person, User
from servicecoach.org.services import audit_record
from servicecoach.quality import bulk, scoring
from servicecoach.quality.engine.model import Conversation as EngineConversation
from servicecoach.quality.engine.rules import PACKS_DIR
from servicecoach.quality.engine.scorecard import BUILTIN_SCORECARDS
from servicecoach.quality.models import (
    AutoResult,
    Conversation,
    RuleHit,
    RuleSetVersion,
    ScorecardVersion,
    UnmappedAgent,
    Verdict,
    VersionStatus,
)

MAX_TEXT = 500
HIT_COLUMNS = ("result", "conversation", "rule_id", "message_index", "start", "end", "text", "category", "severity",
               "is_current", "verdict", "verdict_by", "verdict_at")

# ------------------------------------------------------------------------------- versions

VersionModel = type[RuleSetVersion] | type[ScorecardVersion]

# ------------------------------------------------------------------------------- change hook

ChangeHook = Callable[[list[int], list[tuple[datetime | None, int | None]], bool], None]
SettleHook = Callable[[], None]
_change_hooks: list[ChangeHook] = []
_settle_hooks: list[SettleHook] = []
_bulk: ContextVar[bool] = ContextVar("quality_bulk_changes", default=False)


def on_conversations_changed(hook: ChangeHook) -> ChangeHook:
    """Register ``hook(ids, before, bulk)``: called inside the writing transaction after stored
    conversations' figures changed (ingest, scoring and re-scoring, mapping an unknown agent). ``ids``
    are the conversations changed; ``before`` the (started_at, agent id) pairs some of them had before
    the change (where these can move). ``bulk`` is true inside :func:`bulk_changes` (a background job
    working through many batches): the hook may then only note durably, in the same transaction, what
    it must bring up to date, and do it when :func:`changes_settle` calls its settle hook. Other apps
    keep derived data with it (the review app's dashboard summary); an exception in a hook rolls the
    change back."""
    if hook not in _change_hooks:
        _change_hooks.append(hook)
    return hook


def on_changes_settled(hook: SettleHook) -> SettleHook:
    """Register ``hook()``: called by :func:`changes_settle` (at the end of a job, and by the periodic
    tasks) to bring up to date whatever the change hooks noted in bulk mode."""
    if hook not in _settle_hooks:
        _settle_hooks.append(hook)
    return hook


@contextmanager
def bulk_changes() -> Iterator[None]:
    """Within this block (one job's batches) change hooks run in bulk mode; see
    :func:`on_conversations_changed`. The caller calls :func:`changes_settle` when its work is done."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def conversations_changed(ids: list[int], before: list[tuple[datetime | None, int | None]] | None = None) -> None:
    bulk_mode = _bulk.get()
    for hook in list(_change_hooks):
        hook(list(ids), list(before or ()), bulk_mode)


def changes_settle() -> None:
    """Run the settle hooks (each in its own transaction)."""
    for hook in list(_settle_hooks):
        hook()


def _builtin_text(kind: str) -> str:
    name = "zh.yaml" if kind == "ruleset" else BUILTIN_SCORECARDS["zh"]
    return (PACKS_DIR / name).read_text(encoding="utf-8")


@transaction.atomic
def versions_ensure_builtin() -> tuple[RuleSetVersion, ScorecardVersion]:
    """The published rule set and scorecard; the engine's Chinese pack and its scorecard become
    version 1 of each the first time they are needed."""
    out = []
    for model, kind in ((RuleSetVersion, "ruleset"), (ScorecardVersion, "scorecard")):
        version = model.objects.filter(status=VersionStatus.PUBLISHED).first()
        if version is None:
            text = _builtin_text(kind)
            parsed = scoring.parse_ruleset_text(text) if kind == "ruleset" else scoring.parse_scorecard_text(text)
            number = (model.objects.aggregate(n=Max("number"))["n"] or 0) + 1
            version = model.objects.create(
                number=number, key=parsed.id, label=parsed.version, yaml_text=text, status=VersionStatus.PUBLISHED,
                note=_("Built-in Chinese pack"), published_at=timezone.now(),
            )
        out.append(version)
    return out[0], out[1]


def _parse(model: VersionModel, text: str):
    if model is RuleSetVersion:
        return scoring.parse_ruleset_text(text)
    return scoring.parse_scorecard_text(text)


def _validation_error(problem: scoring.YamlProblem) -> ValidationError:
    where = _("line %(line)s: ") % {"line": problem.line} if problem.line else ""
    return ValidationError({"yaml_text": [f"{where}{problem.message}"]}, code="yaml")


@transaction.atomic
def version_create_draft(*, actor: User | None, model: VersionModel, yaml_text: str, note: str = "") -> Any:
    """A new draft. The YAML must be valid (the error names the line)."""
    try:
        parsed = _parse(model, yaml_text)
    except scoring.YamlProblem as problem:
        raise _validation_error(problem) from None
    number = (model.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
    version = model.objects.create(number=number, key=parsed.id, label=parsed.version, yaml_text=yaml_text,
                                   note=note, author=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=version)
    return version


@transaction.atomic
def version_update_draft(*, actor: User | None, version: Any, yaml_text: str, note: str | None = None) -> Any:
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be edited; published versions stay as they were."))
    try:
        parsed = _parse(type(version), yaml_text)
    except scoring.YamlProblem as problem:
        raise _validation_error(problem) from None
    version.yaml_text, version.key, version.label = yaml_text, parsed.id, parsed.version
    if note is not None:
        version.note = note
    version.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=version, changes={"yaml_text": "edited"})
    return version


@transaction.atomic
def version_publish(*, actor: User | None, version: Any) -> Any:
    """Publish a draft in place of the published version of its kind. The rule set and the scorecard
    must fit together (every rule a scorecard item names exists)."""
    model = type(version)
    version = model.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    ruleset_v, scorecard_v = versions_ensure_builtin()
    if model is RuleSetVersion:
        ruleset_text, card_text = version.yaml_text, scorecard_v.yaml_text
    else:
        ruleset_text, card_text = ruleset_v.yaml_text, version.yaml_text
    try:
        scoring.inspector_for(ruleset_text, card_text)
    except scoring.YamlProblem as problem:
        if model is RuleSetVersion:
            problem = scoring.YamlProblem(
                _("the published scorecard does not fit this rule set: %(error)s") % {"error": problem.message},
            )
        raise _validation_error(problem) from None
    model.objects.filter(status=VersionStatus.PUBLISHED).update(status=VersionStatus.RETIRED)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=version, changes={"status": "published"})
    return version


@transaction.atomic
def version_delete_draft(*, actor: User | None, version: Any) -> None:
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be deleted."))
    audit_record(actor=actor, action=AuditAction.DELETE, obj=version)
    version.delete()


# ------------------------------------------------------------------------------- scoring


def _hit_key(conversation_id: int, hit: RuleHit | dict) -> tuple:
    if isinstance(hit, RuleHit):
        return (conversation_id, hit.rule_id, hit.message_index, hit.start, hit.end)
    return (conversation_id, hit["rule"], hit["message"], hit["start"], hit["end"])


def conversations_score(
    *, rows: list[Conversation], ruleset: RuleSetVersion, scorecard: ScorecardVersion,
    engine_convs: list[EngineConversation] | None = None, notify: bool = True,
) -> int:
    """Score stored conversations with two versions: a new current result for each, the previous one
    kept as history; verdicts given on a previous hit carry over to the identical new hit. Call inside
    a transaction."""
    if not rows:
        return 0
    inspector = scoring.inspector_for(ruleset.yaml_text, scorecard.yaml_text)
    rules = scoring.rule_info(inspector.ruleset)
    if engine_convs is None:
        engine_convs = [scoring.to_engine(row) for row in rows]
    outputs = inspector.inspect_json_batch(engine_convs)
    ids = [row.pk for row in rows]
    kept: dict[tuple, tuple] = {}
    for hit in RuleHit.objects.filter(conversation_id__in=ids, is_current=True).exclude(verdict=Verdict.PENDING):
        kept[_hit_key(hit.conversation_id, hit)] = (hit.verdict, hit.verdict_by_id, hit.verdict_at)
    RuleHit.objects.filter(conversation_id__in=ids, is_current=True).update(is_current=False)
    AutoResult.objects.filter(conversation_id__in=ids, is_current=True).update(is_current=False)
    results = []
    for row, (_raw, result) in zip(rows, outputs):
        results.append(AutoResult(
            conversation_id=row.pk, ruleset=ruleset, scorecard=scorecard, score=result["score"],
            grade=result["grade"] or "", red_line=result["red_line"], customer_emotion=result["customer_emotion"],
            emotion_trend=result["emotion_trend"] or "", items=result["items"],
            not_applicable=result["not_applicable"], is_current=True,
        ))
    bulk.insert(AutoResult, results, key=("conversation",), where={"is_current": True})
    hits = []
    pending = (Verdict.PENDING, None, None)
    for row, res, (_raw, result) in zip(rows, results, outputs):
        for hit in result["hits"]:
            info = rules.get(hit["rule"], {})
            verdict = kept.get(_hit_key(row.pk, hit), pending)
            hits.append((res.pk, row.pk, hit["rule"], hit["message"], hit["start"], hit["end"],
                         (hit["text"] or "")[:MAX_TEXT], info.get("category", ""), info.get("severity", ""), True,
                         *verdict))
        row.current_result = res
        row.score, row.grade, row.red_line = res.score, res.grade, res.red_line
    bulk.insert_values(RuleHit, HIT_COLUMNS, hits)
    # One statement copies each new current result onto its conversation (bulk_update's CASE per row
    # and field cost more than the scoring itself).
    current = AutoResult.objects.filter(conversation=OuterRef("pk"), is_current=True)
    Conversation.objects.filter(pk__in=ids).update(
        current_result=Subquery(current.values("pk")[:1]), score=Subquery(current.values("score")[:1]),
        grade=Subquery(current.values("grade")[:1]), red_line=Subquery(current.values("red_line")[:1]),
    )
    if notify:
        conversations_changed(ids)
    return len(rows)


# ------------------------------------------------------------------------------- ingest


@dataclass
class IngestOutcome:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    scored: int = 0
    # one per record, in order: (source, id, "created" | "updated" | "unchanged", conversation pk)
    records: list[tuple[str, str, str, int]] = field(default_factory=list)


def _agent_number(conv: EngineConversation) -> str:
    if conv.agent_id:
        return conv.agent_id
    for m in conv.messages:
        if m.role == "agent" and m.agent_id:
            return m.agent_id
    return ""


def _agent_lookup(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Person]:
    """Person for each (source, employee number): an administrator's mapping first, else the person
    with that employee number."""
    numbers = {no for _, no in pairs if no}
    if not numbers:
        return {}
    found: dict[tuple[str, str], Person] = {}
    people = {p.employee_no: p for p in Person.objects.filter(employee_no__in=numbers)}
    for pair in pairs:
        if pair[1] in people:
            found[pair] = people[pair[1]]
    mapped = UnmappedAgent.objects.filter(
        employee_no__in=numbers, source__in={s for s, _ in pairs}, mapped_to__isnull=False
    ).select_related("mapped_to")
    for entry in mapped:
        pair = (entry.source, entry.employee_no)
        if pair in pairs:
            found[pair] = entry.mapped_to
    return found


def _refresh_unmapped(pairs: set[tuple[str, str]], names: dict[tuple[str, str], str]) -> None:
    """Create the unknown (source, employee number) pairs and recount their conversations."""
    if not pairs:
        return
    existing = {(u.source, u.employee_no): u for u in UnmappedAgent.objects.filter(
        employee_no__in={no for _, no in pairs}, source__in={s for s, _ in pairs})}
    new = [UnmappedAgent(source=s, employee_no=no, name=names.get((s, no), "")[:120])
           for s, no in pairs if (s, no) not in existing]
    UnmappedAgent.objects.bulk_create(new, ignore_conflicts=True)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    condition = Q(pk__in=[])
    by_source: dict[str, set[str]] = defaultdict(set)
    for s, no in pairs:
        by_source[s].add(no)
    for s, nos in by_source.items():
        condition |= Q(source=s, agent_employee_no__in=nos)
    for row in (Conversation.objects.filter(condition, agent__isnull=True)
                .values("source", "agent_employee_no").annotate(n=Count("id"))):
        counts[(row["source"], row["agent_employee_no"])] = row["n"]
    entries = list(UnmappedAgent.objects.filter(employee_no__in={no for _, no in pairs},
                                                source__in={s for s, _ in pairs}))
    for entry in entries:
        if (entry.source, entry.employee_no) in pairs:
            entry.conversation_count = counts.get((entry.source, entry.employee_no), 0)
            entry.last_seen = timezone.now()
    UnmappedAgent.objects.bulk_update(entries, ["conversation_count", "last_seen"])


def conversations_ingest(
    *, items: list[tuple[EngineConversation, dict | None]], score: bool = True, default_source: str | None = None,
) -> IngestOutcome:
    """Store a batch of validated conversations, idempotent on (source, id): a new one is created, a
    changed one updated (and re-scored), an identical one left alone. Each is linked to its agent by
    employee number; unknown numbers are listed in :class:`UnmappedAgent`. New and changed
    conversations are scored with the published versions. One transaction: all or nothing."""
    outcome = IngestOutcome()
    if not items:
        return outcome
    tz = timezone.get_default_timezone()
    with transaction.atomic():
        prepared: dict[tuple[str, str], tuple[EngineConversation, dict[str, Any]]] = {}
        order: list[tuple[str, str]] = []
        for conv, raw in items:
            if default_source and conv.source == "default" and not (raw and raw.get("source")):
                conv.source = default_source
            messages = scoring.compact_messages(conv)
            started = conv.started_at or scoring.started_from_raw(raw, tz)
            number = _agent_number(conv)
            customer = raw.get("customer") if raw and isinstance(raw.get("customer"), dict) else (
                {"id": conv.customer_id} if conv.customer_id else {})
            fields = {
                "channel": conv.channel, "started_at": started, "ended_at": scoring.ended_at(started, messages),
                "agent_employee_no": number[:80], "agent_name": (conv.agent_name or "")[:120],
                "customer_id": (conv.customer_id or "")[:200], "customer": customer, "labels": conv.labels,
                "csat": scoring.csat_of(conv.labels), "tags": scoring.tags_of(conv.labels), "messages": messages,
                "message_count": len(messages), "first_response_seconds": scoring.first_response(messages),
                "duration_seconds": scoring.duration(messages), "content_hash": scoring.content_hash(conv, messages),
            }
            key = (conv.source[:80], conv.id[:200])
            if key not in prepared:
                order.append(key)
            prepared[key] = (conv, fields)
        by_source: dict[str, list[str]] = defaultdict(list)
        for source, cid in prepared:
            by_source[source].append(cid)
        condition = Q(pk__in=[])
        for source, cids in by_source.items():
            condition |= Q(source=source, external_id__in=cids)
        existing = {(c.source, c.external_id): c for c in Conversation.objects.select_for_update().filter(condition)}
        pairs = {(key[0], f["agent_employee_no"]) for key, (_c, f) in prepared.items() if f["agent_employee_no"]}
        agents = _agent_lookup(pairs)
        unknown = {pair for pair in pairs if pair not in agents}
        names = {(key[0], f["agent_employee_no"]): f["agent_name"] for key, (_c, f) in prepared.items()}

        to_create, to_update, relink, to_score, statuses = [], [], [], [], {}
        before: list[tuple[datetime | None, int | None]] = []
        for key in order:
            conv, fields = prepared[key]
            person = agents.get((key[0], fields["agent_employee_no"]))
            fields["agent"] = person
            fields["unit_id"] = person.unit_id if person else None
            row = existing.get(key)
            if row is None:
                row = Conversation(source=key[0], external_id=key[1], **fields)
                to_create.append(row)
                statuses[key] = "created"
                to_score.append((row, conv))
            elif row.content_hash != fields["content_hash"]:
                before.append((row.started_at, row.agent_id))
                for name, value in fields.items():
                    setattr(row, name, value)
                to_update.append(row)
                statuses[key] = "updated"
                to_score.append((row, conv))
            else:
                statuses[key] = "unchanged"
                if row.agent_id != (person.pk if person else None) and person is not None:
                    before.append((row.started_at, row.agent_id))
                    row.agent, row.unit_id = person, person.unit_id
                    relink.append(row)
                if row.current_result_id is None:
                    to_score.append((row, conv))
        bulk.insert(Conversation, to_create, key=("source", "external_id"))
        update_fields = [name for name in next(iter(prepared.values()))[1] if name != "agent"] + ["agent", "updated_at"]
        now = timezone.now()
        for row in to_update:
            row.updated_at = now
        if to_update:
            Conversation.objects.bulk_update(to_update, update_fields, batch_size=500)
        if relink:
            Conversation.objects.bulk_update(relink, ["agent", "unit"], batch_size=500)
        _refresh_unmapped(unknown | {(r.source, r.agent_employee_no) for r in relink}, names)
        if score and to_score:
            ruleset, scorecard = versions_ensure_builtin()
            outcome.scored = conversations_score(
                rows=[r for r, _ in to_score], ruleset=ruleset, scorecard=scorecard, engine_convs=[c for _, c in to_score],
                notify=False,
            )
        changed = {r.pk for r in to_create + to_update + relink} | {r.pk for r, _ in to_score}
        if changed:
            conversations_changed(sorted(changed), before)
        rows_by_key = existing | {(r.source, r.external_id): r for r in to_create}
        for key in order:
            outcome.records.append((key[0], key[1], statuses[key], rows_by_key[key].pk))
        outcome.imported = sum(1 for s in statuses.values() if s == "created")
        outcome.updated = sum(1 for s in statuses.values() if s == "updated")
        outcome.unchanged = sum(1 for s in statuses.values() if s == "unchanged")
    return outcome


# ------------------------------------------------------------------------------- agents, verdicts, reviews


@transaction.atomic
def unmapped_agent_map(*, actor: User | None, entry: UnmappedAgent, person: Person) -> int:
    """Map an unknown employee number to a person: its stored conversations are linked to the person
    (and the person's current unit), later imports follow the mapping. Returns how many were linked."""
    entry = UnmappedAgent.objects.select_for_update().get(pk=entry.pk)
    unlinked = Conversation.objects.filter(source=entry.source, agent_employee_no=entry.employee_no, agent__isnull=True)
    moved = list(unlinked.values_list("pk", "started_at"))  # for the change hook (no id list in the UPDATE)
    linked = unlinked.update(agent=person, unit=person.unit_id)
    if moved:
        conversations_changed([pk for pk, _s in moved], [(started, None) for _pk, started in moved])
    entry.mapped_to, entry.mapped_by, entry.mapped_at = person, actor, timezone.now()
    entry.conversation_count = 0
    entry.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=entry,
                 changes={"mapped_to": str(person), "conversations": linked})
    return linked


@transaction.atomic
def hit_set_verdict(*, actor: User | None, hit: RuleHit, verdict: str) -> RuleHit:
    """A reviewer confirms or rejects an automatic hit (``pending`` withdraws the verdict)."""
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("Unknown verdict.")})
    hit = RuleHit.objects.select_for_update().get(pk=hit.pk)
    before = hit.verdict
    hit.verdict = verdict
    hit.verdict_by = actor if verdict != Verdict.PENDING else None
    hit.verdict_at = timezone.now() if verdict != Verdict.PENDING else None
    hit.save(update_fields=["verdict", "verdict_by", "verdict_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=hit, object_repr=f"{hit.conversation} {hit.rule_id}",
                 changes={"verdict": [before, verdict]})
    return hit


def conversation_mark_reviewed(
    *, conversation: Conversation, reviewed_at: datetime | None = None, clear: bool = False
) -> Conversation:
    """For the review app: the conversation has (or, with ``clear``, no longer has) a human review."""
    conversation.reviewed_at = None if clear else (reviewed_at or timezone.now())
    Conversation.objects.filter(pk=conversation.pk).update(reviewed_at=conversation.reviewed_at)
    return conversation


__all__ = [
    "IngestOutcome", "bulk_changes", "changes_settle", "conversation_mark_reviewed", "conversations_changed",
    "conversations_ingest", "conversations_score", "hit_set_verdict", "on_changes_settled",
    "on_conversations_changed", "unmapped_agent_map", "version_create_draft", "version_delete_draft",
    "version_publish", "version_update_draft", "versions_ensure_builtin",
]
