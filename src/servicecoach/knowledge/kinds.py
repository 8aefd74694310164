"""What each kind of article holds: its structured fields, how they are checked, and the text search sees.

``Article.fields`` is a JSON object whose keys are given here per kind. Three shapes of field:

- ``text``: one string (a textarea in the editor);
- ``lines``: a list of strings (one per line in the editor), e.g. an FAQ's similar phrasings;
- ``scenarios``: a list of ``{"scenario": ..., "text": ...}``, a script template's answers by scenario;
- ``choice``: one of a few values (a case is a good or a bad example).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicecoach.knowledge.models import Kind

PLACEHOLDER = re.compile(r"\{([^{}\s]{1,20})\}")

OUTCOMES = (("good", _("Good example")), ("bad", _("Bad example")))
CHOICE_ALIASES = {"正面案例": "good", "好案例": "good", "正面": "good", "反面案例": "bad", "坏案例": "bad", "反面": "bad",
                  "服务流程": "process", "流程": "process", "服务红线": "red_line", "红线": "red_line",
                  "隐私": "privacy", "其他": "other"}
STANDARD_AREAS = (
    ("process", _("Service process")),
    ("red_line", _("Red line")),
    ("privacy", _("Privacy")),
    ("other", _("Other")),
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    shape: str = "text"  # text | lines | scenarios | choice
    required: bool = False
    choices: tuple = ()
    help: str = ""
    # other names a Markdown section heading may use (fixed Chinese names: the labels' translations may vary)
    aliases: tuple[str, ...] = ()


KIND_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    Kind.FAQ: (
        FieldSpec("answer", _("Answer"), required=True, aliases=("答案", "回答")),
        FieldSpec("similar", _("Similar phrasings"), "lines",
                  help=_("Other ways customers ask the question, one per line."), aliases=("相似问法", "相似问题")),
    ),
    Kind.SCRIPT: (
        FieldSpec("opening", _("Opening"),
                  help=_("Placeholders in braces are filled in by the agent: {客户称呼}, {订单号}."),
                  aliases=("开场白", "开场")),
        FieldSpec("scenarios", _("Answers by scenario"), "scenarios",
                  help=_("Each scenario starts with its name in square brackets on a line of its own, "
                         "e.g. [物流延迟], followed by the answer."), aliases=("分场景话术", "场景话术", "场景")),
        FieldSpec("closing", _("Closing"), aliases=("结束语",)),
    ),
    Kind.CASE: (
        FieldSpec("outcome", _("Good or bad example"), "choice", required=True, choices=OUTCOMES,
                  aliases=("正面或反面案例", "案例性质")),
        FieldSpec("background", _("Background"), aliases=("背景",)),
        FieldSpec("problem", _("Problem"), aliases=("问题",)),
        FieldSpec("handling", _("Handling"), aliases=("处理", "处理过程")),
        FieldSpec("result", _("Result and impact"), aliases=("结果与影响", "结果")),
    ),
    Kind.RISK: (
        FieldSpec("what_went_wrong", _("What went wrong"), required=True, aliases=("问题经过", "经过")),
        FieldSpec("rule", _("Rule or regulation"), aliases=("违反的规定", "违反")),
        FieldSpec("consequence", _("Consequence"), aliases=("后果",)),
        FieldSpec("lesson", _("How to avoid it"), aliases=("如何避免", "教训")),
    ),
    Kind.STANDARD: (
        FieldSpec("area", pgettext_lazy("knowledge", "Area"), "choice", required=True, choices=STANDARD_AREAS,
                  aliases=("范围",)),
        FieldSpec("body", _("Standard"), required=True, aliases=("规范内容", "正文")),
    ),
}

# The field a plain text goes into when an import or the test collection gives only one text.
MAIN_FIELD = {Kind.FAQ: "answer", Kind.SCRIPT: "opening", Kind.CASE: "background", Kind.RISK: "what_went_wrong",
              Kind.STANDARD: "body"}


def field_specs(kind: str) -> tuple[FieldSpec, ...]:
    return KIND_FIELDS[kind]


def clean_fields(kind: str, fields: dict | None) -> dict:
    """``fields`` checked and normalised for ``kind``: unknown keys refused, strings stripped, required
    fields present; ValidationError naming the field otherwise."""
    if kind not in KIND_FIELDS:
        raise ValidationError({"kind": _("Unknown kind “%(kind)s”.") % {"kind": kind}})
    fields = dict(fields or {})
    specs = {spec.name: spec for spec in KIND_FIELDS[kind]}
    unknown = sorted(set(fields) - set(specs))
    if unknown:
        raise ValidationError({"fields": _("Fields not used by this kind: %(names)s.") % {"names": ", ".join(unknown)}})
    clean: dict = {}
    errors: dict[str, str] = {}
    for name, spec in specs.items():
        value = fields.get(name)
        if spec.shape == "lines":
            if isinstance(value, str):
                value = value.splitlines()
            value = [str(v).strip() for v in (value or []) if str(v).strip()]
        elif spec.shape == "scenarios":
            if isinstance(value, str):
                value = parse_scenarios(value)
            items = []
            for item in value or []:
                if not isinstance(item, dict):
                    errors[name] = _("Each scenario needs a name and a text.")
                    break
                scenario, text = str(item.get("scenario", "")).strip(), str(item.get("text", "")).strip()
                if text:
                    items.append({"scenario": scenario, "text": text})
            value = items
        elif spec.shape == "choice":
            value = str(value or "").strip()
            if value and value not in {c[0] for c in spec.choices}:
                errors[name] = _("“%(value)s” is not one of the choices.") % {"value": value}
        else:
            value = str(value or "").strip()
        if spec.required and not value and name not in errors:
            errors[name] = _("This field is required.")
        clean[name] = value
    if kind == Kind.SCRIPT and not (clean["opening"] or clean["scenarios"] or clean["closing"]):
        errors["opening"] = _("A script template needs an opening, a closing or at least one scenario.")
    if errors:
        raise ValidationError(errors)
    return clean


def parse_scenarios(text: str) -> list[dict]:
    """``[scenario]`` lines start a scenario; text before the first one is a scenario without a name."""
    items: list[dict] = []
    current = {"scenario": "", "lines": []}
    for line in text.splitlines():
        match = re.fullmatch(r"\s*[\[【]([^\]】]+)[\]】]\s*", line)
        if match:
            if current["scenario"] or any(s.strip() for s in current["lines"]):
                items.append(current)
            current = {"scenario": match.group(1).strip(), "lines": []}
        else:
            current["lines"].append(line)
    if current["scenario"] or any(s.strip() for s in current["lines"]):
        items.append(current)
    return [{"scenario": i["scenario"], "text": "\n".join(i["lines"]).strip()} for i in items]


def format_scenarios(items: list[dict]) -> str:
    parts = []
    for item in items or []:
        parts.append((f"[{item['scenario']}]\n" if item.get("scenario") else "") + item.get("text", ""))
    return "\n\n".join(parts)


def field_text(spec: FieldSpec, value) -> str:
    """A field's value as plain text (what search indexes and the version comparison shows)."""
    if spec.shape == "lines":
        return "\n".join(value or [])
    if spec.shape == "scenarios":
        return format_scenarios(value or [])
    if spec.shape == "choice":
        return str(dict(spec.choices).get(value, value or ""))
    return str(value or "")


def search_body(kind: str, fields: dict) -> str:
    """The body the search engine indexes: every text field but the FAQ's similar phrasings (their own field)."""
    parts = []
    for spec in KIND_FIELDS[kind]:
        if spec.shape in ("choice", "lines"):
            continue
        value = fields.get(spec.name)
        if spec.shape == "scenarios":
            parts.extend(f"{item['scenario']} {item['text']}".strip() for item in value or [])
        elif value:
            parts.append(str(value))
    return "\n".join(parts)


def placeholders(text: str) -> list[str]:
    """The distinct placeholders of a text in order of appearance: ``{客户称呼}`` gives ``客户称呼``."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(text or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)
