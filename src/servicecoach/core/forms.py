"""Form helpers every app's views share."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def apply_service_errors(form, error: ValidationError, *, field_prefixes: tuple[str, ...] = ()) -> None:
    """Put a service's ValidationError on the form: each message on the field it names (or on that field
    with one of ``field_prefixes``, for forms whose fields are built with a prefix), the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        candidates = [name, *(prefix + name for prefix in field_prefixes)]
        target = next((candidate for candidate in candidates if candidate in form.fields), None)
        form.add_error(target, errors)
