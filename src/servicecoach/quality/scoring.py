"""The bridge between stored rows and the auto-QA engine: YAML versions -> a compiled inspector (cached),
a stored conversation <-> the engine's plain conversation, and the transcript's derived times.

No writes here: ``quality.services`` stores what these functions compute."""

from __future__ import annotations

import functools
import hashlib
import threading
from datetime import datetime, timedelta
from typing import Any

import orjson
import yaml

from servicecoach.quality.engine.model import Conversation as EngineConversation
from servicecoach.quality.engine.model import Message as EngineMessage
from servicecoach.quality.engine.results import Inspector
from servicecoach.quality.engine.rules import RuleError, RuleSet, parse_ruleset
from servicecoach.quality.engine.scorecard import Scorecard, parse_scorecard

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_cache: dict[tuple, Inspector] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 8


class YamlProblem(ValueError):
    """A YAML document that cannot be used, with the 1-based line it points at (None when unknown)."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


def load_yaml_text(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlProblem(f"not valid YAML: {problem}", line=mark.line + 1 if mark else None) from None


def parse_ruleset_text(text: str, *, source: str = "rule set") -> RuleSet:
    """Parse a rule set's YAML; raises :class:`YamlProblem` with the line of the fault."""
    data = load_yaml_text(text)
    try:
        return parse_ruleset(data, source=source)
    except RuleError as exc:
        raise YamlProblem(str(exc), line=locate(text, exc), field=exc.field) from None


def parse_scorecard_text(text: str, *, source: str = "scorecard") -> Scorecard:
    data = load_yaml_text(text)
    try:
        return parse_scorecard(data, source=source)
    except RuleError as exc:
        raise YamlProblem(str(exc), line=locate(text, exc), field=exc.field) from None


@functools.lru_cache(maxsize=16)
def parsed_ruleset(text: str) -> RuleSet:
    """:func:`parse_ruleset_text`, remembered by content (pages show rule names on every request).
    The result is shared: read it, do not change it."""
    return parse_ruleset_text(text)


@functools.lru_cache(maxsize=16)
def parsed_scorecard(text: str) -> Scorecard:
    return parse_scorecard_text(text)


# ------------------------------------------------------------------------------- error -> line


def _node_lines(text: str) -> Any:
    """The YAML node tree (with marks), or None."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _mapping_get(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None


def _walk_field(node: Any, field: str) -> Any:
    """Follow a field path like ``sections.opening.items[2].points`` or ``condition.not.keywords``
    through the node tree; return the deepest node reached. A name after a list is matched against
    the ``id`` of its elements (the engine names sections and items by id)."""
    import re

    best = node
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", field):
        if part.startswith("["):
            index = int(part[1:-1])
            if isinstance(node, yaml.SequenceNode) and index < len(node.value):
                node = node.value[index]
                best = node
                continue
            break
        if isinstance(node, yaml.SequenceNode):
            found = None
            for element in node.value:
                pair = _mapping_get(element, "id")
                if pair and pair[1].value == part:
                    found = element
                    break
            if found is None:
                break
            node = best = found
            continue
        pair = _mapping_get(node, part)
        if pair is None:
            break
        best = pair[0] if not isinstance(pair[1], yaml.MappingNode | yaml.SequenceNode) else pair[1]
        node = pair[1]
        if isinstance(pair[1], yaml.ScalarNode):
            best = pair[1]
    return best


def locate(text: str, exc: RuleError) -> int | None:
    """The 1-based line of the YAML the engine's error points at: the rule with that id, then the
    field inside it (PyYAML's marks)."""
    root = _node_lines(text)
    if root is None:
        return None
    node = root
    if exc.rule:
        rules = _mapping_get(root, "rules")
        if rules is not None and isinstance(rules[1], yaml.SequenceNode):
            for element in rules[1].value:
                pair = _mapping_get(element, "id")
                if pair and pair[1].value == exc.rule:
                    node = element
                    break
    if exc.field:
        field = exc.field
        if field.startswith("rules[") and node is root:
            node = _walk_field(root, field)
        else:
            node = _walk_field(node, field)
    return node.start_mark.line + 1 if node is not None and hasattr(node, "start_mark") else None


# ------------------------------------------------------------------------------- inspectors


def inspector_for(ruleset_text: str, scorecard_text: str) -> Inspector:
    """A compiled inspector for two YAML documents, cached by their content (compiling a rule set
    costs tens of milliseconds; a job scores thousands of conversations with one)."""
    key = (hashlib.sha1(ruleset_text.encode()).hexdigest(), hashlib.sha1(scorecard_text.encode()).hexdigest())
    with _cache_lock:
        found = _cache.get(key)
    if found is not None:
        return found
    ruleset = parse_ruleset_text(ruleset_text)
    card = parse_scorecard_text(scorecard_text)
    try:
        inspector = Inspector(ruleset, card)
    except RuleError as exc:
        raise YamlProblem(str(exc), line=locate(scorecard_text, exc), field=exc.field) from None
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = inspector
    return inspector


def rule_info(ruleset: RuleSet) -> dict[str, dict[str, str]]:
    return {
        rule.id: {"name_zh": rule.name_zh, "name_en": rule.name_en, "category": rule.category,
                  "severity": rule.severity, "description": rule.description}
        for rule in ruleset.rules
    }


# ------------------------------------------------------------------------------- conversations


def compact_messages(conv: EngineConversation) -> list[dict[str, Any]]:
    out = []
    for m in conv.messages:
        item: dict[str, Any] = {"role": m.role, "text": m.text, "t": m.time}
        if m.end is not None:
            item["end"] = m.end
        if m.agent_id is not None:
            item["agent_id"] = m.agent_id
        out.append(item)
    return out


def to_engine(row: Any) -> EngineConversation:
    """The engine's conversation for a stored :class:`~servicecoach.quality.models.Conversation`."""
    return EngineConversation(
        id=row.external_id,
        messages=[EngineMessage(m["role"], m["text"], m.get("t"), m.get("end"), m.get("agent_id"))
                  for m in row.messages],
        source=row.source,
        channel=row.channel,
        started_at=row.started_at,
        agent_id=row.agent_employee_no or None,
        agent_name=row.agent_name or None,
        customer_id=row.customer_id or None,
        labels=row.labels or {},
    )


def first_response(messages: list[dict[str, Any]]) -> float | None:
    """Seconds from the first customer message to the first agent reply after it."""
    asked = None
    for m in messages:
        t = m.get("t")
        if t is None:
            return None
        if m["role"] == "customer" and asked is None:
            asked = t
        elif m["role"] == "agent" and asked is not None:
            return max(0.0, t - asked)
    return None


def duration(messages: list[dict[str, Any]]) -> float | None:
    times = [m.get("t") for m in messages]
    if not times or any(t is None for t in times):
        return None
    last = max(max(m.get("end") or m["t"] for m in messages), max(times))
    return max(0.0, last - min(times))


def started_from_raw(raw: dict | None, tz: Any) -> datetime | None:
    """When the record has no ``started_at`` but its messages carry ``at`` times: the earliest."""
    if not raw:
        return None
    stamps = []
    for m in raw.get("messages") or []:
        at = m.get("at") if isinstance(m, dict) else None
        if isinstance(at, str):
            try:
                value = datetime.fromisoformat(at)
            except ValueError:
                continue
            if value.tzinfo is None:
                value = value.replace(tzinfo=tz)
            stamps.append(value)
    return min(stamps) if stamps else None


def csat_of(labels: dict[str, Any]) -> int | None:
    value = labels.get("csat")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and 1 <= value <= 5:
        return int(round(value))
    if isinstance(value, str) and value.strip().isdigit() and 1 <= int(value.strip()) <= 5:
        return int(value.strip())
    return None


def tags_of(labels: dict[str, Any]) -> list[str]:
    tags = labels.get("tags")
    if isinstance(tags, list):
        return [str(t) for t in tags if isinstance(t, str | int | float)][:50]
    if isinstance(tags, str) and tags:
        return [tags]
    return []


def content_hash(conv: EngineConversation, messages: list[dict[str, Any]]) -> str:
    body = orjson.dumps(
        [conv.channel, conv.started_at.isoformat() if conv.started_at else None, conv.agent_id, conv.agent_name,
         conv.customer_id, conv.labels, messages],
        option=orjson.OPT_SORT_KEYS,
        default=str,
    )
    return hashlib.sha1(body).hexdigest()


def ended_at(started: datetime | None, messages: list[dict[str, Any]]) -> datetime | None:
    if started is None:
        return None
    ends = [m.get("end") or m.get("t") for m in messages if m.get("t") is not None]
    return started + timedelta(seconds=max(ends)) if ends else None


def engine_from_values(row: tuple) -> EngineConversation:
    """The engine's conversation from ``(pk, external_id, source, channel, started_at, labels, messages,
    agent_employee_no)`` as read with ``values_list`` (no model instances: previews read thousands)."""
    _pk, external_id, source, channel, started_at, labels, messages, agent_no = row
    return EngineConversation(
        id=external_id, source=source, channel=channel, started_at=started_at, labels=labels or {},
        agent_id=agent_no or None,
        messages=[EngineMessage(m["role"], m["text"], m.get("t"), m.get("end"), m.get("agent_id")) for m in messages],
    )
