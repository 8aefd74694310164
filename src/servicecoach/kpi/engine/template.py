"""KPI templates: YAML data, validated on load, compiled once for fast scoring.

A template (see docs/kpi-rules.md for the whole format)::

    template: ecommerce-cs            # id
    version: "2026.11"                # results carry id and version
    name: {zh: 电商客服绩效考核, en: E-commerce customer service scorecard}
    constants: {consultation_standard: 450}   # names usable in formulas
    figures:                          # the input columns, one per monthly figure
      - {id: sales, name: {zh: 销售额, en: sales}, kind: amount, aliases: [实际销售额]}
    sections:
      - id: results
        name: {zh: 工作绩效, en: Work results}
        items:
          - id: sales_completion
            name: {zh: 销售额完成率, en: sales completion}
            weight: 30
            input: pct(sales, sales_target)
            unit: "%"
            better: higher            # which way is better performance (checked against the rules)
            cap: 32                   # default: the weight; "none" for no cap
            rules: [{type: steps, side: below, standard: 100, every: 5, points: -1, partial: ceil}]
    ranking: {tie_break: [results]}   # section or item ids compared after the total
    incentives: [{id: A, name: {zh: A 档, en: band A}, top_percent: 10}]

Every problem is a :class:`TemplateError` whose message names the template, the item and the field:
``ecommerce-cs item conversion_rate, field rules[1].below: must be a number``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import formula
from .rules import PerEvent, Rating, Rule, SpecError, bilingual, check_keys, fmt, number, parse_rule

TEMPLATES_DIR = Path(__file__).parent / "templates"
FIGURE_KINDS = ("amount", "count", "percent", "level")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_TEMPLATE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class TemplateError(ValueError):
    """A template that cannot be loaded; the message names template, item and field."""

    def __init__(self, message: str, *, template: str = "", item: str | None = None, field: str | None = None):
        self.template, self.item, self.field, self.message = template, item, field, message
        where = template or "template"
        if item:
            where += f" item {item}"
        text = f"{where}, field {field}: {message}" if field else f"{where}: {message}"
        super().__init__(text)


@dataclass(frozen=True, slots=True)
class Figure:
    id: str
    name: tuple[str, str]
    kind: str
    aliases: tuple[str, ...] = ()
    description: tuple[str, str] = ("", "")

    def headers(self) -> tuple[str, ...]:
        """Every header accepted for this column: id, Chinese name, English name, aliases."""
        seen: dict[str, None] = {}
        for h in (self.id, *self.name, *self.aliases):
            seen.setdefault(h, None)
        return tuple(seen)


@dataclass(slots=True)
class Item:
    id: str
    section: str
    name: tuple[str, str]
    weight: float
    input: str | None
    unit: str
    better: str
    base: float
    floor: float
    cap: float | None
    rules: list[Rule]
    description: tuple[str, str]
    # compiled: the item's input and each rule's input (None: the item's)
    evaluate: formula.Evaluator | None = None
    rule_inputs: list[formula.Evaluator | None] = field(default_factory=list)
    figures: frozenset[str] = frozenset()
    weight_text: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    name: tuple[str, str]
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Incentive:
    id: str
    name: tuple[str, str]
    top_percent: float
    min_total: float | None = None


@dataclass(slots=True)
class Template:
    id: str
    version: str
    name: tuple[str, str]
    description: tuple[str, str]
    constants: dict[str, float]
    figures: dict[str, Figure]
    sections: list[Section]
    tie_break: list[str]
    incentives: list[Incentive]
    source: str = ""
    items: list[Item] = field(default_factory=list)
    shared: frozenset[str] = frozenset()  # figures whose team totals are needed
    uses_previous: bool = False

    @property
    def max_total(self) -> float:
        return sum(i.weight for i in self.items)

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def rating_of(self, figure_id: str) -> Rating | None:
        for it in self.items:
            for rule in it.rules:
                if isinstance(rule, Rating) and (rule.input or it.input or "").strip() == figure_id:
                    return rule
        return None


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    v = data.get(key)
    if not isinstance(v, str | int | float) or isinstance(v, bool) or str(v).strip() == "":
        raise SpecError(f"{where}{key}", "is required (text)")
    return str(v).strip()


def parse_template(data: Any, *, source: str = "") -> Template:
    """Validate and compile template data (as loaded from YAML)."""
    if not isinstance(data, Mapping):
        raise TemplateError("must be a YAML mapping with template, version, figures and sections", template=source)
    tid = data.get("template")
    if not isinstance(tid, str) or not _TEMPLATE_ID_RE.match(tid):
        raise TemplateError("must be an id of letters, digits, _ . -", template=source or "template", field="template")
    try:
        return _parse(tid, data, source)
    except SpecError as e:
        raise TemplateError(e.message, template=tid, field=e.field) from None


def _parse(tid: str, data: Mapping[str, Any], source: str) -> Template:
    check_keys(data, {"template", "version", "name", "description", "constants", "figures", "sections",
                      "ranking", "incentives"}, "")
    version = _text(data, "version", "")
    name = bilingual(data.get("name"), "name")
    description = bilingual(data.get("description"), "description", required=False)
    constants: dict[str, float] = {}
    raw_constants = data.get("constants") or {}
    if not isinstance(raw_constants, Mapping):
        raise SpecError("constants", "must be a mapping of name: number")
    for k in raw_constants:
        if not isinstance(k, str) or not _ID_RE.match(k):
            raise SpecError(f"constants.{k}", "names are lower-case letters, digits and _")
        constants[k] = number(raw_constants, k, "constants.")

    figures: dict[str, Figure] = {}
    raw_figures = data.get("figures")
    if not isinstance(raw_figures, list) or not raw_figures:
        raise SpecError("figures", "must be a non-empty list of input columns")
    headers: dict[str, str] = {}
    for i, f in enumerate(raw_figures):
        fp = f"figures[{i}]."
        check_keys(f, {"id", "name", "kind", "aliases", "description"}, fp)
        fid = _text(f, "id", fp)
        if not _ID_RE.match(fid) or fid == "prev" or fid in formula.FUNCTIONS:
            raise SpecError(f"{fp}id", "must be lower-case letters, digits and _ (not prev or a function name)")
        if fid in figures or fid in constants:
            raise SpecError(f"{fp}id", f"{fid!r} is defined twice")
        kind = f.get("kind", "amount")
        if kind not in FIGURE_KINDS:
            raise SpecError(f"{fp}kind", f"must be one of {', '.join(FIGURE_KINDS)}")
        aliases = f.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise SpecError(f"{fp}aliases", "must be a list of header texts")
        fig = Figure(fid, bilingual(f.get("name"), f"{fp}name"), kind, tuple(a.strip() for a in aliases),
                     bilingual(f.get("description"), f"{fp}description", required=False))
        for h in fig.headers():
            key = h.casefold()
            if key in headers and headers[key] != fid:
                raise SpecError(f"{fp}aliases", f"header {h!r} also names figure {headers[key]}")
            headers[key] = fid
        figures[fid] = fig

    labels = {k: f.name for k, f in figures.items()}
    sections: list[Section] = []
    items: list[Item] = []
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise SpecError("sections", "must be a non-empty list")
    ids: set[str] = set()
    for si, s in enumerate(raw_sections):
        sp = f"sections[{si}]."
        check_keys(s, {"id", "name", "items"}, sp)
        sid = _text(s, "id", sp)
        if sid in ids:
            raise SpecError(f"{sp}id", f"{sid!r} is used twice")
        ids.add(sid)
        raw_items = s.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise SpecError(f"{sp}items", "must be a non-empty list")
        sec_items = []
        for ii, it in enumerate(raw_items):
            iid = it.get("id") if isinstance(it, Mapping) else None
            if not isinstance(iid, str) or not _ID_RE.match(iid):
                raise SpecError(f"{sp}items[{ii}].id", "must be lower-case letters, digits and _")
            if iid in ids:
                raise SpecError(f"{sp}items[{ii}].id", f"{iid!r} is used twice")
            ids.add(iid)
            try:
                item = _parse_item(it, sid, figures, labels, constants)
            except SpecError as e:
                raise TemplateError(e.message, template=tid, item=iid, field=e.field) from None
            except formula.FormulaError as e:  # pragma: no cover - _parse_item wraps these
                raise TemplateError(str(e), template=tid, item=iid, field="input") from None
            sec_items.append(item)
            items.append(item)
        sections.append(Section(sid, bilingual(s.get("name"), f"{sp}name"), tuple(sec_items)))

    ranking = data.get("ranking") or {}
    check_keys(ranking, {"tie_break"}, "ranking.")
    tie_break = ranking.get("tie_break") or []
    if not isinstance(tie_break, list):
        raise SpecError("ranking.tie_break", "must be a list of section or item ids")
    for i, t in enumerate(tie_break):
        if t not in ids:
            raise SpecError(f"ranking.tie_break[{i}]", f"{t!r} is not a section or item of this template")

    incentives: list[Incentive] = []
    last = 0.0
    for i, inc in enumerate(data.get("incentives") or []):
        ip = f"incentives[{i}]."
        check_keys(inc, {"id", "name", "top_percent", "min_total"}, ip)
        top = number(inc, "top_percent", ip, positive=True)
        if top > 100 or top <= last:
            raise SpecError(f"{ip}top_percent", f"must be above {fmt_pct(last)} (the band before) and at most 100")
        last = top
        incentives.append(Incentive(_text(inc, "id", ip), bilingual(inc.get("name"), f"{ip}name"), top,
                                    number(inc, "min_total", ip, default=None)))

    tpl = Template(tid, version, name, description, constants, figures, sections, list(tie_break), incentives,
                   source=source, items=items)
    tpl.shared = frozenset().union(*(formula.shared_figures(formula.parse(x)) for it in items
                                     for x in [it.input, *(r.input for r in it.rules)] if x))
    tpl.uses_previous = any(formula.uses_previous(formula.parse(x)) for it in items
                            for x in [it.input, *(r.input for r in it.rules)] if x)
    return tpl


def fmt_pct(x: float) -> str:
    return f"{x:g}%"


def _parse_item(it: Mapping[str, Any], section: str, figures: dict[str, Figure],
                labels: dict[str, tuple[str, str]], constants: dict[str, float]) -> Item:
    check_keys(it, {"id", "name", "weight", "input", "unit", "better", "base", "floor", "cap", "rules",
                    "description"}, "")
    weight = number(it, "weight", "", positive=True)
    better = it.get("better", "higher")
    if better not in ("higher", "lower"):
        raise SpecError("better", "must be higher or lower (which way is better performance)")
    unit = it.get("unit", "")
    if not isinstance(unit, str):
        raise SpecError("unit", "must be text such as %")
    base = number(it, "base", "", default=weight)
    floor = number(it, "floor", "", default=0.0)
    cap_raw = it.get("cap")
    if cap_raw == "none":
        cap = None
    else:
        cap = number(it, "cap", "", default=weight)
        if cap < weight:
            raise SpecError("cap", f"must be at least the weight ({weight:g}), or none")
    if floor > base or (cap is not None and base > cap):
        raise SpecError("base", "must lie between floor and cap")
    raw_rules = it.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise SpecError("rules", "must be a non-empty list")
    rules = [parse_rule(r, f"rules[{i}].") for i, r in enumerate(raw_rules)]
    item_input = it.get("input")
    if item_input is not None and not isinstance(item_input, str):
        raise SpecError("input", "must be a formula (text)")

    def compile_(text: str, fld: str) -> tuple[formula.Evaluator, formula.Node]:
        try:
            node = formula.parse(text)
            fn = formula.compile_formula(node, figures=labels, constants=constants, source=text)
        except formula.FormulaError as e:
            raise SpecError(fld, str(e)) from None
        return fn, node

    evaluate = None
    used: set[str] = set()
    item_node = None
    if item_input is not None:
        evaluate, item_node = compile_(item_input, "input")
        used |= formula.names(item_node)
    rule_inputs: list[formula.Evaluator | None] = []
    for i, r in enumerate(rules):
        node = item_node
        if r.input is not None:
            fn, node = compile_(r.input, f"rules[{i}].input")
            used |= formula.names(node)
            rule_inputs.append(fn)
        else:
            if item_input is None:
                raise SpecError(f"rules[{i}].input", "is required when the item has no input")
            rule_inputs.append(None)
        level_names = {n for n in formula.names(node) if n in figures and figures[n].kind == "level"}
        if isinstance(r, Rating):
            if node.kind != "name" or node.value not in figures or figures[node.value].kind != "level":
                raise SpecError(f"rules[{i}].input" if r.input else "input",
                                "a rating reads one figure of kind level, by name")
        elif level_names:
            raise SpecError(f"rules[{i}].input" if r.input else "input",
                            f"figure {sorted(level_names)[0]} is a level: only a rating rule reads it")
        if isinstance(r, PerEvent):
            if not (node.kind == "name" and node.value in figures and figures[node.value].kind == "count"):
                raise SpecError(f"rules[{i}].input" if r.input else "input",
                                "a per_event rule reads one figure of kind count, by name")
            if r.event == ("", ""):
                r.event = figures[node.value].name
        for fld, msg in r.direction_problems(better, base):
            raise SpecError(fld, msg)
    return Item(
        id=it["id"], section=section, name=bilingual(it.get("name"), "name"), weight=weight, input=item_input,
        unit=unit, better=better, base=base, floor=floor, cap=cap, rules=rules,
        description=bilingual(it.get("description"), "description", required=False),
        evaluate=evaluate, rule_inputs=rule_inputs, figures=frozenset(n for n in used if n in figures),
        weight_text=fmt(weight),
    )


def load_template(path: str | Path) -> Template:
    """Load a template from a YAML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise TemplateError(f"cannot read: {e.strerror or e}", template=str(p)) from None
    except UnicodeDecodeError:
        raise TemplateError("is not UTF-8 text", template=str(p)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise TemplateError(f"is not valid YAML{at}: {getattr(e, 'problem', e)}", template=str(p)) from None
    return parse_template(data, source=str(p))


_BUILTIN: dict[str, Template] = {}


def builtin_templates() -> dict[str, Template]:
    """The templates shipped in ``templates/``, by id (loaded once)."""
    if not _BUILTIN:
        for p in sorted(TEMPLATES_DIR.glob("*.yaml")):
            t = load_template(p)
            _BUILTIN[t.id] = t
    return dict(_BUILTIN)


def get_template(name: str) -> Template:
    """A built-in template by id, or a template file by path."""
    builtins = builtin_templates()
    if name in builtins:
        return builtins[name]
    p = Path(name)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return load_template(p)
    raise TemplateError(f"no such template (built-in: {', '.join(builtins)}; or give a .yaml file)", template=name)
