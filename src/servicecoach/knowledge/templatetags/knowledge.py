"""Template helpers of the knowledge base: highlighting matched words, kind field display."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from servicecoach.knowledge import kinds

register = template.Library()


@register.simple_tag
def marked(text, spans):
    """``text`` escaped, with each ``(start, end)`` span wrapped in <mark>."""
    text = text or ""
    out, last = [], 0
    for start, end in spans or ():
        if start < last:
            continue
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


@register.filter
def choice_label(value, spec):
    return kinds.field_text(spec, value)


@register.filter
def get_hit(articles, hit):
    """The ``Article`` of a search hit (``articles`` maps primary keys to rows)."""
    return articles.get(int(hit.id))
