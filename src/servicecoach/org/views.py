"""Organisation pages: unit tree, people, role grants and the audit log viewer.

Thin: read through org.selectors (which scope everything to the user), write through
org.services (which write the audit log), render.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from servicecoach.core.forms import apply_service_errors as _apply_service_errors
from servicecoach.core.permissions import role_required
from servicecoach.org import selectors, services
from servicecoach.org.forms import (
    AuditFilterForm,
    LoginForm,
    LoginUnlockForm,
    PersonFilterForm,
    PersonForm,
    RoleGrantForm,
    UnitForm,
)
from servicecoach.org.models import AuditEntry, OrgUnit, Person, Role, RoleAssignment
from servicecoach.org.receivers import client_ip

PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
UNIT_EDITORS = (Role.ADMIN,)
PERSON_EDITORS = (Role.ADMIN, Role.TRAINING_MANAGER)
ROLE_EDITORS = (Role.ADMIN,)


def _visible_person_or_404(user, pk: int) -> Person:
    person = selectors.people_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def _visible_unit_or_404(user, pk: int) -> OrgUnit:
    unit = selectors.units_visible_to(user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def _page(request, queryset, size: int):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# ---------------------------------------------------------------- units


@login_required
def unit_list(request):
    units = selectors.unit_tree_with_counts(user=request.user)
    return render(request, "org/unit_list.html", {
        "units": units,
        "base_depth": min((u.depth for u in units), default=0),
        "can_edit": selectors.user_has_role(request.user, *UNIT_EDITORS),
    })


@login_required
def unit_detail(request, pk: int):
    unit = _visible_unit_or_404(request.user, pk)
    people = selectors.person_list(user=request.user, unit=unit).select_related("unit")
    children = selectors.unit_tree_with_counts(user=request.user)
    return render(request, "org/unit_detail.html", {
        "unit": unit,
        "ancestors": selectors.unit_ancestors(unit),
        "children": [u for u in children if u.parent_id == unit.pk],
        "page": _page(request, people, PAGE_SIZE),
        "can_edit": selectors.user_has_role(request.user, *UNIT_EDITORS),
        "can_edit_people": selectors.user_has_role(request.user, *PERSON_EDITORS),
    })


@role_required(*UNIT_EDITORS)
def unit_create(request):
    initial = {}
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = request.GET["parent"]
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                kind=form.cleaned_data["kind"],
                parent=form.cleaned_data["parent"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Unit “%(name)s” created.") % {"name": unit.name})
            return redirect("org:unit-detail", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": None})


@role_required(*UNIT_EDITORS)
def unit_update(request, pk: int):
    unit = get_object_or_404(OrgUnit, pk=pk)
    # The form validates a copy: ModelForm writes the cleaned values onto its instance, and the
    # service must still see the old ones to record what changed.
    form = UnitForm(request.POST or None, instance=OrgUnit.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(
                actor=request.user, unit=unit, **{f: form.cleaned_data[f] for f in UnitForm.Meta.fields}
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Unit “%(name)s” saved.") % {"name": unit.name})
            return redirect("org:unit-detail", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


# ---------------------------------------------------------------- people


@login_required
def person_list(request):
    units = selectors.units_visible_to(request.user)
    form = PersonFilterForm(request.GET or None, units=units)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.person_list(
        user=request.user,
        unit=filters.get("unit"),
        role=filters.get("role", ""),
        level=filters.get("level", ""),
        status=filters.get("status", ""),
        search=filters.get("q", ""),
    )
    context = {
        "form": form,
        "page": _page(request, people, PAGE_SIZE),
        "can_create": selectors.user_has_role(request.user, *PERSON_EDITORS),
    }
    if request.htmx:
        return render(request, "org/person_list_results.html", context)
    return render(request, "org/person_list.html", context)


@login_required
def person_me(request):
    person = selectors.person_for_user(request.user)
    if person is None:
        messages.info(request, _("This login is not linked to a person of the organisation."))
        return redirect("home")
    return redirect("org:person-detail", pk=person.pk)


@login_required
def person_detail(request, pk: int):
    person = _visible_person_or_404(request.user, pk)
    is_admin = selectors.user_has_role(request.user, Role.ADMIN)
    login_lock = selectors.username_lock(person.user.username) if is_admin and person.user_id else None
    return render(request, "org/person_detail.html", {
        "login_lock": login_lock,
        "person": person,
        "assignments": selectors.person_role_assignments(person),
        "can_edit": selectors.user_has_role(request.user, *PERSON_EDITORS),
        "can_edit_roles": selectors.user_has_role(request.user, *ROLE_EDITORS),
        "grant_form": RoleGrantForm() if is_admin else None,
        "login_form": LoginForm(person=person) if is_admin else None,
        "history": list(selectors.audit_entry_list(object_type="org.person", object_id=str(person.pk))[:20])
        if is_admin else [],
    })


@role_required(*PERSON_EDITORS)
def person_create(request):
    initial = {}
    if request.GET.get("unit", "").isdigit():
        initial["unit"] = request.GET["unit"]
    form = PersonForm(request.POST or None, initial=initial, units=selectors.units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.name})
            return redirect("org:person-detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": None})


@role_required(*PERSON_EDITORS)
def person_update(request, pk: int):
    person = _visible_person_or_404(request.user, pk)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=pk),
                      units=selectors.units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in services.PERSON_FIELDS}
        try:
            services.person_update(actor=request.user, person=person, **fields)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": person.name})
            return redirect("org:person-detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": person})


@role_required(*ROLE_EDITORS)
@require_POST
def person_role_grant(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    form = RoleGrantForm(request.POST)
    if form.is_valid():
        role, unit = form.cleaned_data["role"], form.cleaned_data["unit"]
        services.role_grant(actor=request.user, person=person, role=role, unit=unit)
        messages.success(request, _("Role “%(role)s” granted to %(name)s.") % {
            "role": Role(role).label, "name": person.name})
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect("org:person-detail", pk=person.pk)


@role_required(*ROLE_EDITORS)
@require_POST
def person_role_revoke(request, pk: int, assignment_pk: int):
    assignment = get_object_or_404(RoleAssignment, pk=assignment_pk, person_id=pk)
    services.role_revoke(actor=request.user, person=assignment.person, role=assignment.role, unit=assignment.unit)
    messages.success(request, _("Role “%(role)s” revoked from %(name)s.") % {
        "role": assignment.get_role_display(), "name": assignment.person.name})
    return redirect("org:person-detail", pk=pk)


@role_required(Role.ADMIN)
def person_login(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    form = LoginForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        services.person_set_login(actor=request.user, person=person,
                                  username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        messages.success(request, _("Login of %(name)s saved.") % {"name": person.name})
        return redirect("org:person-detail", pk=person.pk)
    return render(request, "org/person_login.html", {"form": form, "person": person})


# ---------------------------------------------------------------- locked logins


@role_required(Role.ADMIN)
def login_lock_list(request):
    limits = {"username": settings.LOGIN_FAILURES_PER_USERNAME, "ip": settings.LOGIN_FAILURES_PER_IP,
              "window": settings.LOGIN_FAILURE_WINDOW_MINUTES, "lockout": settings.LOGIN_LOCKOUT_MINUTES}
    return render(request, "org/login_lock_list.html", {"locks": selectors.login_locks(), "settings_limits": limits})


@role_required(Role.ADMIN)
@require_POST
def login_unlock(request):
    form = LoginUnlockForm(request.POST)
    if form.is_valid():
        kind, key = form.cleaned_data["kind"], form.cleaned_data["key"]
        if services.login_unlock(actor=request.user, kind=kind, key=key, ip=client_ip(request)):
            messages.success(request, _("“%(key)s” is unlocked: it can log in again.") % {"key": key})
        else:
            messages.info(request, _("“%(key)s” was not locked (any more).") % {"key": key})
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "org:login-lock-list"
    return redirect(target)


# ---------------------------------------------------------------- audit log


def object_type_label(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _display(field, value):
    """A stored value as people read it: a choice's label instead of its code."""
    if value in (None, ""):
        return None
    if field is not None and field.choices and not isinstance(value, list | dict):
        return dict(field.flatchoices).get(value, value)
    return value


# Keys of ``changes`` written by the login services that are not fields of a model: label, value as read.
_LOCK_KINDS = {"username": gettext_lazy("Username"), "ip": gettext_lazy("IP address")}
_EXTRA_CHANGES = {
    "until": (gettext_lazy("locked until"),
              lambda v: formats.date_format(timezone.localtime(parse_datetime(v)), "Y-m-d H:i")
              if isinstance(v, str) and parse_datetime(v) else v),
    "locked": (gettext_lazy("locked"), lambda v: _LOCK_KINDS.get(v, v)),
    "sent": (gettext_lazy("link sent"), lambda v: gettext_lazy("yes") if v else gettext_lazy("no")),
    "ip": (gettext_lazy("IP address"), lambda v: v),
}


def audit_change_rows(entry: AuditEntry) -> list[dict[str, object]]:
    """An entry's ``changes`` as rows of (field label, before, after) for a readable table.

    Updates store ``{field: [old, new]}``; creations and role changes store ``{field: value}``
    (empty values of a creation are left out)."""
    try:
        model = apps.get_model(entry.object_type) if entry.object_type else None
    except (LookupError, ValueError):
        model = None
    rows = []
    for name, value in (entry.changes or {}).items():
        field = None
        if name in {"role", "unit"} and entry.action in {"role_grant", "role_revoke"}:
            field = RoleAssignment._meta.get_field(name)
        elif model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # e.g. "login": not a field of the model
                field = None
        label = str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else name
        if field is None and name in _EXTRA_CHANGES:
            label, read = _EXTRA_CHANGES[name]
            label, value = str(label), read(value)
        is_pair = entry.action == "update" and isinstance(value, list) and len(value) == 2
        before, after = (value[0], value[1]) if is_pair else (None, value)
        before, after = _display(field, before), _display(field, after)
        if not is_pair and after is None:
            continue
        rows.append({"field": label, "before": before, "after": after, "is_pair": is_pair})
    return rows


@role_required(Role.ADMIN)
def audit_list(request):
    object_types = selectors.audit_object_types()
    form = AuditFilterForm(request.GET or None, object_types=object_types)
    form.fields["object_type"].choices = [
        (value, object_type_label(value) if value else label) for value, label in form.fields["object_type"].choices
    ]
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entry_list(
        action=filters.get("action", ""),
        actor=filters.get("actor"),
        object_type=filters.get("object_type", ""),
        object_id=filters.get("object_id", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        text=filters.get("text", ""),
    )
    page = _page(request, entries, AUDIT_PAGE_SIZE)
    rows = [{"entry": e, "type": object_type_label(e.object_type), "changes": audit_change_rows(e)} for e in page]
    context = {"form": form, "page": page, "rows": rows}
    if request.htmx:
        return render(request, "org/audit_list_results.html", context)
    return render(request, "org/audit_list.html", context)
