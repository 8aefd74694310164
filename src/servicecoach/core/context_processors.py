"""Navigation for the layout: the entries the signed-in user's roles need (see core.navigation)."""

from servicecoach.core.navigation import navigation_for


def navigation(request):
    return {"nav_items": navigation_for(request.user) if hasattr(request, "user") else []}
