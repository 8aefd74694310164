"""Template filters of the quality pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()

GRADES = {"excellent": _("Excellent"), "good": _("Good"), "pass": _("Pass"), "fail": _("Fail"), "poor": _("Poor")}
CATEGORIES = {"attitude": _("Attitude"), "knowledge": _("Knowledge"), "communication": _("Communication"),
              "process": _("Process"), "compliance": _("Compliance")}
SEVERITIES = {"minor": _("Minor"), "general": pgettext_lazy("severity", "General"), "severe": _("Severe")}
ROLES = {"customer": _("Customer"), "agent": _("Agent"), "bot": _("Bot"), "system": _("System")}


@register.filter
def grade_label(value: str) -> str:
    return str(GRADES.get(value, value or "—"))


@register.filter
def category_label(value: str) -> str:
    return str(CATEGORIES.get(value, value))


@register.filter
def severity_label(value: str) -> str:
    return str(SEVERITIES.get(value, value))


@register.filter
def role_label(value: str) -> str:
    return str(ROLES.get(value, value))


@register.filter
def seconds(value) -> str:
    """12 -> "12s", 95 -> "1:35"; empty for None."""
    if value is None or value == "":
        return "—"
    value = int(round(float(value)))
    return f"{value // 60}:{value % 60:02d}" if value >= 60 else f"{value}s"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
