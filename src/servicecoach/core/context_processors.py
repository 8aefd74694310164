"""Navigation and the signed-in user's identity for the layout (see core.navigation)."""

from django.utils.functional import SimpleLazyObject

from servicecoach.core.navigation import navigation_sections
from servicecoach.org.models import Role
from servicecoach.org.selectors import person_for_user, user_roles


def _identity(user) -> dict:
    person = person_for_user(user)
    return {
        "name": person.name if person is not None else (user.get_full_name() or user.get_username()),
        "roles": [Role(r).label for r in Role.values if r in user_roles(user)],
    }


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "current_identity": None}
    return {
        "nav_sections": navigation_sections(user),
        "current_identity": SimpleLazyObject(lambda: _identity(user)),
    }
