"""The Django admin, covered by one rule (its URLs follow from the registered models) plus a few entries.

The rule: every admin page needs a staff login. Anonymous users and signed-in users without staff status
are sent to the admin's login page (``login``); the administrator (staff + superuser in the sample
organisation) gets the page (``ok``). Pages that need an object get the first object of their model
(sample_org.py creates one of each kind the admin lists). A ModelAdmin that refuses an action even to a
superuser (say, read-only audit entries) gets an explicit Entry in its domain's entries module, which wins
over this rule.
"""

from __future__ import annotations

import re

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from tests.permissions.matrix import LOGIN, NOT_FOUND, OK, Entry, Rule, UrlInfo, expect, only, public

STAFF_PAGE = only("admin", others=LOGIN)


def _model_for(route: str):
    """The registered model an admin route like ``admin/org/person/<path:object_id>/change/`` belongs to."""
    parts = route.split("/")
    if len(parts) < 3:
        return None
    for model in admin.site._registry:
        if (model._meta.app_label, model._meta.model_name) == (parts[1], parts[2]):
            return model
    return None


def _first_pk(model) -> str:
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        raise AssertionError(
            f"No {model._meta.label} in the sample organisation: create one in tests/permissions/sample_org.py "
            "so that its admin pages can be requested."
        )
    return str(obj.pk)


def _admin_entries(info: UrlInfo) -> list[Entry]:
    if info.name is None:
        if info.route.endswith("(?P<url>.*)$"):
            # The admin's catch-all: unknown admin URLs need a staff login before they say 404.
            return [Entry(info.route, path="/admin/no-such-page/", expect=expect(LOGIN, admin=NOT_FOUND))]
        if info.route.endswith("<path:object_id>/"):
            # "admin/<app>/<model>/<pk>/" redirects staff to the object's change page.
            model = _model_for(info.route)
            return [Entry(info.route, path=lambda org, m=model, r=info.route: "/" + r.replace(
                "<path:object_id>", _first_pk(m)), expect=STAFF_PAGE)]
        raise AssertionError(f"unnamed admin URL pattern {info.route!r}: teach entries_admin.py about it")

    short = info.name.split(":", 1)[1]
    if short == "app_list":
        labels = re.search(r"\(\?P<app_label>([^)]*)\)", info.route).group(1).split("|")
        return [Entry(info.name, kwargs={"app_label": label}, expect=STAFF_PAGE, label=label) for label in labels]
    if short == "view_on_site":
        # Needs an object with get_absolute_url; people have none, so staff get 404 (after the login check).
        def kwargs(org):
            return {"content_type_id": ContentType.objects.get_for_model(org.teammate).pk,
                    "object_id": org.teammate.pk}
        return [Entry(info.name, kwargs=kwargs, expect=expect(LOGIN, admin=NOT_FOUND))]
    if short == "autocomplete":
        # Without its query parameters the view refuses (403) once the staff check has passed.
        return [Entry(info.name, expect=expect(LOGIN, admin=403))]
    params = re.findall(r"<(?:\w+:)?(\w+)>", info.route)
    if params:
        # A model's object pages (change, delete, history, a user's password): the model's first object.
        model = _model_for(info.route)
        if model is None:
            raise AssertionError(f"admin URL {info.name!r} ({info.route}): teach entries_admin.py about it")
        return [Entry(info.name, kwargs=lambda org, m=model, p=tuple(params): {k: _first_pk(m) for k in p},
                      expect=STAFF_PAGE)]
    return [Entry(info.name, expect=STAFF_PAGE)]


ENTRIES = [
    # The admin's own login page is for everyone.
    Entry("admin:login", expect=public()),
    # Logging out is a POST. Staff are logged out and sent to the login page (LOGOUT_REDIRECT_URL); people
    # without admin access are sent to the admin index instead (which then asks them to log in).
    Entry("admin:logout", method="POST", expect=expect(OK, anonymous=OK, admin=LOGIN)),
    Rule("admin:*", _admin_entries, reason="every Django admin page requires a staff login"),
    Rule("admin/*", _admin_entries, reason="the admin's unnamed redirect and catch-all patterns"),
]
