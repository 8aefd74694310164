from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key``: a dict lookup with a variable key (empty set when missing)."""
    if not mapping:
        return set()
    return mapping.get(key, set())
