"""Guards for views: a signed-in user holding one of the given roles, else 403."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from servicecoach.org.selectors import user_has_role


def role_required(*roles: str):
    """Anonymous users go to the login page; signed-in users without any of ``roles`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not user_has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator
