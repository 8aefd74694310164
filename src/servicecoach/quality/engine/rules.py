"""The auto-QA rule language: YAML rule sets parsed into plain condition trees, validated on load.

A rule set is a YAML mapping::

    ruleset: zh-default          # id
    version: "2026.11"           # any string; results carry it
    language: zh
    scorecard: zh-scorecard.yaml # optional default scorecard, relative to the rule set's file
    synonyms:                    # named word lists, used in keywords as "$name"
      apology: [抱歉, 对不起, 不好意思]
    rules:
      - id: zh-apology-01
        name: {zh: 投诉后致歉, en: Apology after a complaint}
        category: attitude       # attitude | knowledge | communication | process | compliance
        severity: general        # minor | general | severe
        condition: {...}         # one operator, see docs/qa-rules.md

Every error names the rule id and the field at fault (:class:`RuleError`). The evaluators
(:mod:`.fast` and :mod:`.reference`) take the parsed :class:`RuleSet`; nothing here evaluates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATEGORIES = ("attitude", "knowledge", "communication", "process", "compliance")
SEVERITIES = ("minor", "general", "severe")
SCOPE_ROLES = ("agent", "customer", "bot", "system", "any")
SENSITIVE_KINDS = ("mobile", "id_card", "bank_card")
TIMING_METRICS = ("first_response", "reply_latency", "longest_wait", "duration", "left_waiting")
CALL_METRICS = ("silence", "speech_rate", "overlap")
COUNT_METRICS = ("messages", "message_length", "repeat")
LABEL_OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "contains", "in")
KEYWORD_MATCHES = ("any", "all", "at_least", "none")
PACKS_DIR = Path(__file__).parent / "packs"
BUILTIN_PACKS = {"zh": "zh.yaml", "en": "en.yaml"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleError(ValueError):
    """A rule set that cannot be loaded: the message names the rule (or the file) and the field."""

    def __init__(
        self, message: str, *, rule: str | None = None, field: str | None = None, source: str = "", what: str = "rule set"
    ):
        self.rule, self.field, self.source = rule, field, source
        where = f"rule {rule}" if rule else (f"{what} {source}" if source else what)
        text = f"{where}, field {field}: {message}" if field else f"{where}: {message}"
        super().__init__(text)


def fold(text: str) -> str:
    """Case-fold for keyword matching without moving any character: result[i] comes from text[i],
    so spans found in the folded text are spans of the original."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


# --------------------------------------------------------------------------- condition tree


@dataclass(frozen=True, slots=True)
class Scope:
    """Which messages a text operator looks at: a role, then optionally the first/last N messages of
    that role or those in the first/last N seconds of the conversation (needs times, else N/A)."""

    role: str = "any"
    first: int | None = None
    last: int | None = None
    first_seconds: float | None = None
    last_seconds: float | None = None

    @property
    def needs_time(self) -> bool:
        return self.first_seconds is not None or self.last_seconds is not None


@dataclass(frozen=True, slots=True)
class Keywords:
    items: tuple[tuple[str, ...], ...]  # each item: its alternatives (a "$synonym" gives several), folded
    labels: tuple[str, ...]  # each item as written, for display
    match: str = "any"
    min: int = 1
    scope: Scope = Scope()
    case_sensitive: bool = False


@dataclass(frozen=True, slots=True)
class Regex:
    pattern: str
    exclude: str | None = None
    ignore_case: bool = True
    scope: Scope = Scope()
    compiled: Any = None
    exclude_compiled: Any = None


@dataclass(frozen=True, slots=True)
class Sensitive:
    kinds: tuple[str, ...] = SENSITIVE_KINDS
    scope: Scope = Scope(role="agent")


@dataclass(frozen=True, slots=True)
class Context:
    trigger: Keywords | Regex | Sensitive
    expect: Keywords | Regex | Sensitive
    within: int = 2
    direction: str = "after"  # after | before
    mode: str = "present"  # present: some trigger is answered; missing: some trigger is not


@dataclass(frozen=True, slots=True)
class Timing:
    metric: str
    over: float | None = None
    under: float | None = None
    count: int = 1


@dataclass(frozen=True, slots=True)
class Call:
    metric: str
    over: float | None = None
    under: float | None = None
    count: int = 1
    role: str = "any"  # speech_rate: whose speech; overlap: who interrupts
    per: str = "message"  # speech_rate: message | average


@dataclass(frozen=True, slots=True)
class Count:
    metric: str
    over: float | None = None
    under: float | None = None
    role: str = "any"
    count: int = 1  # message_length: how many long messages
    times: int = 2  # repeat: how many times the same sentence
    min_length: int = 4  # repeat: shorter sentences are ignored
    questions_only: bool = False


@dataclass(frozen=True, slots=True)
class Emotion:
    over: float | None = None
    trend: str | None = None  # rising | falling | flat


@dataclass(frozen=True, slots=True)
class Channel:
    channels: tuple[str, ...]
    otherwise: bool | None = False  # the state on other channels: False, or None (not applicable)


@dataclass(frozen=True, slots=True)
class Label:
    path: tuple[str, ...]
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Any


Condition = Keywords | Regex | Sensitive | Context | Timing | Call | Count | Emotion | Channel | Label | And | Or | Not


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name_zh: str
    name_en: str
    category: str
    severity: str
    condition: Any
    description: str = ""
    when: Any = None  # a precondition: unless it holds, the rule is not applicable


@dataclass(slots=True)
class RuleSet:
    id: str
    version: str
    rules: list[Rule]
    language: str = ""
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    scorecard_path: Path | None = None

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


# --------------------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, rule_id: str, synonyms: dict[str, tuple[str, ...]]):
        self.rule_id = rule_id
        self.synonyms = synonyms

    def fail(self, where: str, message: str) -> RuleError:
        return RuleError(message, rule=self.rule_id, field=where)

    # small typed getters -------------------------------------------------------------------
    def mapping(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be a mapping, not {_kind(value)}")
        return value

    def keys(self, obj: dict, where: str, allowed: set[str]) -> None:
        for key in obj:
            if key not in allowed:
                raise self.fail(f"{where}.{key}", "unknown field (allowed: " + ", ".join(sorted(allowed)) + ")")

    def number(self, obj: dict, key: str, where: str, *, default: Any = None, positive: bool = False) -> Any:
        value = obj.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where}.{key}", f"must be a number, not {_kind(value)}")
        if value < 0 or (positive and value == 0):
            raise self.fail(f"{where}.{key}", "must be a positive number" if positive else "must not be negative")
        return float(value)

    def integer(self, obj: dict, key: str, where: str, *, default: int | None = None, minimum: int = 1) -> Any:
        value = obj.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
            raise self.fail(f"{where}.{key}", f"must be {kind}")
        return value

    def choice(self, obj: dict, key: str, where: str, choices: tuple[str, ...], default: str | None = None) -> Any:
        value = obj.get(key, default)
        if value not in choices:
            raise self.fail(f"{where}.{key}", f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def boolean(self, obj: dict, key: str, where: str, default: bool) -> bool:
        value = obj.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "must be true or false")
        return value

    def bounds(self, obj: dict, where: str) -> tuple[float | None, float | None]:
        over = self.number(obj, "over", where)
        under = self.number(obj, "under", where)
        if over is None and under is None:
            raise self.fail(where, "needs a threshold: over and/or under")
        return over, under

    # the operators -------------------------------------------------------------------------
    def condition(self, value: Any, where: str) -> Any:
        obj = self.mapping(value, where)
        ops = [k for k in obj if k in _OPERATORS]
        if len(obj) != 1 or len(ops) != 1:
            raise self.fail(
                where, "must hold exactly one operator (" + ", ".join(_OPERATORS) + f"), found {', '.join(map(str, obj)) or 'none'}"
            )
        op = ops[0]
        return getattr(self, "op_" + op)(obj[op], f"{where}.{op}")

    def op_and(self, value: Any, where: str) -> And:
        return And(self.children(value, where))

    def op_or(self, value: Any, where: str) -> Or:
        return Or(self.children(value, where))

    def op_not(self, value: Any, where: str) -> Not:
        return Not(self.condition(value, where))

    def children(self, value: Any, where: str) -> tuple:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "must be a non-empty list of conditions")
        return tuple(self.condition(item, f"{where}[{i}]") for i, item in enumerate(value))

    def scope(self, obj: dict, where: str, default_role: str = "any") -> Scope:
        role = self.choice(obj, "role", where, SCOPE_ROLES, default_role)
        pos = obj.get("position")
        if pos is None:
            return Scope(role=role)
        pos = self.mapping(pos, f"{where}.position")
        allowed = {"first", "last", "first_seconds", "last_seconds"}
        self.keys(pos, f"{where}.position", allowed)
        if len(pos) != 1:
            raise self.fail(f"{where}.position", "must hold exactly one of first, last, first_seconds, last_seconds")
        pw = f"{where}.position"
        return Scope(
            role=role,
            first=self.integer(pos, "first", pw),
            last=self.integer(pos, "last", pw),
            first_seconds=self.number(pos, "first_seconds", pw, positive=True),
            last_seconds=self.number(pos, "last_seconds", pw, positive=True),
        )

    def op_keywords(self, value: Any, where: str) -> Keywords:
        obj = self.mapping(value, where)
        self.keys(obj, where, {"words", "match", "min", "role", "position", "case_sensitive"})
        words = obj.get("words")
        if not isinstance(words, list) or not words:
            raise self.fail(f"{where}.words", "must be a non-empty list of words or $synonym names")
        case_sensitive = self.boolean(obj, "case_sensitive", where, False)
        items, labels = [], []
        for i, word in enumerate(words):
            w = f"{where}.words[{i}]"
            if not isinstance(word, str) or not word.strip():
                raise self.fail(w, "must be a non-empty string")
            if word.startswith("$"):
                name = word[1:]
                if name not in self.synonyms:
                    known = ", ".join(sorted(self.synonyms)) or "none defined"
                    raise self.fail(w, f"unknown synonym list {word!r} (known: {known})")
                alts = self.synonyms[name]
            else:
                if _CONTROL.search(word):
                    raise self.fail(w, "must not contain control characters")
                alts = (word,)
            alts = tuple(dict.fromkeys(a if case_sensitive else fold(a) for a in alts))
            items.append(alts)
            labels.append(word)
        match = self.choice(obj, "match", where, KEYWORD_MATCHES, "any")
        minimum = self.integer(obj, "min", where, default=1)
        if match != "at_least" and "min" in obj:
            raise self.fail(f"{where}.min", "is only used with match: at_least")
        if match == "at_least" and minimum > len(items):
            raise self.fail(f"{where}.min", f"is {minimum} but only {len(items)} words are listed")
        return Keywords(
            items=tuple(items), labels=tuple(labels), match=match, min=minimum,
            scope=self.scope(obj, where), case_sensitive=case_sensitive,
        )

    def compile_regex(self, pattern: Any, where: str, ignore_case: bool) -> Any:
        if not isinstance(pattern, str) or not pattern:
            raise self.fail(where, "must be a non-empty regular expression")
        try:
            compiled = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        except re.error as exc:
            raise self.fail(where, f"not a valid regular expression: {exc}") from None
        if compiled.search("") is not None:
            raise self.fail(where, "matches the empty string, so it would match every message")
        return compiled

    def op_regex(self, value: Any, where: str) -> Regex:
        obj = self.mapping(value, where)
        self.keys(obj, where, {"pattern", "exclude", "ignore_case", "role", "position"})
        ignore_case = self.boolean(obj, "ignore_case", where, True)
        compiled = self.compile_regex(obj.get("pattern"), f"{where}.pattern", ignore_case)
        exclude = obj.get("exclude")
        exclude_compiled = None if exclude is None else self.compile_regex(exclude, f"{where}.exclude", ignore_case)
        return Regex(
            pattern=obj["pattern"], exclude=exclude, ignore_case=ignore_case, scope=self.scope(obj, where),
            compiled=compiled, exclude_compiled=exclude_compiled,
        )

    def op_sensitive(self, value: Any, where: str) -> Sensitive:
        obj = self.mapping(value, where)
        self.keys(obj, where, {"kinds", "role", "position"})
        kinds = obj.get("kinds", list(SENSITIVE_KINDS))
        if not isinstance(kinds, list) or not kinds or any(k not in SENSITIVE_KINDS for k in kinds):
            raise self.fail(f"{where}.kinds", "must be a non-empty list of " + ", ".join(SENSITIVE_KINDS))
        return Sensitive(kinds=tuple(dict.fromkeys(kinds)), scope=self.scope(obj, where, "agent"))

    def op_context(self, value: Any, where: str) -> Context:
        obj = self.mapping(value, where)
        self.keys(obj, where, {"trigger", "expect", "within", "direction", "mode"})
        leaves = {}
        for key in ("trigger", "expect"):
            if key not in obj:
                raise self.fail(f"{where}.{key}", "is required")
            node = self.condition(obj[key], f"{where}.{key}")
            if not isinstance(node, Keywords | Regex | Sensitive) or (isinstance(node, Keywords) and node.match != "any"):
                raise self.fail(f"{where}.{key}", "must be keywords (match: any), regex or sensitive")
            leaves[key] = node
        return Context(
            trigger=leaves["trigger"], expect=leaves["expect"],
            within=self.integer(obj, "within", where, default=2),
            direction=self.choice(obj, "direction", where, ("after", "before"), "after"),
            mode=self.choice(obj, "mode", where, ("present", "missing"), "present"),
        )

    def op_timing(self, value: Any, where: str) -> Timing:
        obj = self.mapping(value, where)
        self.keys(obj, where, {"metric", "over", "under", "count"})
        metric = self.choice(obj, "metric", where, TIMING_METRICS)
        if metric == "left_waiting":
            for key in ("over", "under"):
                if key in obj:
                    raise self.fail(f"{where}.{key}", "is not used with metric: left_waiting")
            over = under = None
        else:
            over, under = self.bounds(obj, where)
        if metric != "reply_latency" and "count" in obj:
            raise self.fail(f"{where}.count", "is only used with metric: reply_latency")
        return Timing(metric=metric, over=over, under=under, count=self.integer(obj, "count", where, default=1))

    def op_call(self, value: Any, where: str) -> Call:
        obj = self.mapping(value, where)
        self.keys(obj, where, {"metric", "over", "under", "count", "role", "per"})
        metric = self.choice(obj, "metric", where, CALL_METRICS)
        if metric == "overlap":
            over = self.number(obj, "over", where, default=0)
            under = self.number(obj, "under", where)
        else:
            over, under = self.bounds(obj, where)
        return Call(
            metric=metric, over=over, under=under, count=self.integer(obj, "count", where, default=1),
            role=self.choice(obj, "role", where, SCOPE_ROLES, "any"),
            per=self.choice(obj, "per", where, ("message", "average"), "message"),
        )

    def op_count(self, value: Any, where: str) -> Count:
        obj = self.mapping(value, where)
        self.keys(obj, where, {"metric", "over", "under", "role", "count", "times", "min_length", "questions_only"})
        metric = self.choice(obj, "metric", where, COUNT_METRICS)
        over, under = (None, None) if metric == "repeat" else self.bounds(obj, where)
        return Count(
            metric=metric, over=over, under=under,
            role=self.choice(obj, "role", where, SCOPE_ROLES, "any"),
            count=self.integer(obj, "count", where, default=1),
            times=self.integer(obj, "times", where, default=2, minimum=2),
            min_length=self.integer(obj, "min_length", where, default=4),
            questions_only=self.boolean(obj, "questions_only", where, False),
        )

    def op_emotion(self, value: Any, where: str) -> Emotion:
        obj = self.mapping(value, where)
        self.keys(obj, where, {"over", "trend"})
        trend = obj.get("trend")
        if trend is not None and trend not in ("rising", "falling", "flat"):
            raise self.fail(f"{where}.trend", f"must be one of rising, falling, flat, not {trend!r}")
        over = self.number(obj, "over", where)
        if over is None and trend is None:
            raise self.fail(where, "needs over (a score threshold) and/or trend")
        return Emotion(over=over, trend=trend)

    def op_channel(self, value: Any, where: str) -> Channel:
        otherwise: bool | None = False
        if isinstance(value, dict):
            self.keys(value, where, {"in", "otherwise"})
            mode = self.choice(value, "otherwise", where, ("false", "not_applicable"), "false")
            otherwise = None if mode == "not_applicable" else False
            value = value.get("in")
            where = f"{where}.in"
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise self.fail(where, "must be a channel name or a non-empty list of them")
        return Channel(tuple(values), otherwise)

    def op_label(self, value: Any, where: str) -> Label:
        obj = self.mapping(value, where)
        self.keys(obj, where, {"name", *LABEL_OPS})
        name = obj.get("name")
        if not isinstance(name, str) or not name or any(not part for part in name.split(".")):
            raise self.fail(f"{where}.name", "must be a label name, dotted for nested labels (e.g. stc3_quality_mean.S)")
        ops = [k for k in obj if k in LABEL_OPS]
        if len(ops) != 1:
            raise self.fail(where, "needs exactly one comparison: " + ", ".join(LABEL_OPS))
        op = ops[0]
        val = obj[op]
        if op in ("lt", "lte", "gt", "gte") and (isinstance(val, bool) or not isinstance(val, int | float)):
            raise self.fail(f"{where}.{op}", "must be a number")
        if op == "in" and not isinstance(val, list):
            raise self.fail(f"{where}.{op}", "must be a list of values")
        return Label(path=tuple(name.split(".")), op=op, value=val)


_OPERATORS = (
    "keywords", "regex", "sensitive", "context", "timing", "call", "count", "emotion", "channel", "label",
    "and", "or", "not",
)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "empty"}.get(type(value), type(value).__name__)


def _text(value: Any, rule_id: str, where: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise RuleError("must be a non-empty string", rule=rule_id, field=where)
    return value


def parse_rule(obj: Any, synonyms: dict[str, tuple[str, ...]], index: int = 0) -> Rule:
    if not isinstance(obj, dict):
        raise RuleError(f"must be a mapping, not {_kind(obj)}", field=f"rules[{index}]")
    rule_id = obj.get("id")
    if not isinstance(rule_id, str) or not _ID_RE.match(rule_id):
        raise RuleError("must be a string of letters, digits, '_', '.', '-'", field=f"rules[{index}].id")
    allowed = {"id", "name", "category", "severity", "condition", "description", "when"}
    for key in obj:
        if key not in allowed:
            raise RuleError("unknown field (allowed: " + ", ".join(sorted(allowed)) + ")", rule=rule_id, field=key)
    name = obj.get("name")
    if not isinstance(name, dict):
        raise RuleError("must be a mapping with zh and en", rule=rule_id, field="name")
    name_zh = _text(name.get("zh"), rule_id, "name.zh")
    name_en = _text(name.get("en"), rule_id, "name.en")
    category = obj.get("category")
    if category not in CATEGORIES:
        raise RuleError(f"must be one of {', '.join(CATEGORIES)}, not {category!r}", rule=rule_id, field="category")
    severity = obj.get("severity")
    if severity not in SEVERITIES:
        raise RuleError(f"must be one of {', '.join(SEVERITIES)}, not {severity!r}", rule=rule_id, field="severity")
    if "condition" not in obj:
        raise RuleError("is required", rule=rule_id, field="condition")
    parser = _Parser(rule_id, synonyms)
    condition = parser.condition(obj["condition"], "condition")
    when = parser.condition(obj["when"], "when") if "when" in obj else None
    return Rule(
        id=rule_id, name_zh=name_zh, name_en=name_en, category=category, severity=severity,
        condition=condition, description=_text(obj.get("description"), rule_id, "description", required=False),
        when=when,
    )


def parse_ruleset(data: Any, *, source: str = "<rules>", base_dir: Path | None = None) -> RuleSet:
    """Build a :class:`RuleSet` from decoded YAML; raises :class:`RuleError`."""

    def fail(where: str, message: str) -> RuleError:
        return RuleError(message, field=where, source=source)

    if not isinstance(data, dict):
        raise RuleError(f"must be a YAML mapping at the top, not {_kind(data)}", source=source)
    allowed = {"ruleset", "version", "language", "scorecard", "synonyms", "rules", "description"}
    for key in data:
        if key not in allowed:
            raise fail(str(key), "unknown field (allowed: " + ", ".join(sorted(allowed)) + ")")
    ruleset_id = data.get("ruleset")
    if not isinstance(ruleset_id, str) or not _ID_RE.match(ruleset_id):
        raise fail("ruleset", "must be an id (letters, digits, '_', '.', '-')")
    version = data.get("version")
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version:
        raise fail("version", "must be a non-empty string, e.g. \"2026.11\"")
    synonyms: dict[str, tuple[str, ...]] = {}
    raw_syn = data.get("synonyms") or {}
    if not isinstance(raw_syn, dict):
        raise fail("synonyms", "must be a mapping of name -> list of words")
    for name, words in raw_syn.items():
        if not isinstance(name, str) or not _ID_RE.match(name):
            raise fail(f"synonyms.{name}", "a synonym list name must be letters, digits, '_', '.', '-'")
        if not isinstance(words, list) or not words:
            raise fail(f"synonyms.{name}", "must be a non-empty list of words")
        for i, word in enumerate(words):
            if not isinstance(word, str) or not word.strip() or _CONTROL.search(word):
                raise fail(f"synonyms.{name}[{i}]", f"must be a non-empty string without control characters, not {_kind(word)} (quote numbers)")
        synonyms[name] = tuple(words)
    rules_data = data.get("rules")
    if not isinstance(rules_data, list) or not rules_data:
        raise fail("rules", "must be a non-empty list of rules")
    rules, seen = [], set()
    for i, item in enumerate(rules_data):
        try:
            rule = parse_rule(item, synonyms, i)
        except RuleError as exc:
            if exc.rule is None:
                exc.source = source
            raise
        if rule.id in seen:
            raise RuleError("is used by two rules: rule ids must be unique", rule=rule.id, field="id")
        seen.add(rule.id)
        rules.append(rule)
    scorecard = data.get("scorecard")
    scorecard_path = None
    if scorecard is not None:
        if not isinstance(scorecard, str) or not scorecard:
            raise fail("scorecard", "must be a file name relative to the rule set")
        scorecard_path = (base_dir or Path(".")) / scorecard
    language = data.get("language", "")
    if not isinstance(language, str):
        raise fail("language", "must be a string such as zh or en")
    return RuleSet(
        id=ruleset_id, version=version, rules=rules, language=language, synonyms=synonyms,
        source=source, scorecard_path=scorecard_path,
    )


def resolve_pack(name_or_path: str | Path) -> Path:
    """A built-in pack name (``zh``, ``en``) or a path to a YAML file."""
    key = str(name_or_path)
    if key in BUILTIN_PACKS:
        return PACKS_DIR / BUILTIN_PACKS[key]
    return Path(name_or_path)


def load_yaml(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleError(f"{what} file not found", source=str(path), what=what) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"cannot read the {what} file: {exc}", source=str(path), what=what) from None
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader, the C one when built
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RuleError(f"not valid YAML{where}: {problem}", source=str(path), what=what) from None


def load_ruleset(name_or_path: str | Path) -> RuleSet:
    """Load and validate a rule set from a built-in pack name or a YAML file; raises :class:`RuleError`."""
    path = resolve_pack(name_or_path)
    data = load_yaml(path, "rule set")
    return parse_ruleset(data, source=str(name_or_path), base_dir=path.parent)


def iter_leaves(node: Any):
    """Every operator node under ``node`` (depth first), including ``node``."""
    yield node
    if isinstance(node, And | Or):
        for child in node.children:
            yield from iter_leaves(child)
    elif isinstance(node, Not):
        yield from iter_leaves(node.child)
    elif isinstance(node, Context):
        yield node.trigger
        yield node.expect
