"""Small template helpers for the layout."""

from django import template

register = template.Library()


@register.filter
def indent(depth, base=0) -> str:
    """CSS length indenting a tree row by its depth below ``base``."""
    try:
        level = max(int(depth) - int(base or 0), 0)
    except (TypeError, ValueError):
        level = 0
    return f"{level * 1.25:.2f}em"


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
