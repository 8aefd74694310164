"""Side-by-side comparison of two versions of an article: per part (title, each field...), the lines of the
older and the newer text next to each other, changed characters marked."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from servicecoach.knowledge import kinds
from servicecoach.knowledge.models import Status


@dataclass
class Row:
    left: SafeString
    right: SafeString
    change: str  # equal | replace | delete | insert


@dataclass
class Part:
    label: str
    changed: bool
    rows: list[Row]


def _marked(text: str, spans: list[tuple[int, int]], css: str) -> SafeString:
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(f'<mark class="{css}">{escape(text[start:end])}</mark>')
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def _line_pair(old: str, new: str) -> tuple[SafeString, SafeString]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left, right = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            if i2 > i1:
                left.append((i1, i2))
            if j2 > j1:
                right.append((j1, j2))
    return _marked(old, left, "diff-del"), _marked(new, right, "diff-ins")


def side_by_side(old: str, new: str) -> list[Row]:
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows.extend(Row(escape(line), escape(line), "equal") for line in a[i1:i2])
            continue
        left, right = a[i1:i2], b[j1:j2]
        for k in range(max(len(left), len(right))):
            l_line = left[k] if k < len(left) else None
            r_line = right[k] if k < len(right) else None
            if l_line is not None and r_line is not None:
                rows.append(Row(*_line_pair(l_line, r_line), "replace"))
            elif l_line is not None:
                rows.append(Row(_marked(l_line, [(0, len(l_line))], "diff-del"), mark_safe(""), "delete"))
            else:
                rows.append(Row(mark_safe(""), _marked(r_line, [(0, len(r_line))], "diff-ins"), "insert"))
    return rows


def content_parts(content: dict) -> list[tuple[str, str]]:
    """A version's content as labelled texts, in the order the article page shows them."""
    kind = content.get("kind")
    parts = [(_("Title"), content.get("title", ""))]
    for spec in kinds.KIND_FIELDS.get(kind, ()):
        parts.append((str(spec.label), kinds.field_text(spec, content.get("fields", {}).get(spec.name))))
    parts += [
        (_("Category"), content.get("category", "")),
        (_("Tags"), ", ".join(content.get("tags", []))),
        (_("Status"), str(dict(Status.choices).get(content.get("status", ""), content.get("status", "")))),
        (_("Owner"), content.get("owner", "")),
        (_("Review date"), content.get("review_date", "")),
    ]
    if kind == "case":
        parts.append((_("Source"), " ".join(filter(None, (content.get("source_system", ""),
                                                          content.get("source_id", ""),
                                                          content.get("source_url", ""))))))
    return parts


def compare(old: dict, new: dict) -> list[Part]:
    old_parts, new_parts = dict(content_parts(old)), content_parts(new)
    result = []
    for label, text in new_parts:
        before = old_parts.get(label, "")
        result.append(Part(label, before != text, side_by_side(before, text)))
    return result
