"""Permission classes for the REST API, shared by every domain's ``api.py``.

Compose them with DRF's operators::

    permission_classes = [IsAuthenticated & (ReadOnly | HasRole(Role.ADMIN))]

Anonymous requests get 401 (token authentication comes first in settings, so DRF answers with a
``WWW-Authenticate: Token`` challenge); signed-in users without the role get 403. Objects outside the
user's scope are not filtered here but by the view's queryset (a scoping selector), so they answer 404.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from servicecoach.org.selectors import user_has_role


class ReadOnly(BasePermission):
    """GET, HEAD and OPTIONS."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS


def HasRole(*roles: str) -> type[BasePermission]:
    """A permission class: the signed-in user holds at least one of ``roles`` (a superuser counts as admin)."""
    if not roles:
        raise ValueError("HasRole() needs at least one role")
    wanted = tuple(str(role) for role in roles)

    class _HasRole(BasePermission):
        message = f"This needs one of the roles: {', '.join(wanted)}."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user_has_role(user, *wanted))

    _HasRole.__name__ = _HasRole.__qualname__ = f"HasRole({', '.join(wanted)})"
    return _HasRole
