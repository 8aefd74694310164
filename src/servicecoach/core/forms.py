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


def flash_form_errors(request, form) -> bool:
    """For a form posted from a page that redirects back: each error as a message, labelled with its field.
    True when there were errors."""
    from django.contrib import messages

    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return bool(form.errors)
