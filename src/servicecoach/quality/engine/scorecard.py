"""Scorecards (质检评分表): sections of items with points, scored from a rule set's outcome.

    scorecard: zh-default
    version: "2026.11"
    ruleset: zh-default                # optional: the rule set it was written for (checked on load)
    grades:                            # bands, highest first: the first band whose min <= score
      - {min: 90, grade: excellent}
      - {min: 0, grade: poor}
    sections:
      - id: opening
        name: {zh: 开场, en: Opening}
        bonus_lifts: false             # may bonus items lift this section above its points?
        items:
          - id: greeting
            name: {zh: 问候语, en: Greeting}
            points: 5
            rules: [zh-greeting-01]
            mode: deduct               # deduct | award | manual
            red_line: false            # 服务红线: a fired rule fails the whole conversation
            bonus: false               # bonus points sit outside the denominator

Arithmetic (docs/qa-rules.md has the worked examples):
- an item is applicable when at least one of its rules is applicable (not N/A); a manual item is
  never applicable here (it waits for a human reviewer);
- deduct: earned = 0 if any rule fired, else points; award: earned = points if any rule fired, else 0;
- a section earns the sum of its regular items plus its bonus items, capped at the section's applicable
  points unless ``bonus_lifts`` is true;
- score = sum of sections' earned / sum of applicable regular points x 100, capped at 100, rounded to 2
  places; null when nothing applies; a fired red-line item makes the score 0 and ``red_line`` true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .measures import Outcome
from .rules import RuleError, RuleSet, load_yaml

MODES = ("deduct", "award", "manual")
BUILTIN_SCORECARDS = {"zh": "zh-scorecard.yaml", "en": "en-scorecard.yaml"}


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    name_zh: str
    name_en: str
    points: float
    rules: tuple[str, ...]
    mode: str = "deduct"
    red_line: bool = False
    bonus: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    name_zh: str
    name_en: str
    items: tuple[Item, ...]
    bonus_lifts: bool = False


@dataclass(slots=True)
class Scorecard:
    id: str
    version: str
    sections: list[Section]
    grades: list[tuple[float, str]] = field(default_factory=list)  # (min, grade), highest min first
    ruleset: str | None = None
    source: str = ""
    _plan: Any = field(default=None, repr=False, compare=False)

    def grade(self, score: float | None) -> str | None:
        if score is None:
            return None
        for minimum, grade in self.grades:
            if score >= minimum:
                return grade
        return None

    def check_rules(self, ruleset: RuleSet) -> None:
        """Every rule an item names must exist in ``ruleset``; raises :class:`RuleError`."""
        known = {rule.id for rule in ruleset.rules}
        if self.ruleset is not None and self.ruleset != ruleset.id:
            raise RuleError(
                f"was written for rule set {self.ruleset!r}, not {ruleset.id!r}", field="ruleset", source=self.source,
                what="scorecard",
            )
        for section in self.sections:
            for item in section.items:
                for rule_id in item.rules:
                    if rule_id not in known:
                        raise RuleError(
                            f"names rule {rule_id!r}, which rule set {ruleset.id} does not have",
                            field=f"sections.{section.id}.items.{item.id}.rules", source=self.source,
                            what="scorecard",
                        )


@dataclass(slots=True)
class ScoreResult:
    score: float | None
    grade: str | None
    red_line: bool
    # per item, as written to the results: section, item, points, earned (None when not applicable
    # or manual), applicable, red_line, bonus, manual, rules (those that fired)
    items: list[dict[str, Any]]
    earned: float
    applicable: float


def _item_dict(section_id: str, item: Item, earned: float | None, applicable: bool, fired: list[str]) -> dict[str, Any]:
    return {
        "section": section_id, "item": item.id, "points": item.points, "earned": earned,
        "applicable": applicable, "red_line": item.red_line, "bonus": item.bonus, "manual": item.mode == "manual",
        "rules": fired,
    }


def _plan(card: Scorecard) -> list:
    """Per section: (id, bonus_lifts, [(item, its only rule or None, manual, shared dicts)]); the shared
    dicts are the item's record when not applicable and when applicable with no rule fired."""
    if card._plan is None:
        plan = []
        for section in card.sections:
            rows = []
            for item in section.items:
                idle = item.points if item.mode == "deduct" else 0.0
                shared = (_item_dict(section.id, item, None, False, []), _item_dict(section.id, item, idle, True, []))
                rows.append((item, item.rules[0] if len(item.rules) == 1 else None, item.mode == "manual", shared))
            plan.append((section.id, section.bonus_lifts, rows))
        card._plan = plan
    return card._plan


def score(card: Scorecard, outcome: Outcome, *, shared: bool = False) -> ScoreResult:
    """Score an outcome. ``shared=True`` puts the same (read-only!) item records in every result
    where an item did not apply or no rule of it fired: for results serialised at once (qa run)."""
    get = outcome.states.get
    items: list[dict[str, Any]] = []
    total_earned = total_applicable = 0.0
    red = False
    for section_id, bonus_lifts, plan in _plan(card):
        base_earned = base_applicable = bonus_earned = 0.0
        for item, single, manual, records in plan:
            if single is not None:
                state = get(single)
                fired = [single] if state else []
                applicable = state is not None and not manual
            else:
                states = [get(rule_id) for rule_id in item.rules]
                fired = [rule_id for rule_id, st in zip(item.rules, states) if st]
                applicable = not manual and any(st is not None for st in states)
            earned: float | None = None
            if applicable:
                if item.mode == "deduct":
                    earned = 0.0 if fired else item.points
                else:
                    earned = item.points if fired else 0.0
                if item.bonus:
                    bonus_earned += earned
                else:
                    base_earned += earned
                    base_applicable += item.points
                if fired and item.red_line:
                    red = True
            if shared and not fired:
                items.append(records[1] if applicable else records[0])
            else:
                items.append(_item_dict(section_id, item, earned, applicable, fired))
        section_earned = base_earned + bonus_earned
        if not bonus_lifts:
            section_earned = min(section_earned, base_applicable)
        total_earned += section_earned
        total_applicable += base_applicable
    if red:
        value: float | None = 0.0
    elif total_applicable <= 0:
        value = None
    else:
        value = round(min(100.0, total_earned / total_applicable * 100), 2)
    return ScoreResult(
        score=value, grade=card.grade(value), red_line=red, items=items,
        earned=total_earned, applicable=total_applicable,
    )


def score_batch(card: Scorecard, rule_ids: list[str], matrix: Any) -> list[ScoreResult]:
    """:func:`score` with ``shared=True`` for a batch of outcomes given as their states matrix
    (conversation x rule in ``rule_ids`` order: 1 fired, 0 not, -1 not applicable; what
    :meth:`.batch.BatchRuleSet.evaluate_matrix` returns). Equal results (a test holds them equal),
    the arithmetic done column by column with numpy in the same order of additions as :func:`score`.
    An item with one rule also shares its record when the rule fired (read-only, like the others)."""
    return _score_batch(card, rule_ids, matrix, False)[0]


def score_batch_json(card: Scorecard, rule_ids: list[str], matrix: Any) -> tuple[list[ScoreResult], list[list]]:
    """:func:`score_batch`, and for each result its item records already serialised
    (``orjson.Fragment``\\ s, each record's JSON made once per batch): a result line is then
    written without serialising 31 item records again; the bytes are the same."""
    return _score_batch(card, rule_ids, matrix, True)


def _score_batch(card: Scorecard, rule_ids: list[str], matrix: Any, json: bool) -> tuple[list[ScoreResult], list]:
    import numpy as np
    import orjson

    fragment = orjson.Fragment
    dumps = orjson.dumps

    B = len(matrix)
    column = {rule_id: j for j, rule_id in enumerate(rule_ids)}
    named = {rule_id for section in card.sections for item in section.items for rule_id in item.rules}
    if not named <= column.keys():  # a rule the outcome lacks is not applicable, as in score()
        matrix = np.concatenate([matrix, np.full((B, 1), -1, dtype=matrix.dtype)], axis=1)
        column = {rule_id: column.get(rule_id, len(rule_ids)) for rule_id in named} | column
    tables: list[tuple] = []  # per item: (records by code, or None for a per-conversation record)
    ftables: list[tuple] = []  # the same records serialised (json=True)
    codes = []
    total_earned = np.zeros(B)
    total_applicable = np.zeros(B)
    red = np.zeros(B, dtype=bool)
    for section_id, bonus_lifts, plan in _plan(card):
        base_earned = np.zeros(B)
        base_applicable = np.zeros(B)
        bonus_earned = np.zeros(B)
        for item, single, manual, records in plan:
            states = matrix[:, [column[rule_id] for rule_id in item.rules]]
            fired = (states == 1).any(axis=1)
            applicable = np.zeros(B, dtype=bool) if manual else (states != -1).any(axis=1)
            if item.mode == "deduct":
                earned = np.where(fired, 0.0, item.points)
            else:
                earned = np.where(fired, item.points, 0.0)
            earned = np.where(applicable, earned, 0.0)  # adding 0.0 leaves the sums as score() has them
            if item.bonus:
                bonus_earned = bonus_earned + earned
            else:
                base_earned = base_earned + earned
                base_applicable = base_applicable + np.where(applicable, item.points, 0.0)
            if item.red_line:
                red |= fired & applicable
            if single is not None:
                fired_record = _item_dict(section_id, item, None if manual else (
                    0.0 if item.mode == "deduct" else item.points), not manual, [single])
                tables.append((records[0], records[1], fired_record))
            else:
                tables.append((records[0], records[1], None))
            if json:
                ftables.append(tuple(None if r is None else fragment(dumps(r)) for r in tables[-1]))
            codes.append(np.where(fired, 2, applicable.astype(np.int64)))
        section_earned = base_earned + bonus_earned
        if not bonus_lifts:
            section_earned = np.minimum(section_earned, base_applicable)
        total_earned = total_earned + section_earned
        total_applicable = total_applicable + base_applicable
    ratio = np.divide(total_earned, total_applicable, out=np.zeros(B), where=total_applicable > 0) * 100
    code_rows = np.stack(codes, axis=1).tolist() if codes else [[] for _ in range(B)]
    items_plan = [(section_id, item) for section_id, _, plan in _plan(card) for item, *_ in plan]
    out = []
    frags_out: list = []
    grade = card.grade
    states_rows = None
    for ci, (row, te, ta, r, is_red) in enumerate(zip(
        code_rows, total_earned.tolist(), total_applicable.tolist(), ratio.tolist(), red.tolist()
    )):
        items = [table[code] for table, code in zip(tables, row)]
        frags = [table[code] for table, code in zip(ftables, row)] if json else None
        if None in items:  # an item with several rules, some fired: this conversation's own record
            for k, record in enumerate(items):
                if record is not None:
                    continue
                if states_rows is None:
                    states_rows = matrix.tolist()
                section_id, item = items_plan[k]
                st = states_rows[ci]
                fired_ids = [rule_id for rule_id in item.rules if st[column[rule_id]] == 1]
                manual = item.mode == "manual"
                earned = None
                if not manual:
                    earned = 0.0 if item.mode == "deduct" else item.points
                items[k] = record = _item_dict(section_id, item, earned, not manual, fired_ids)
                if frags is not None:
                    frags[k] = fragment(dumps(record))
        if json:
            frags_out.append(frags)
        if is_red:
            value: float | None = 0.0
        elif ta <= 0:
            value = None
        else:
            value = round(min(100.0, r), 2)
        out.append(ScoreResult(score=value, grade=grade(value), red_line=is_red, items=items, earned=te, applicable=ta))
    return out, frags_out


# --------------------------------------------------------------------------- loading


def _fail(source: str, where: str, message: str) -> RuleError:
    return RuleError(message, field=where, source=source, what="scorecard")


def _name(obj: dict, source: str, where: str) -> tuple[str, str]:
    name = obj.get("name")
    if not isinstance(name, dict) or not all(isinstance(name.get(k), str) and name.get(k) for k in ("zh", "en")):
        raise _fail(source, f"{where}.name", "must be a mapping with non-empty zh and en")
    return name["zh"], name["en"]


def parse_scorecard(data: Any, *, source: str = "<scorecard>") -> Scorecard:
    if not isinstance(data, dict):
        raise RuleError("must be a YAML mapping at the top", source=source, what="scorecard")
    allowed = {"scorecard", "version", "ruleset", "grades", "sections", "description"}
    for key in data:
        if key not in allowed:
            raise _fail(source, str(key), "unknown field (allowed: " + ", ".join(sorted(allowed)) + ")")
    card_id = data.get("scorecard")
    if not isinstance(card_id, str) or not card_id:
        raise _fail(source, "scorecard", "must be the scorecard's id")
    version = data.get("version")
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version:
        raise _fail(source, "version", "must be a non-empty string")
    ruleset = data.get("ruleset")
    if ruleset is not None and not isinstance(ruleset, str):
        raise _fail(source, "ruleset", "must be a rule set id")
    grades = []
    for i, band in enumerate(data.get("grades") or []):
        if not isinstance(band, dict) or set(band) != {"min", "grade"}:
            raise _fail(source, f"grades[{i}]", "must be a mapping with min and grade")
        if isinstance(band["min"], bool) or not isinstance(band["min"], int | float):
            raise _fail(source, f"grades[{i}].min", "must be a number")
        grades.append((float(band["min"]), str(band["grade"])))
    grades.sort(key=lambda band: -band[0])
    sections_data = data.get("sections")
    if not isinstance(sections_data, list) or not sections_data:
        raise _fail(source, "sections", "must be a non-empty list of sections")
    sections, item_ids = [], set()
    for si, sec in enumerate(sections_data):
        where = f"sections[{si}]"
        if not isinstance(sec, dict):
            raise _fail(source, where, "must be a mapping")
        sec_allowed = {"id", "name", "items", "bonus_lifts"}
        for key in sec:
            if key not in sec_allowed:
                raise _fail(source, f"{where}.{key}", "unknown field (allowed: " + ", ".join(sorted(sec_allowed)) + ")")
        sec_id = sec.get("id")
        if not isinstance(sec_id, str) or not sec_id:
            raise _fail(source, f"{where}.id", "must be a non-empty string")
        where = f"sections.{sec_id}"
        zh, en = _name(sec, source, where)
        bonus_lifts = sec.get("bonus_lifts", False)
        if not isinstance(bonus_lifts, bool):
            raise _fail(source, f"{where}.bonus_lifts", "must be true or false")
        items_data = sec.get("items")
        if not isinstance(items_data, list) or not items_data:
            raise _fail(source, f"{where}.items", "must be a non-empty list of items")
        items = []
        for ii, it in enumerate(items_data):
            iw = f"{where}.items[{ii}]"
            if not isinstance(it, dict):
                raise _fail(source, iw, "must be a mapping")
            it_allowed = {"id", "name", "points", "rules", "mode", "red_line", "bonus", "description"}
            for key in it:
                if key not in it_allowed:
                    raise _fail(source, f"{iw}.{key}", "unknown field (allowed: " + ", ".join(sorted(it_allowed)) + ")")
            item_id = it.get("id")
            if not isinstance(item_id, str) or not item_id:
                raise _fail(source, f"{iw}.id", "must be a non-empty string")
            if item_id in item_ids:
                raise _fail(source, f"{iw}.id", f"item id {item_id!r} is used twice")
            item_ids.add(item_id)
            iw = f"{where}.items.{item_id}"
            izh, ien = _name(it, source, iw)
            points = it.get("points")
            if isinstance(points, bool) or not isinstance(points, int | float) or points < 0:
                raise _fail(source, f"{iw}.points", "must be a number >= 0")
            mode = it.get("mode", "deduct")
            if mode not in MODES:
                raise _fail(source, f"{iw}.mode", f"must be one of {', '.join(MODES)}, not {mode!r}")
            rules = it.get("rules", [])
            if not isinstance(rules, list) or not all(isinstance(r, str) and r for r in rules):
                raise _fail(source, f"{iw}.rules", "must be a list of rule ids")
            if mode != "manual" and not rules:
                raise _fail(source, f"{iw}.rules", f"an item with mode {mode} needs at least one rule")
            flags = {}
            for flag in ("red_line", "bonus"):
                flags[flag] = it.get(flag, False)
                if not isinstance(flags[flag], bool):
                    raise _fail(source, f"{iw}.{flag}", "must be true or false")
            if flags["bonus"] and mode != "award":
                raise _fail(source, f"{iw}.bonus", "a bonus item must have mode: award")
            items.append(Item(
                id=item_id, name_zh=izh, name_en=ien, points=float(points), rules=tuple(rules), mode=mode,
                red_line=flags["red_line"], bonus=flags["bonus"],
            ))
        sections.append(Section(id=sec_id, name_zh=zh, name_en=en, items=tuple(items), bonus_lifts=bonus_lifts))
    return Scorecard(id=card_id, version=version, sections=sections, grades=grades, ruleset=ruleset, source=source)


def resolve_scorecard(name_or_path: str | Path) -> Path:
    from .rules import PACKS_DIR

    key = str(name_or_path)
    if key in BUILTIN_SCORECARDS:
        return PACKS_DIR / BUILTIN_SCORECARDS[key]
    return Path(name_or_path)


def load_scorecard(name_or_path: str | Path) -> Scorecard:
    """Load and validate a scorecard from a built-in name (``zh``, ``en``) or a YAML file."""
    path = resolve_scorecard(name_or_path)
    return parse_scorecard(load_yaml(path, "scorecard"), source=str(name_or_path))
